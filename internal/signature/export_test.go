package signature

// Expire is the timer's end of a challenge, for the tests.
func (e *Engine) Expire(id string) { e.expire(id) }
