// Package serve is the browser mode: the same shell as the window, over
// HTTP on a loopback address, for browsers and CI. It is a peer of the
// window (app/): both take the same built shell.Shell and serve the same
// gateway handler; this one puts gateway.Guard in front of it.
//
// The listener comes first (Listen), before the engines are built, because
// the sign-in sends the browser back to the listener's URL: the address is
// a constructor argument of the online provider, not something set later.
package serve

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"strings"
	"time"

	"loginshell/internal/fault"
	"loginshell/internal/gateway"
	"loginshell/internal/shell"
)

// Banner is the format of the serve mode's first line on stdout; scripts
// and the browser tests read the URL from it.
const Banner = "loginshell: serving %s"

// ErrNotLoopback refuses a --listen address off this machine: the browser
// mode signs people in, so it listens on loopback only.
var ErrNotLoopback = fault.New(fault.BadRequest, "serve mode listens on loopback only (try --listen 127.0.0.1:0)")

// Listener is a loopback listener and the base URL the shell is served at.
type Listener struct {
	key   string // this run's secret: the chrome's requests carry it
	ln    net.Listener
	host  string // host:port, the only Host header the chrome's guard accepts
	pages string // the pages' host on the same port (gateway.PagesHost)
}

// Listen opens a loopback listener on addr (host:port; localhost is
// spelled 127.0.0.1 so the Host check needs one spelling). Anything but a
// loopback address is refused before a socket is opened.
func Listen(addr string) (*Listener, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fault.Detail(ErrNotLoopback, "--listen %q is not host:port", addr)
	}
	if host == "localhost" {
		host = "127.0.0.1"
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return nil, fault.Detail(ErrNotLoopback, "--listen %q is not a loopback address", addr)
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(host, port))
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	return &Listener{key: gateway.NewKey(), ln: ln, host: ln.Addr().String(), pages: gateway.PagesHost(ln.Addr())}, nil
}

// PagesOrigin is where the hosted pages are served: the same port under a
// host of their own, so a page is never same-origin with the chrome.
func (l *Listener) PagesOrigin() string { return "http://" + l.pages }

// URL is the shell's base URL, http://127.0.0.1:PORT/.
func (l *Listener) URL() string { return "http://" + l.host + "/" }

// KeyedURL is the URL that opens the shell: the base URL with this run's
// key. It is what the serve command prints and where a sign-in at the
// identity provider sends the tab back.
func (l *Listener) KeyedURL() string { return l.URL() + "?" + gateway.KeyQuery + "=" + l.key }

// Close closes the listener (Run does it when it ends).
func (l *Listener) Close() error { return l.ln.Close() }

// Run serves sh on l until ctx ends: it prints the URL with this run's key
// through out (the Banner), starts the boot flow, and on the end cancels a
// running flow so blocked sign-in calls answer before the server stops.
func Run(ctx context.Context, l *Listener, sh *shell.Shell, assets fs.FS, out func(string)) error {
	chrome, pages, err := gateway.ForBrowser(sh, assets, l.pages, []string{"http://" + l.host})
	if err != nil {
		l.Close()
		return err
	}
	guarded := gateway.Guard(l.key, l.host, chrome)
	// One port, two origins: the pages' host goes to the pages, anything
	// else to the chrome's guard (which refuses any other Host).
	pagesSuffix := "." + l.pages
	route := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.Host, pagesSuffix) { // a package's own origin
			pages.ServeHTTP(w, r)
			return
		}
		guarded.ServeHTTP(w, r)
	})
	// Requests run under base, which ends when the shutdown begins: the
	// event streams (the chrome's and each page's) then end at once
	// instead of holding the shutdown for its whole grace period.
	base, endRequests := context.WithCancel(context.Background())
	defer endRequests()
	srv := &http.Server{Handler: gateway.WithBodyDeadline(route, gateway.BodyTimeout), ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout: gateway.IdleTimeout, BaseContext: func(net.Listener) context.Context { return base }}
	srv.RegisterOnShutdown(endRequests)
	out(fmt.Sprintf(Banner, l.KeyedURL()))
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(l.ln) }()
	sh.Boot.Start(ctx)
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	_ = sh.Auth.Cancel()
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		srv.Close()
	}
	return nil
}
