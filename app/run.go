package app

import (
	"context"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/options/assetserver"
	"loginshell/internal/exepages"
	"loginshell/internal/fault"
	"loginshell/internal/gateway"
	"loginshell/internal/shell"
)

// ErrNoDisplay means there is no display to open a window on.
var ErrNoDisplay = fault.New(fault.Unavailable, "no display to open a window on (DISPLAY and WAYLAND_DISPLAY are unset); use `loginshell serve --listen 127.0.0.1:0` and open the printed URL in a browser")

// CheckDisplay returns ErrNoDisplay when no window can be opened, so the
// command can refuse before it creates or starts anything.
func CheckDisplay() error {
	if !haveDisplay() {
		return ErrNoDisplay
	}
	return nil
}

// frameAncestors are the chrome's origins, the only ones that may frame a
// hosted page: WebKitGTK's wails://wails and WebView2's
// http://wails.localhost.
var frameAncestors = []string{"wails://wails", "http://wails.localhost"}

// Run opens the shell window over sh and blocks until it closes. win is
// the Window the online provider was built with; pages is the listener the
// hosted pages are served on (an origin of their own: see
// internal/gateway), which Run serves until the window closes. SIGTERM and
// SIGINT close it cleanly, like the window's close button.
func Run(sh *shell.Shell, win *Window, pages *gateway.PagesListener, assets fs.FS, o RunOptions) error {
	if err := CheckDisplay(); err != nil {
		return err
	}
	ui, err := New(sh, win)
	if err != nil {
		return err
	}
	guard := newWebviewGuard(sh.Log, ui.dropped)
	chrome, pagesHandler, err := gateway.ForWindow(sh, gateway.WindowChrome{Token: ui.token, Channel: guard.Prefix, View: sh.Screen.Current},
		pages.Host, frameAncestors)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: gateway.WithBodyDeadline(pagesHandler, gateway.BodyTimeout), ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout: gateway.IdleTimeout}
	go func() { _ = srv.Serve(pages) }()
	defer srv.Close()
	// As the window starts, WebKitGTK prints "Overriding existing handler
	// for signal 10. Set JSC_SIGNAL_FOR_GC if you want WebKit to use a
	// different signal": JavaScriptCore takes SIGUSR1 to suspend its own
	// threads (pthread_kill) for garbage collection, and finds Go's
	// handler there. The line is expected and harmless: nothing in this
	// process uses SIGUSR1 (no signal.Notify for it). JSC_SIGNAL_FOR_GC is
	// left unset on purpose: Go's runtime has a handler on every signal
	// but 32 and 33 (glibc's own, not to be taken), so any other signal
	// prints the same line; tried with 30 (SIGPWR) on WebKitGTK 2.50, it
	// did, and each WebKit process added "ERROR: invalid option:
	// JSC_SIGNAL_FOR_GC=30" (JSC reads every JSC_* variable as one of its
	// options).
	return wails.Run(&options.App{
		Title:     "loginshell",
		Width:     1280,
		Height:    800,
		MinWidth:  640,
		MinHeight: 480,
		AssetServer: &assetserver.Options{
			Assets:  assets,
			Handler: chrome,
			// Every answer on the chrome's origin, its documents too;
			// index.html as the browser mode serves it (gateway.Index).
			Middleware: func(next http.Handler) http.Handler {
				return gateway.Unframed(gateway.WithIndex(next, assets))
			},
		},
		// Off: Wails' file drop reaches Go as a "DD:" message, the kind a
		// hosted page could post itself. The guard takes drops from GTK
		// instead (see webviewGuard).
		DragAndDrop: &options.DragAndDrop{EnableFileDrop: false},
		Menu:        firstMenu(ui.menus),
		OnStartup: func(ctx context.Context) {
			guard.install() // before anything hands out the token: see webviewGuard
			closeOnSignal(sh, win)
			ui.startup(ctx)
		},
		OnShutdown: ui.shutdown,
		Bind:       []any{ui},
		// The inspector needs the webview's own context menu.
		EnableDefaultContextMenu: o.Inspect,
		OnDomReady:               domReady(win, inspectorOn(o.Inspect, sh), releaseStartPages(sh.Log, startPagesAfter, exepages.Release)),
	})
}

// closeOnSignal makes SIGTERM and SIGINT close the window as its close
// button does. Wails starts its own handler (internal/signal, which prints
// "Ctrl+C detected") just before OnStartup, and it quits GTK from its
// signal goroutine, off the GTK thread: that raced the main loop and
// crashed the window on SIGTERM. signal.Reset takes the signals from Wails'
// handler (it cannot be switched off otherwise), and the quit goes through
// the GTK main loop (quitOnMainThread). The window lives until the process
// exits, so nothing undoes this.
func closeOnSignal(sh *shell.Shell, win *Window) {
	signal.Reset(syscall.SIGTERM, os.Interrupt)
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, os.Interrupt)
	go func() {
		sig := <-sigs
		sh.Log.Info("closing the window", "signal", sig.String())
		quitOnMainThread(win.runtime())
	}()
}

// RunOptions are the window's switches for QA.
type RunOptions struct {
	// Inspect enables the web inspector (right click > Inspect Element)
	// on the chrome and the hosted pages. Only the command line sets it
	// (--inspect): no setting, page or pmapi call can, so a hosted page
	// never gets the inspector opened on it. It MUST NOT be on in a
	// production installation: whoever sits at the window can then read
	// and change what the pages hold.
	Inspect bool
}

// domReady is Wails' OnDomReady: the Sign-in menu as the window's state
// wants it (Wails shows the whole window, its menu bar too, once it has
// built it), then inspect (nil: nothing more), then release.
func domReady(win *Window, inspect func(context.Context), release func()) func(context.Context) {
	return func(ctx context.Context) {
		win.syncMenu(true)
		if inspect != nil {
			inspect(ctx)
		}
		release()
	}
}

// startPagesAfter is how long after the chrome's first DOM-ready the
// binary's start-up pages are given back: by then the first page has
// loaded on a station that starts as fast as `make bench` measures (about
// a second to the final screen); on a slower one, what start-up still
// runs after it maps its pages again at a minor fault's cost.
const startPagesAfter = 5 * time.Second

// releaseStartPages returns the DOM-ready hook that gives back, once and
// after a wait, the binary's pages that start-up mapped (release:
// exepages.Release): every package's initialisation, the engines'
// construction, the chrome's server and the first page, most of which an
// idle sign-in screen never runs again. The chrome's DOM-ready comes
// again at each reload of the chrome; only the first counts.
func releaseStartPages(log *slog.Logger, after time.Duration, release func() (int64, error)) func() {
	var once sync.Once
	return func() {
		once.Do(func() {
			time.AfterFunc(after, func() {
				n, err := release()
				if err != nil {
					log.Warn("could not give back the binary's start-up pages", "err", err)
					return
				}
				log.Debug("gave back the binary's start-up pages", "mapped_mb", n>>20)
			})
		})
	}
}

// inspectorOn returns the DOM-ready hook that enables the inspector, nil
// when it is off.
func inspectorOn(inspect bool, sh *shell.Shell) func(context.Context) {
	if !inspect {
		return nil
	}
	return func(context.Context) {
		if !enableInspector() {
			sh.Log.Warn("--inspect: this platform's production build cannot enable the web inspector; build with: wails build -tags devtools")
			return
		}
		sh.Log.Info("--inspect: the web inspector is enabled (right click > Inspect Element)")
	}
}
