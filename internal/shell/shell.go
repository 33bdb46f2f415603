// Package shell is the assembled shell as one plain value: the engines
// main.go builds once, handed to whichever transport runs them, the Wails
// window (app) or the browser mode (internal/serve). It has no behaviour
// of its own; the transports are peers over the same value.
package shell

import (
	"log/slog"
	"time"

	"loginshell/internal/auth"
	"loginshell/internal/boot"
	"loginshell/internal/connectivity"
	"loginshell/internal/install"
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

// Shell is every engine a transport serves. All fields are set.
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
	Log          *slog.Logger
}
