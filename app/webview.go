package app

import (
	"context"
	"crypto/subtle"
	"errors"
	"log/slog"
	"sync"
	"time"
)

// webviewGuard keeps hosted pages away from what Wails' web view offers
// the chrome: the window's message channel, the chrome's own document,
// and file drops. On Linux (webview_linux.go) it is put in place on the
// GTK main thread once the window exists (install); what it does there:
//
// The message channel is the one way the chrome's JavaScript reaches
// Wails: window.WailsInvoke posts a string to WebKitGTK's script message
// handler "external", and Wails acts on it: Q quits, W... moves, resizes
// or fullscreens the window, BO: opens the system browser on any URL, DD:
// reports a file drop, E... emits events to Go, C... calls a binding.
// WebKitGTK hands that handler to every frame of the web view, hosted
// packages' frames included, and Wails forwards every message with the
// top-level page's URI (the chrome's) as its source, so its origin check
// (BindingsAllowedOrigins) always passes: a hosted page could post any of
// these blind (and did: a forged DD: installed the zip it named). Wails
// has no switch for it. So Wails' own handler is disconnected and one of
// the shell's takes its place, which passes a message on to Wails (to the
// entry point Wails' own handler calls) only when it starts with a
// per-run secret, and strips it first. The secret reaches the chrome with
// the bindings' token (GET /shell/token, on the chrome's own origin,
// where no page can read an answer), and the chrome puts it before every
// message it posts (frontend/src/transport.ts). A page cannot learn it,
// so whatever it posts is dropped before Wails sees it.
//
// Why this and not something else: a patched copy of Wails is a fork to
// keep in step; telling frames apart in the handler is impossible
// (WebKitGTK delivers the value to the UI process without its frame); and
// moving each thing a page can do out of Wails' dispatcher leaves Q and W,
// which are Wails' own with no hook. The swap needs no change to Wails
// and covers every message kind, today's and future ones.
//
// Only the messages Wails' runtime posts before the chrome can know the
// secret pass without it: "runtime:ready", sent as runtime.js loads. It
// makes Wails run a fixed script in the top-level document (the chrome):
// the drag and drop CSS property names, which the shell does not use, and
// flags already at their values. A page gains nothing by sending it.
// Messages from the native side (the close button's Q, DomReady) do not
// come through the channel and are untouched.
//
// The chrome's document: a page that frames wails://wails/ would have the
// chrome rendered inside it, to dress up or click through. The chrome's
// answers carry frame-ancestors 'none' (gateway.Unframed), which
// WebKitGTK does not apply to a custom URI scheme's answers; so the guard
// also refuses every wails:// document but the main frame's.
//
// File drops: Wails' own (options.DragAndDrop.EnableFileDrop) is off,
// since it reaches Go as a DD: message. A drop counts only when the
// chrome's own document takes it; but WebKitGTK gives no page, the chrome
// included, a dropped file's bytes (dataTransfer.files is empty since its
// fix of CVE-2025-13947), so the chrome cannot upload it as the browser
// mode does. The guard takes the files from GTK instead: those of a drag
// that started outside the window and was dropped on it go to dropped,
// which keeps them for the chrome's InstallDrop (the chrome's drop
// handler calls it, with its token). A drag a page started, which names
// whatever files it likes, is ignored.
//
// Callers MUST NOT hand the secret to anything but the chrome's own
// origin, and MUST answer no GET /shell/token before Prefix returns: a
// prefixed message sent before the guard is in place would reach Wails
// with the prefix still on.
type webviewGuard struct {
	// prefix is what the chrome puts before every message; "" on a
	// platform whose channel reaches no frame but the top-level one.
	prefix string
	log    *slog.Logger
	// wait is how long Prefix waits for the guard to be installed.
	wait time.Duration

	ready chan struct{} // closed by done
	once  sync.Once
	err   error // why the guard is not in place; set before ready closes
	tries int   // install attempts so far (the GTK main thread's only)

	// dropped gets the paths of the files a person dropped on the window
	// (nil: drops are ignored), on the GTK main thread: it must not block.
	dropped func(paths []string)

	mu     sync.Mutex
	logged map[byte]bool // the message kinds whose refusal was logged
}

// unprefixed are the messages that pass without the secret: see
// webviewGuard.
var unprefixed = map[string]bool{"runtime:ready": true}

// errChannelOpen: the guard could not be put in place, so the chrome
// is not given the secret (nor the bindings' token) and does not start.
var errChannelOpen = errors.New("the window's message channel could not be closed to hosted pages")

// newWebviewGuard returns a guard with a fresh secret, not yet
// installed; install puts it in place. dropped gets the files dropped on
// the window.
func newWebviewGuard(log *slog.Logger, dropped func(paths []string)) *webviewGuard {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	g := &webviewGuard{log: log, wait: 10 * time.Second, ready: make(chan struct{}), logged: map[byte]bool{},
		dropped: dropped}
	if guardsChannel {
		g.prefix = newToken()
	}
	return g
}

// done records how installing the guard ended; the first call wins.
func (g *webviewGuard) done(err error) {
	g.once.Do(func() {
		if err != nil {
			g.log.Error("the window's message channel is open to hosted pages: the shell will not start its chrome", "err", err)
			g.err = errors.Join(errChannelOpen, err)
		}
		close(g.ready)
	})
}

// Prefix returns the secret the chrome puts before every message, once
// the guard is in place ("" where none is needed); an error when it could
// not be put in place, or was not within the wait.
func (g *webviewGuard) Prefix(ctx context.Context) (string, error) {
	t := time.NewTimer(g.wait)
	defer t.Stop()
	select {
	case <-g.ready:
		if g.err != nil {
			return "", g.err
		}
		return g.prefix, nil
	case <-ctx.Done():
		return "", ctx.Err()
	case <-t.C:
		return "", errChannelOpen
	}
}

// admit decides a message posted on the window's channel: the message
// to pass to Wails, with the secret stripped, and whether to pass it at
// all. A refusal is logged once per kind (the message's first byte), so
// a page that floods the channel cannot flood the log.
func (g *webviewGuard) admit(msg string) (string, bool) {
	if unprefixed[msg] {
		return msg, true
	}
	n := len(g.prefix)
	if len(msg) > n && subtle.ConstantTimeCompare([]byte(msg[:n]), []byte(g.prefix)) == 1 {
		return msg[n:], true
	}
	g.refused(msg)
	return "", false
}

// drop hands the paths of a drop to dropped before WebKit gives the
// drop to the document (so the chrome's InstallDrop finds them).
func (g *webviewGuard) drop(paths []string) {
	if g.dropped != nil && len(paths) > 0 {
		g.dropped(paths)
	}
}

// refused logs the first refusal of msg's kind.
func (g *webviewGuard) refused(msg string) {
	var kind byte = '-' // empty
	if msg != "" {
		kind = msg[0]
		if kind < '!' || kind > '~' {
			kind = '?'
		}
	}
	g.mu.Lock()
	first := !g.logged[kind]
	g.logged[kind] = true
	g.mu.Unlock()
	if first {
		g.log.Warn("a message on the window's channel without the chrome's secret was dropped (a hosted page's; further ones of this kind are dropped silently)",
			"kind", string(kind))
	}
}
