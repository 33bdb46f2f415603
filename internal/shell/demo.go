package shell

import (
	"fmt"
	"strings"

	"loginshell/internal/demoidp"
	"loginshell/internal/settings"
)

// startDemo runs the demo identity provider on loopback and points the
// settings at it. It only supplies the provider: the packages still come
// from --boot or the data directory.
func (s *Shell) startDemo() error {
	srv, err := demoidp.Start(demoidp.Options{Addr: "127.0.0.1:0", ClientID: DefaultClientID, Log: s.Log.With("component", "demoidp")})
	if err != nil {
		return fmt.Errorf("start the demo identity provider: %w", err)
	}
	s.demo = srv
	if err := s.Settings.Merge(map[string]any{
		settings.LoginURL: srv.Issuer(),
		settings.ClientID: srv.ClientID(),
		settings.Prompt:   "login",
	}); err != nil {
		srv.Close()
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "loginshell: demo identity provider at %s; demo users:", srv.Issuer())
	for _, u := range demoidp.DemoUsers() {
		fmt.Fprintf(&b, " %s/%s (%s)", u.Username, u.Password, strings.Join(u.Roles, ", "))
	}
	s.demoNote = b.String()
	return nil
}

// DemoNote is the line that tells a person where the demo provider runs and
// which users it knows ("" without --demo). Demo passwords are meant to be
// read: they are printed, never a real user's.
func (s *Shell) DemoNote() string { return s.demoNote }
