// Package shell is the composition root: Build makes every engine once
// from a Config, complete at construction, and returns them as one value
// handed to whichever transport runs them, the Wails window (app) or the
// browser mode (internal/serve); the transports are peers over it. The
// window, serve, the commands (internal/cli), the transports' tests
// (shelltest) and the bench all build through here, so the wiring they
// exercise is the product's. Nothing else in the module constructs an
// engine (internal/arch enforces it).
package shell

import (
	"log/slog"
	"time"

	"loginshell/internal/auth"
	"loginshell/internal/boot"
	"loginshell/internal/configure"
	"loginshell/internal/connectivity"
	"loginshell/internal/install"
	"loginshell/internal/keychain"
	"loginshell/internal/phrase"
	"loginshell/internal/screen"
	"loginshell/internal/settings"
	"loginshell/internal/signature"
	"loginshell/internal/user"
	"loginshell/internal/webapps"
)

// Version is the shell's version, shown in the status bar and /pmapi/version.
const Version = "0.1.0"

// FreshOnlineLogin is how recent an online sign-in must be to set up or
// change the offline password without signing in again.
const FreshOnlineLogin = 15 * time.Minute

// DefaultClientID is the OpenID client id used when the client_id setting
// is empty; the demo provider registers it.
const DefaultClientID = "loginshell"

// Shell is every engine a transport serves, as Build made them. All
// fields are set; Close releases what Build started.
type Shell struct {
	Auth         *auth.Service
	Boot         *boot.Sequence
	Screen       *screen.Screen
	Users        *user.Service
	Settings     *settings.Store
	Library      *webapps.Library
	Installs     *install.Service
	Connectivity *connectivity.Monitor
	Signatures   *signature.Engine
	// Configure is the chrome's Settings place: the login server, the
	// redirect port and the signature store, seen and changed.
	Configure *configure.Place
	// Phrase is the station's signing phrase; the chrome sets it once
	// (SetSigningPhrase), the screen shows it in every dialog.
	Phrase *phrase.Store
	Log    *slog.Logger

	// Keychain and Store are the engines' own collaborators: the
	// transports do not use them; tests and the commands do.
	Keychain *keychain.Keychain
	Store    SignatureStore
	// DataDir is the data directory the shell was built on.
	DataDir string
	// DemoNote tells a person where the demo provider runs and which
	// users it knows ("" without Config.Demo).
	DemoNote string

	// settingsWritten waits until every change of the login server made
	// so far is in the audit trail (they are written off the caller).
	settingsWritten func()
	closers         []func()
}

// SettingsWritten waits until every change of the login server made so
// far is in the audit trail: the shell writes them off the caller, so that
// a setting saved never waits for the signature store.
func (sh *Shell) SettingsWritten() { sh.settingsWritten() }

// SetSigningPhrase stores p as the station's signing phrase (phrase.Store
// Set: once, ErrChosen after) and shows it at once in the dialog on
// screen. Only the chrome calls it: the window's binding, the browser
// mode's key-guarded endpoint.
func (s *Shell) SetSigningPhrase(p string) error {
	if err := s.Phrase.Set(p); err != nil {
		return err
	}
	s.Screen.Refresh()
	return nil
}

// onClose registers f to run at Close, after everything registered later.
func (s *Shell) onClose(f func()) { s.closers = append(s.closers, f) }

// Close stops what Build started, in the reverse order, once.
func (s *Shell) Close() {
	for i := len(s.closers) - 1; i >= 0; i-- {
		s.closers[i]()
	}
	s.closers = nil
}
