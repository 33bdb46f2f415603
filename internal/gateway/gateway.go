// Package gateway assembles the shell's HTTP surfaces, in two origins that
// never share one:
//
//   - the chrome (New): the chrome's assets and its own /shell/ endpoints.
//     It backs the Wails window's asset server and, behind Guard, the
//     browser mode;
//   - the pages (Pages): the hosted packages under /webapps/ and the
//     container's services under /pmapi/, on a host of their own
//     (p<random>.localhost:PORT) that only the chrome frames. A hosted page
//     is cross-origin to the chrome: it cannot read or script it, reach
//     its endpoints or see the browser mode's key.
//
// Both transports serve the same two handlers, built over the same engines
// (ForWindow, ForBrowser), so both run one code path.
package gateway

import (
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"mime"
	"net/http"
	"path"
	"strings"

	"loginshell/internal/install"
	"loginshell/internal/pmapi"
	"loginshell/internal/screen"
	"loginshell/internal/webapps"
)

// Options are the parts the gateway routes to. Assets may be nil when the
// host (Wails) serves the chrome's files itself.
type Options struct {
	Assets fs.FS
	Screen *screen.Screen
	Retry  func()
	Cancel func() error
	// Install, when set, adds POST /shell/install and the "install" events
	// of /shell/events. Nil leaves the endpoint out. The caller MUST guard
	// it (Guard, withToken): it installs what it is sent.
	Install *install.Service
	// Configure, when set, adds POST /shell/configure, which stores the
	// login server a person typed into the error view and signs in again
	// (see configure). Nil leaves the endpoint out: the window sets it
	// through its bindings.
	Configure func(loginURL string) error
	// Challenges, when set, adds POST and DELETE /shell/challenge/{id},
	// the signature dialog's answers in the browser mode, and POST
	// /shell/challenge/{id}/exposed, its report of a page that took the
	// keyboard (the window does both through its bindings).
	Challenges Challenges
	// SignInExposed, when set, adds POST /shell/signin/exposed, the
	// chrome's report of a page that took the keyboard from the sign-in
	// page over it (shell.Shell.SignInExposed; the window does it through
	// its bindings).
	SignInExposed func(ctx context.Context, whole bool) error
	// SigningPhrase, when set, adds POST /shell/signing-phrase, which
	// stores the station's signing phrase the dialog asks for at the first
	// signing (shell.Shell.SetSigningPhrase). Nil leaves it out: the window
	// sets it through its bindings.
	SigningPhrase func(phrase string) error
	// Settings, when set, adds GET and POST /shell/settings, the
	// Settings place of the browser mode (the window reaches it through
	// its bindings). Nil leaves them out.
	Settings Settings
	Log      *slog.Logger
}

// New returns the chrome's handler: the route table of o, each endpoint a
// method of chrome.
func New(o Options) (http.Handler, error) {
	if o.Screen == nil || o.Retry == nil || o.Cancel == nil {
		return nil, errors.New("gateway: Screen, Retry and Cancel are required")
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	c := &chrome{o}
	mux := http.NewServeMux()
	for _, rt := range c.routes() {
		pattern := rt.path
		if rt.method != "" {
			pattern = rt.method + " " + rt.path
		}
		mux.Handle(pattern, rt.handler)
	}
	return mux, nil
}

// chrome serves the chrome's endpoints over its Options.
type chrome struct{ Options }

// route is one row of the chrome's route table: method ("" for every
// method), ServeMux path pattern and handler. A route with a method leaves
// the other methods of its path to ServeMux, which answers them 405.
//
// The chrome's endpoints write their own answers rather than go through
// pmapi's adapter: a refusal the chrome shows a person (nothing to cancel,
// a refused signature or login server) is 200 with {ok: false, error}, not
// an error status; only an install's outcome takes its status from the
// one map (pmapi.Status).
type route struct {
	method  string
	path    string
	handler http.HandlerFunc
}

// routes is the chrome's route table: what every chrome serves, then the
// endpoints Options switch on.
func (c *chrome) routes() []route {
	rs := []route{
		// Not the chrome's: pages and services live on the pages' origin.
		{"", pmapi.Prefix + "/", notHere},
		{"", webapps.Prefix, notHere},
		{http.MethodGet, "/shell/view", c.view},
		{http.MethodGet, "/shell/events", c.events},
		{http.MethodPost, "/shell/retry", c.retry},
		{http.MethodPost, "/shell/cancel", c.cancel},
	}
	if c.Install != nil {
		rs = append(rs, route{http.MethodPost, "/shell/install", c.upload})
	}
	if c.Configure != nil {
		rs = append(rs, route{http.MethodPost, "/shell/configure", c.configure})
	}
	if c.Challenges != nil {
		rs = append(rs,
			route{http.MethodPost, "/shell/challenge/{id}", c.answer},
			route{http.MethodDelete, "/shell/challenge/{id}", c.dismiss},
			route{http.MethodPost, "/shell/challenge/{id}/exposed", c.exposed})
	}
	if c.SignInExposed != nil {
		rs = append(rs, route{http.MethodPost, "/shell/signin/exposed", c.signInExposed})
	}
	if c.SigningPhrase != nil {
		rs = append(rs, route{http.MethodPost, "/shell/signing-phrase", c.signingPhrase})
	}
	if c.Settings != nil {
		rs = append(rs,
			route{http.MethodGet, "/shell/settings", c.settingsView},
			route{http.MethodPost, "/shell/settings", c.settingsSave})
	}
	if c.Assets != nil {
		rs = append(rs, route{"", "/", assets(c.Assets, Index(c.Assets)).ServeHTTP})
	}
	return rs
}

// notHere answers the pages' paths on the chrome's origin.
func notHere(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusNotFound, map[string]string{"error": "not on the shell's own origin: pages and services are served on the pages' origin"})
}

// view is GET /shell/view: the view shown now.
func (c *chrome) view(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, c.Screen.Current())
}

// retry is POST /shell/retry: the boot flow again, after an error.
func (c *chrome) retry(w http.ResponseWriter, _ *http.Request) {
	c.Retry()
	writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
}

// cancel is POST /shell/cancel: the running sign-in ends. With none
// running it is still 200, with a text of the chrome's own (the engine's
// error is not shown).
func (c *chrome) cancel(w http.ResponseWriter, _ *http.Request) {
	if err := c.Cancel(); err != nil {
		writeJSON(w, http.StatusOK, map[string]any{"ok": false, "error": "Nothing to cancel: no sign-in is in progress."})
		return
	}
	writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
}

// assets serves the chrome's built files; index.html, and in its place
// any unknown path (a reload on any path shows the shell), through index,
// with the first view. Not http.FileServer: see pagefiles.
func assets(fsys fs.FS, index http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": r.Method + " is not allowed here"})
			return
		}
		name := strings.TrimPrefix(path.Clean(r.URL.Path), "/")
		if name == "" || !fs.ValidPath(name) {
			name = "index.html"
		}
		b, err := fs.ReadFile(fsys, name)
		switch {
		case err != nil && strings.HasPrefix("/"+name, publicPrefix):
			// Guard lets these paths through without the key: a missing
			// built file must not be answered with index.html, which
			// carries the view.
			http.NotFound(w, r)
			return
		case err != nil || name == "index.html":
			index.ServeHTTP(w, r)
			return
		}
		ct := mime.TypeByExtension(path.Ext(name))
		if ct == "" {
			ct = "application/octet-stream"
		}
		w.Header().Set("Content-Type", ct)
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		_, _ = w.Write(b)
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) { pmapi.WriteJSON(w, status, v) }
