package gateway

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync/atomic"

	"loginshell/internal/pmapi"
	"loginshell/internal/webapps"
)

// PagesOptions are the pages' origin: what it serves and who it is.
type PagesOptions struct {
	PMAPI   http.Handler // the container's services, at /pmapi/
	Webapps http.Handler // the hosted packages, at /webapps/
	// Host is the pages' exact host:port (PagesHost): the only Host header
	// answered. Its random name is what keeps other local programs and
	// other local web pages out: they cannot address what they cannot
	// name, and DNS rebinding cannot produce it.
	Host string
	// FrameAncestors are the origins allowed to frame the pages: the
	// chrome's (wails://wails and http://wails.localhost in the window,
	// http://127.0.0.1:PORT in the browser mode).
	FrameAncestors []string
}

// PagesHost returns a fresh pages host for a listener's port:
// p<128 random bits>.localhost:PORT. Browsers and WebKitGTK resolve every
// *.localhost name to loopback without asking DNS, and a name of its own
// makes the pages an origin (and a cookie jar) of their own, apart from
// the chrome's 127.0.0.1 and from every other local server.
func PagesHost(addr net.Addr) string {
	_, port, _ := net.SplitHostPort(addr.String())
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand failed: " + err.Error()) // never happens on supported OSes
	}
	return "p" + hex.EncodeToString(b) + ".localhost:" + port
}

// Pages returns the handler of the pages' origins: each package's own,
// <webapps.PackageLabel(name)>.<Options.Host>. It answers only to those
// hosts (403 otherwise) and serves a package's files only on its own; refuses a request whose Origin, when sent,
// is not the pages' own, and a state change (any method but GET and HEAD)
// that a browser marks as coming from another site (Sec-Fetch-Site); it
// serves nothing but /pmapi/ and /webapps/, so no chrome endpoint, no
// install and no key is ever reachable from a hosted page; and it tells
// browsers that only the chrome may frame it.
func Pages(o PagesOptions) (http.Handler, error) {
	if o.PMAPI == nil || o.Webapps == nil || o.Host == "" || len(o.FrameAncestors) == 0 {
		return nil, errors.New("gateway: PMAPI, Webapps, Host and FrameAncestors are required")
	}
	// Set on every answer, made once (nothing changes a header value once set).
	csp := []string{"frame-ancestors " + strings.Join(o.FrameAncestors, " ")}
	notServed := func(w http.ResponseWriter) {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "only /pmapi/ and /webapps/ are served here"})
	}
	suffix := "." + o.Host
	var labels labelCache
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Each package has an origin of its own: <label>.<Host>.
		label, ok := strings.CutSuffix(r.Host, suffix)
		pkg, isLabel := labels.lookup(label)
		if !ok || !isLabel {
			writeJSON(w, http.StatusForbidden, map[string]string{"error": "wrong Host header"})
			return
		}
		if origin := r.Header.Get("Origin"); origin != "" && !sameOrigin(origin, r.Host) {
			writeJSON(w, http.StatusForbidden, map[string]string{"error": "cross-origin request refused"})
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" {
				writeJSON(w, http.StatusForbidden, map[string]string{"error": "cross-site request refused"})
				return
			}
		}
		w.Header()["Content-Security-Policy"] = csp
		// Two prefixes, told apart without a mux of their own: each
		// handler's mux cleans the path (and redirects an unclean one)
		// before it routes.
		switch {
		case strings.HasPrefix(r.URL.Path, pmapi.Prefix+"/"):
			o.PMAPI.ServeHTTP(w, pmapi.FromPackage(r, pkg))
		case strings.HasPrefix(r.URL.Path, webapps.Prefix):
			// A package's files only on its own origin: another
			// package's page there would share its storage.
			name, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, webapps.Prefix), "/")
			if webapps.PackageLabel(name) != label {
				writeJSON(w, http.StatusNotFound, map[string]string{"error": "this package is served on its own origin"})
				return
			}
			o.Webapps.ServeHTTP(w, r) // a file: nothing there asks who calls
		default:
			notServed(w)
		}
	}), nil
}

// sameOrigin reports whether origin is http://host, without building
// the string for every call.
func sameOrigin(origin, host string) bool {
	rest, ok := strings.CutPrefix(origin, "http://")
	return ok && rest == host
}

// labelCache remembers the last package label read from a Host header:
// a page's calls all name the same one, and reading it decodes hex.
// One entry, so a stream of made-up hosts costs nothing to keep.
type labelCache struct{ last atomic.Pointer[labelled] }

type labelled struct {
	label string
	pkg   *pmapi.Caller
}

// lookup is webapps.LabelPackage, remembered for the last label, its
// package as the services' Caller.
func (c *labelCache) lookup(label string) (*pmapi.Caller, bool) {
	if l := c.last.Load(); l != nil && l.label == label {
		return l.pkg, true
	}
	name, ok := webapps.LabelPackage(label)
	if !ok {
		return nil, false
	}
	pkg := pmapi.NewCaller(name)
	c.last.Store(&labelled{label: label, pkg: pkg})
	return pkg, true
}

// PagesListener is a loopback listener for the pages' origin and the host
// it answers to; the window serves its pages on one (the browser mode
// shares its own listener, routing by Host).
type PagesListener struct {
	net.Listener
	Host string
}

// ListenPages opens a loopback listener on a free port for the pages.
func ListenPages() (*PagesListener, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	return &PagesListener{Listener: ln, Host: PagesHost(ln.Addr())}, nil
}

// Origin is the pages' origin, http://p….localhost:PORT.
func (l *PagesListener) Origin() string { return "http://" + l.Host }
