// Package boot is the shell's start-up sequence, as the mobile container
// ran it: sign in (the seed's POST /auth), set up the offline password the
// first time (POST /auth/setup) when an offline package is configured, then
// show the starter app. It is also where a person at the machine sets the
// login server when none is set: the one fix the sequence's error view
// offers. OfflinePages, the authentication service's way to the offline
// package's pages, lives here too: the start-up sequence already works
// with both the login steps and the packages.
package boot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"loginshell/internal/auth"
	"loginshell/internal/fault"
	"loginshell/internal/loginurl"
	"loginshell/internal/manifest"
	"loginshell/internal/screen"
	"loginshell/internal/settings"
	"loginshell/internal/user"
)

// Vault tells whether a user has an offline password.
type Vault interface {
	Exists(username string) bool
}

// Apps are the installed packages as the sequence needs them;
// *webapps.Library is one.
type Apps interface {
	// Boot returns the boot document (the starter app's name).
	Boot() manifest.Boot
	// HasOffline reports whether an offline login package is installed.
	HasOffline() bool
	// AppPage returns the URL and title of a web app's main page.
	AppPage(name string) (pageURL, title string, err error)
}

// ErrSignedIn refuses the sign-in error's login-server form while a person
// is signed in: the form is for a station nobody can sign in at.
var ErrSignedIn = fault.New(fault.Forbidden,
	"Someone is signed in: change the login server in Settings (the top bar), as a person who may install packages.")

// Settings stores the login server a person sets from the error view, and
// tells which one was tried, for the view that offers to correct it.
// *settings.Store is one.
type Settings interface {
	MergeVia(d map[string]any, via settings.Via) error
	String(key string) string
}

// Options are a Sequence's engines; all are required but Log.
type Options struct {
	Auth     *auth.Service
	Screen   *screen.Screen
	Apps     Apps
	Vault    Vault
	Users    *user.Service
	Settings Settings
	Log      *slog.Logger
}

// Sequence runs the boot flow. Safe for concurrent use: a second Run while
// one is running is ignored.
type Sequence struct {
	auth     *auth.Service
	screen   *screen.Screen
	apps     Apps
	vault    Vault
	users    *user.Service
	settings Settings
	log      *slog.Logger

	life context.Context // ended by Stop
	stop context.CancelFunc

	mu      sync.Mutex
	running bool
	restart bool // Restart came while a run was going: run again after it
	wg      sync.WaitGroup
}

// New returns a Sequence over its engines, refusing nil ones.
func New(o Options) (*Sequence, error) {
	if o.Auth == nil || o.Screen == nil || o.Apps == nil || o.Vault == nil || o.Users == nil || o.Settings == nil {
		return nil, errors.New("boot: Auth, Screen, Apps, Vault, Users and Settings are required")
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	life, stop := context.WithCancel(context.Background())
	return &Sequence{auth: o.Auth, screen: o.Screen, apps: o.Apps, vault: o.Vault, users: o.Users,
		settings: o.Settings, log: o.Log, life: life, stop: stop}, nil
}

// Start runs the boot flow in the background. The run ends when ctx does
// or when the sequence is stopped, whichever comes first.
func (b *Sequence) Start(ctx context.Context) {
	ctx, cancel := context.WithCancel(ctx)
	unlink := context.AfterFunc(b.life, cancel)
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		defer cancel()
		defer unlink()
		b.Run(ctx)
	}()
}

// Wait blocks until background runs have ended.
func (b *Sequence) Wait() { b.wg.Wait() }

// Stop ends every run, at whatever step it is (a sign-in waiting for its
// page ends as cancelled), and waits for them: a clean shutdown never
// waits for a login timeout.
func (b *Sequence) Stop() {
	b.stop()
	b.wg.Wait()
}

// Restart signs the user out and starts the boot flow again: what
// container apps call "Logout" (POST /boot/restart).
func (b *Sequence) Restart() {
	b.auth.Logout(context.Background())
	b.screen.Forget()
	b.screen.ShowLoading("Signed out")
	// A run still going (its flow was just cancelled) would ignore a new
	// one and go on to the starter app for nobody: it starts over instead.
	b.mu.Lock()
	if b.running {
		b.restart = true
		b.mu.Unlock()
		return
	}
	b.mu.Unlock()
	b.Start(context.Background())
}

