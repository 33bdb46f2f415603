package signature

// Expire is the timer's end of a challenge, for the tests.
func (e *Engine) Expire(id string) { e.expire(id) }

// Readable is an alert's detail as the log shows it, for the tests.
func Readable(detail string) string { return readable(detail) }
