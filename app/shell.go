// Package app is the Wails side of the shell: the struct bound to the
// window's JavaScript (window.go.app.Shell) and the adapter that turns
// screen changes into Wails events. It is the only package that imports
// the Wails runtime. Bound methods are thin: they call the same engines the
// REST API calls, and turn errors into text safe to show.
package app

import (
	"context"
	"errors"
	"log/slog"
	"net/url"
	"sync"
	"time"

	"loginshell/internal/auth"
	"loginshell/internal/boot"
	"loginshell/internal/keychain"
	"loginshell/internal/loginurl"
	"loginshell/internal/online"
	"loginshell/internal/screen"
)

// ViewEvent is the Wails event that carries each new screen.View.
const ViewEvent = "view"

// Result is what a bound call answers: ok, or an error a person can read.
type Result struct {
	OK    bool   `json:"ok"`
	Error string `json:"error,omitempty"`
}

// StatusResult answers Status (GET /auth).
type StatusResult struct {
	InProgress bool `json:"inProgress"`
}

// Shell is bound to the window. Construct it with New; Wails calls
// Startup, DomReady and Shutdown.
type Shell struct {
	auth   *auth.Service
	boot   *boot.Sequence
	screen *screen.Screen
	log    *slog.Logger

	mu     sync.Mutex
	rt     Runtime
	ctx    context.Context
	cancel context.CancelFunc
	stop   func()
	wg     sync.WaitGroup
	// returned is closed when the chrome is back after an embedded login.
	returned    chan struct{}
	reloadAfter []time.Duration
	installs    Installer  // nil: the window cannot install packages
	configurer  Configurer // nil: the window cannot set the login server
}

// New returns the bound shell, refusing nil engines.
func New(a *auth.Service, b *boot.Sequence, s *screen.Screen, log *slog.Logger) (*Shell, error) {
	if a == nil || b == nil || s == nil {
		return nil, errors.New("app: auth, boot and screen are required")
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Shell{auth: a, boot: b, screen: s, log: log, reloadAfter: defaultReloadAfter()}, nil
}

// Startup is Wails' OnStartup: it attaches the real runtime.
func (s *Shell) Startup(ctx context.Context) { s.Attach(ctx, wailsRuntime{ctx}) }

// Attach starts forwarding screen changes (and installs, with an
// Installer) to rt and runs the boot flow.
// Startup calls it with the Wails runtime; tests call it with a fake.
func (s *Shell) Attach(ctx context.Context, rt Runtime) {
	ctx, cancel := context.WithCancel(ctx)
	views, stop := s.screen.Subscribe()
	s.mu.Lock()
	s.rt, s.ctx, s.cancel, s.stop = rt, ctx, cancel, stop
	s.mu.Unlock()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			select {
			case <-ctx.Done():
				return
			case v := <-views:
				rt.EventsEmit(ViewEvent, v)
			}
		}
	}()
	s.attachInstalls(ctx, rt)
	s.boot.Start(ctx)
}

// Shutdown is Wails' OnShutdown: it cancels a running flow so its waiting
// calls return, and stops the event forwarding.
func (s *Shell) Shutdown(context.Context) {
	_ = s.auth.Cancel()
	s.mu.Lock()
	cancel, stop := s.cancel, s.stop
	s.mu.Unlock()
	if cancel != nil {
		cancel()
		stop()
	}
	s.wg.Wait()
}

// runtime returns the attached runtime, or nil before Startup.
func (s *Shell) runtime() Runtime {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rt
}

// OpenEmbedded shows the identity provider's login page in the window
// itself, as the container did (login_browser "embedded").
func (s *Shell) OpenEmbedded(_ context.Context, authURL string) error {
	s.screen.Navigate(authURL)
	return nil
}

// OpenSystem shows the login page in the system browser (login_browser
// "system", RFC 8252's recommendation). Wails' BrowserOpenURL refuses
// URLs with characters it considers unsafe, so the URL is re-encoded.
func (s *Shell) OpenSystem(_ context.Context, authURL string) error {
	rt := s.runtime()
	if rt == nil {
		return errors.New("the window is not ready to open the system browser")
	}
	u, err := url.Parse(authURL)
	if err != nil {
		return err
	}
	u.RawQuery = u.Query().Encode()
	s.screen.ShowLoading("Sign in in your web browser, then come back to this window.")
	rt.BrowserOpenURL(u.String())
	return nil
}

// defaultReloadAfter are the delays at which ReturnFromLogin asks the
// window to reload the shell until the chrome is back.
func defaultReloadAfter() []time.Duration {
	return []time.Duration{300 * time.Millisecond, 700 * time.Millisecond, 1500 * time.Millisecond, 3 * time.Second, 5 * time.Second}
}