// Run signs in, sets up the offline password the first time, and shows the
// starter app. Whatever fails ends on an error view that says what went
// wrong in an operator's words and offers one next action: never a blank
// window. A failure that a login server address can fix also offers the
// login server form, filled with the address tried (see problem).
func (b *Sequence) Run(ctx context.Context) {
	b.mu.Lock()
	if b.running {
		b.mu.Unlock()
		return
	}
	b.running = true
	b.mu.Unlock()
	defer func() {
		b.mu.Lock()
		b.running = false
		again := b.restart
		b.restart = false
		b.mu.Unlock()
		if again && b.life.Err() == nil {
			b.Start(context.Background())
		}
	}()

	b.screen.ShowLoading("Signing in…")
	p, err := b.auth.Login(ctx)
	if err != nil {
		level := slog.LevelWarn
		if errors.Is(err, auth.ErrCancelled) { // the person's choice, or the shell closing
			level = slog.LevelInfo
		}
		b.log.Log(context.Background(), level, "boot: sign-in did not complete", "err", err)
		b.screen.ShowProblem(problem(err, b.settings.String(settings.LoginURL), b.auth.ForcedOffline()))
		return
	}
	b.screen.Refresh()
	if _, m, _ := b.users.Current(); m == user.Online && b.apps.HasOffline() && !b.vault.Exists(p.Username) {
		b.screen.ShowLoading("Set up your offline password")
		// A skipped setup is not fatal: the user works online and is asked
		// again at the next sign-in.
		if err := b.auth.Setup(ctx); err != nil {
			b.log.Warn("boot: offline password not set up", "user", p.Username, "err", err)
		}
		if _, _, ok := b.users.Current(); !ok {
			return // signed out meanwhile (Restart): no starter app for nobody
		}
	}
	if err := b.ShowApp(b.apps.Boot().Starter); err != nil {
		b.log.Error("boot: starter app", "err", err)
		b.screen.ShowProblem(screen.Problem{Heading: "The start page is not installed", Action: tryAgain,
			Message: fmt.Sprintf("You are signed in, but the app this station starts with (%q) is not installed. "+
				"Install it with Install package…, or ask your IT department, then choose Try again.", b.apps.Boot().Starter)})
	} else {
		b.log.Info("starter app shown", "app", b.apps.Boot().Starter)
	}
}

// ShowApp shows a web app's main page in the content area (window/pane).
func (b *Sequence) ShowApp(name string) error {
	url, title, err := b.apps.AppPage(name)
	if err != nil {
		return err
	}
	b.screen.ShowPage(url, title)
	return nil
}

// Message is the text shown to a person for a boot failure: the engine's
// own words (fault.Text), or, for a failure of the shell itself whose cause
// stays in the log, what to do next.
func Message(err error) string {
	if fault.KindOf(err) == fault.Internal {
		return "Sign-in stopped because of an internal error; see the shell's log, then Retry."
	}
	return fault.Text(err)
}

// SetLoginServer sets the login server from the shell's own error view
// (the one fix a person can make at the machine when the sequence ended on
// "basic settings are not configured") and signs in again: it checks the
// address with loginurl.Parse, stores it as login_url and starts the
// sequence. The window's binding and the browser mode's endpoint both call
// it; a page reaches the same setting only through /pmapi/usersettings.
//
// The form is offered only while nobody is signed in (a first start, a
// login server that lets nobody sign in), so it is open to whoever is at
// the station then; with a person signed in it is refused, and the
// Settings place, which asks who may, is the way (configure.Place). Either
// way the change is in the audit trail (settings.Recorded).
//
// Errors: loginurl.ErrInvalid naming the rule broken; auth.ErrInProgress
// while a sign-in, setup or update runs, so a page in progress keeps the
// server it started with; ErrSignedIn while a person is signed in; an
// Internal error when the settings cannot be written.
func (b *Sequence) SetLoginServer(loginURL string) error {
	u, err := loginurl.Parse(loginURL)
	if err != nil {
		return err
	}
	if b.auth.InProgress() {
		return auth.ErrInProgress
	}
	if _, _, ok := b.users.Current(); ok {
		return ErrSignedIn
	}
	// The form is the first start's while no login server is set, the
	// sign-in error's after: the trail says which (settings.Recorded).
	via := settings.ViaErrorView
	if b.settings.String(settings.LoginURL) == "" {
		via = settings.ViaFirstStart
	}
	if err := b.settings.MergeVia(map[string]any{settings.LoginURL: u}, via); err != nil {
		return fmt.Errorf("store login_url: %w", err)
	}
	b.log.Info("login server set from the shell", "login_url", u)
	b.Start(context.Background())
	return nil
}
