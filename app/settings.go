package app

import (
	"loginshell/internal/configure"
)

// Settings returns what the chrome's Settings place shows: the login
// server, the redirect port, the signature store (set and in use) and the
// installer role. Only the chrome, which holds the token, reads it.
func (s *Shell) Settings(token string) (configure.Values, error) {
	if !s.from(token) {
		s.sh.Log.Warn("a binding call without the chrome's token was refused", "binding", "Settings")
		return configure.Values{}, errToken
	}
	return s.sh.Configure.Current(), nil
}

// SaveSettings stores what the person typed into the Settings place, every
// field checked with its key's one rule (configure.Place.Save), all or
// nothing; a new login server is used at once, as the first-start form's
// is, and the next view arrives as a ViewEvent. A refusal answers its
// words and the field at fault.
func (s *Shell) SaveSettings(token string, c configure.Change) configure.Answer {
	if !s.from(token) {
		s.sh.Log.Warn("a binding call without the chrome's token was refused", "binding", "SaveSettings")
		return configure.Answer{Error: errToken.Error()}
	}
	saved, err := s.sh.Configure.Save(c)
	if err != nil {
		s.sh.Log.Warn("settings not saved", "err", err)
	}
	return configure.Reply(saved, err, s.sh.Log)
}