// ReturnFromLogin brings the shell back into the window after an embedded
// login. The screen moves on first, so the reloaded chrome does not go to
// the login page again. The reload itself (Wails sets location.href by
// script) is lost when it runs while the window is still loading the
// loopback callback page, and Wails v2 reports no page loads, so it is
// repeated until the chrome asks for its view (View), which proves it is
// back.
func (s *Shell) ReturnFromLogin() {
	s.screen.ShowLoading("Signing in…")
	rt := s.runtime()
	if rt == nil {
		return
	}
	s.mu.Lock()
	if s.returned != nil {
		close(s.returned) // a newer login supersedes the older loop
	}
	s.returned = make(chan struct{})
	back, ctx := s.returned, s.ctx
	s.mu.Unlock()
	if ctx == nil {
		ctx = context.Background()
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for _, d := range s.reloadAfter {
			select {
			case <-back:
				return
			case <-ctx.Done():
				return
			case <-time.After(d):
				rt.WindowReloadApp()
			}
		}
	}()
}

// View returns what the window shows now. The chrome calls it when it
// loads, which also ends ReturnFromLogin's reloads.
func (s *Shell) View() screen.View {
	s.mu.Lock()
	if s.returned != nil {
		close(s.returned)
		s.returned = nil
	}
	s.mu.Unlock()
	return s.screen.Current()
}

// Retry runs the boot flow again after an error.
func (s *Shell) Retry() {
	s.mu.Lock()
	ctx := s.ctx
	s.mu.Unlock()
	if ctx == nil {
		ctx = context.Background()
	}
	s.boot.Start(ctx)
}

// Start runs a login (POST /auth) and blocks until it ends.
func (s *Shell) Start() Result { _, err := s.auth.Login(s.flowContext()); return result(err) }

// Setup runs the offline password setup (POST /auth/setup).
func (s *Shell) Setup() Result { return result(s.auth.Setup(s.flowContext())) }

// Update runs the offline password change (POST /auth/update).
func (s *Shell) Update() Result { return result(s.auth.Update(s.flowContext())) }

// Cancel cancels the running flow (DELETE /auth).
func (s *Shell) Cancel() Result { return result(s.auth.Cancel()) }

// Status reports whether a flow runs (GET /auth).
func (s *Shell) Status() StatusResult { return StatusResult{InProgress: s.auth.InProgress()} }

// Authenticate completes an offline login (PUT /auth/{t}/authenticate?p=).
func (s *Shell) Authenticate(token, password string) Result {
	return result(s.auth.Authenticate(token, password))
}

// CompleteSetup saves the offline password (PUT /auth/{t}/setup?p=).
func (s *Shell) CompleteSetup(token, password string) Result {
	return result(s.auth.CompleteSetup(token, password))
}

// CompleteUpdate changes the offline password (PUT /auth/{t}/update?o=&p=).
func (s *Shell) CompleteUpdate(token, oldPassword, newPassword string) Result {
	return result(s.auth.CompleteUpdate(token, oldPassword, newPassword))
}

// Logout signs out and starts the boot flow again (POST /boot/restart).
func (s *Shell) Logout() Result {
	s.boot.Restart()
	return Result{OK: true}
}

func (s *Shell) flowContext() context.Context {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ctx == nil {
		return context.Background()
	}
	return s.ctx
}

// shown are the errors whose text is written for people; anything else is
// an internal cause that stays in the log.
var shown = []error{
	auth.ErrInProgress, auth.ErrNotInProgress, auth.ErrNotConfigured, auth.ErrNotAttempted,
	auth.ErrFailed, auth.ErrCancelled, auth.ErrTokenUnknown, auth.ErrBadQuery, auth.ErrNotOnline,
	auth.ErrNoOfflinePackage, auth.ErrNoPage, auth.ErrVaultExists, auth.ErrNoVault,
	keychain.ErrWrongPassword, keychain.ErrLocked, keychain.ErrTampered, keychain.ErrWeakPassword,
	keychain.ErrNoVault, online.ErrUnreachable, loginurl.ErrInvalid,
}

func result(err error) Result {
	if err == nil {
		return Result{OK: true}
	}
	if text, ok := keychain.Message(err); ok {
		return Result{Error: text}
	}
	for _, e := range shown {
		if errors.Is(err, e) {
			return Result{Error: err.Error()}
		}
	}
	return Result{Error: "internal error in the shell; see its log"}
}
