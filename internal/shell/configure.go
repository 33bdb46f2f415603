package shell

import (
	"context"
	"fmt"

	"loginshell/internal/auth"
	"loginshell/internal/loginurl"
	"loginshell/internal/settings"
)

// Configure sets the login server from the shell's own UI, the one fix a
// person can make at the machine when the boot flow ends on "basic
// settings are not configured" (the error view offers it): it checks
// loginURL with loginurl.Parse (an absolute https URL, or http on a
// loopback host; spaces trimmed), stores it as the login_url setting, and
// starts the boot flow again, which signs in at that server. The window's
// binding (app.Shell.Configure) and the serve mode's POST /shell/configure
// both call it.
//
// Errors: loginurl.ErrInvalid (wrapped, naming the rule broken) for an
// address it refuses; auth.ErrInProgress while a sign-in, setup or update
// runs, so a page in progress keeps the server it started with; a wrapped
// storage error when settings.json cannot be written.
//
// Any caller that can reach it can change the login server, as PUT
// /pmapi/usersettings can: the transports must only expose it to the
// shell's own chrome and the serve mode's guarded browser.
func (s *Shell) Configure(loginURL string) error {
	u, err := loginurl.Parse(loginURL)
	if err != nil {
		return err
	}
	if s.Auth.InProgress() {
		return auth.ErrInProgress
	}
	if err := s.Settings.Set(settings.LoginURL, u); err != nil {
		return fmt.Errorf("store login_url: %w", err)
	}
	s.Log.Info("login server set from the shell", "login_url", u)
	s.Boot.Start(context.Background())
	return nil
}
