package app

import (
	"context"
	"errors"
	"log/slog"
	"net/url"
	"sync"
	"time"

	"loginshell/internal/screen"
)

// Window is the window's side of an online sign-in: it shows the
// provider's page in the window itself (OpenEmbedded) or in the system
// browser (OpenSystem), and brings the shell back afterwards
// (ReturnFromLogin). It is built before the engines, because the online
// provider takes these methods at construction; the Wails runtime arrives
// later, when the window starts (attach).
type Window struct {
	screen *screen.Screen
	log    *slog.Logger

	mu  sync.Mutex
	rt  Runtime         // nil until the window starts
	ctx context.Context // the window's life, set with rt
	// returned is closed when the chrome is back after an embedded login.
	returned    chan struct{}
	reloadAfter []time.Duration
	// away: the window was sent to the provider's page (OpenEmbedded) and
	// the chrome has not been back since (chromeBack).
	away   bool
	closed bool // wait was called: no new reload loop
	// menuSet is the menu syncMenu last showed.
	menuSet menuState
	wg      sync.WaitGroup
}

// NewWindow returns the window's sign-in side over the screen.
func NewWindow(scr *screen.Screen, log *slog.Logger) (*Window, error) {
	if scr == nil {
		return nil, errors.New("app: a screen is required")
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Window{screen: scr, log: log, reloadAfter: defaultReloadAfter(), menuSet: menuUnset}, nil
}

// attach hands the window its runtime once Wails has started it, and
// takes the Sign-in menu away unless the provider's page is shown.
func (w *Window) attach(ctx context.Context, rt Runtime) {
	w.mu.Lock()
	w.rt, w.ctx = rt, ctx
	w.mu.Unlock()
	w.syncMenu(true)
}

// syncMenu shows the window's Sign-in menu, instead of its Shell menu,
// while the identity provider's page fills the window, and only then: the
// screen sends the window there (a Navigate view, which the chrome
// follows at once), or the window went there and the chrome is not back
// yet (away). Its one item, Back to the shell, is the way out of a page
// the chrome is not in; elsewhere it would do nothing (issue 22). The
// runtime is told only of a change, unless force (the window's own
// menu bar was just built).
func (w *Window) syncMenu(force bool) {
	shown := w.screen.Current().Kind == screen.Navigate
	w.mu.Lock()
	rt := w.rt
	shown = shown || w.away
	changed := force || w.menuSet != menuStateOf(shown)
	w.menuSet = menuStateOf(shown)
	w.mu.Unlock()
	if rt != nil && changed {
		rt.SignInMenu(shown)
	}
}

// menuState is what syncMenu last told the runtime: menuUnset before it
// told it anything.
type menuState int

const (
	menuUnset menuState = iota - 1
	menuShell
	menuSignIn
)

// menuState of shown: the Sign-in menu or the Shell menu.
func menuStateOf(shown bool) menuState {
	if shown {
		return menuSignIn
	}
	return menuShell
}

// runtime returns the attached runtime, or nil before the window starts.
func (w *Window) runtime() Runtime {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.rt
}

// OpenEmbedded shows the identity provider's login page in the window
// itself, as the container did (login_browser "embedded").
func (w *Window) OpenEmbedded(_ context.Context, authURL string) error {
	w.mu.Lock()
	w.away = true
	w.mu.Unlock()
	w.screen.Navigate(authURL)
	w.syncMenu(false)
	return nil
}

// OpenSystem shows the login page in the system browser (login_browser
// "system", RFC 8252's recommendation). Wails' BrowserOpenURL refuses
// URLs with characters it considers unsafe, so the URL is re-encoded.
func (w *Window) OpenSystem(_ context.Context, authURL string) error {
	rt := w.runtime()
	if rt == nil {
		return errors.New("the window is not ready to open the system browser")
	}
	u, err := url.Parse(authURL)
	if err != nil {
		return err
	}
	u.RawQuery = u.Query().Encode()
	w.screen.ShowLoading("Sign in in your web browser, then come back to this window.")
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
// the login page again, unless the sign-in's outcome is on screen already
// (screen.LeaveNavigate). The reload itself (Wails sets location.href by
// script) is lost when it runs while the window is still loading the
// loopback callback page, and Wails v2 reports no page loads, so it is
// repeated until the chrome asks for its view (chromeBack), which proves
// it is back.
func (w *Window) ReturnFromLogin() {
	w.screen.LeaveNavigate("Signing in…")
	rt := w.runtime()
	if rt == nil {
		return
	}
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return
	}
	if w.returned != nil {
		close(w.returned) // a newer login supersedes the older loop
	}
	w.returned = make(chan struct{})
	back, ctx := w.returned, w.ctx
	w.wg.Add(1)
	w.mu.Unlock()
	go func() {
		defer w.wg.Done()
		for _, d := range w.reloadAfter {
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

// bringBack reloads the chrome when the window is still away from it
// (see ReturnFromLogin), and does nothing when the chrome is there.
func (w *Window) bringBack() {
	w.mu.Lock()
	away := w.away
	w.mu.Unlock()
	if away {
		w.ReturnFromLogin()
	}
}

// chromeBack ends ReturnFromLogin's reloads: the chrome has loaded, and
// the Sign-in menu goes.
func (w *Window) chromeBack() {
	w.mu.Lock()
	wasAway := w.away
	w.away = false
	if w.returned != nil {
		close(w.returned)
		w.returned = nil
	}
	w.mu.Unlock()
	if wasAway {
		w.syncMenu(false)
	}
}

// wait stops new reload loops and waits for the running one to end (after
// the window's context).
func (w *Window) wait() {
	w.mu.Lock()
	w.closed = true
	w.mu.Unlock()
	w.wg.Wait()
}
