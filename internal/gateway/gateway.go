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
// Both transports serve the same two handlers (ForShell), so both run one
// code path.
package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"mime"
	"net/http"
	"path"
	"strings"

	"loginshell/internal/shell"

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
	// of /shell/events. Nil leaves the endpoint out: the window installs
	// through its bindings, so its pages get no upload endpoint at all.
	Install *install.Service
	// Configure, when set, adds POST /shell/configure, which stores the
	// login server a person typed into the error view and signs in again
	// (see configure). Nil leaves the endpoint out: the window sets it
	// through its bindings.
	Configure func(loginURL string) error
	// Challenges, when set, adds POST and DELETE /shell/challenge/{id},
	// the signature dialog's answers in the browser mode (the window
	// answers through its bindings).
	Challenges Challenges
	Log        *slog.Logger
}

// New returns the shell's handler.
func New(o Options) (http.Handler, error) {
	if o.Screen == nil || o.Retry == nil || o.Cancel == nil {
		return nil, errors.New("gateway: Screen, Retry and Cancel are required")
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	mux := http.NewServeMux()
	// Not the chrome's: pages and services live on the pages' origin.
	for _, p := range []string{pmapi.Prefix + "/", webapps.Prefix} {
		mux.HandleFunc(p, func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, http.StatusNotFound, map[string]string{"error": "not on the shell's own origin: pages and services are served on the pages' origin"})
		})
	}
	mux.HandleFunc("GET /shell/view", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, o.Screen.Current())
	})
	mux.HandleFunc("GET /shell/events", func(w http.ResponseWriter, r *http.Request) { events(w, r, o.Screen, o.Install) })
	if o.Install != nil {
		mux.HandleFunc("POST /shell/install", func(w http.ResponseWriter, r *http.Request) { upload(w, r, o.Install) })
	}
	if o.Configure != nil {
		mux.HandleFunc("POST /shell/configure", func(w http.ResponseWriter, r *http.Request) { configure(w, r, o.Configure, o.Log) })
	}
	if o.Challenges != nil {
		routeChallenges(mux, o.Challenges)
	}
	mux.HandleFunc("POST /shell/retry", func(w http.ResponseWriter, r *http.Request) {
		o.Retry()
		writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
	})
	mux.HandleFunc("POST /shell/cancel", func(w http.ResponseWriter, r *http.Request) {
		if err := o.Cancel(); err != nil {
			writeJSON(w, http.StatusOK, map[string]any{"ok": false, "error": "Nothing to cancel: no sign-in is in progress."})
			return
		}
		writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
	})
	if o.Assets != nil {
		mux.Handle("/", assets(o.Assets))
	}
	return mux, nil
}

// events streams the screen's views as server-sent events ("view"), and
// with inst the progress and results of installs ("install").
func events(w http.ResponseWriter, r *http.Request, s *screen.Screen, inst *install.Service) {
	flusher, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	ch, cancel := s.Subscribe()
	defer cancel()
	var installs <-chan install.Event // nil: never ready
	if inst != nil {
		c, stop := inst.Subscribe()
		defer stop()
		installs = c
	}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	send := func(event string, v any) bool {
		b, _ := json.Marshal(v)
		if _, err := fmt.Fprintf(w, "event: %s\ndata: %s\n\n", event, b); err != nil {
			return false
		}
		flusher.Flush()
		return true
	}
	if !send("view", s.Current()) {
		return
	}
	for {
		select {
		case <-r.Context().Done():
			return
		case v := <-ch:
			if !send("view", v) {
				return
			}
		case e := <-installs:
			if !send("install", e) {
				return
			}
		}
	}
}

// assets serves the chrome's built files; unknown paths get index.html so
// a reload on any path shows the shell. Not http.FileServer: see webapps.
func assets(fsys fs.FS) http.Handler {
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
		if err != nil {
			name = "index.html"
			if b, err = fs.ReadFile(fsys, name); err != nil {
				http.Error(w, "the shell's frontend is not built: run make build", http.StatusNotFound)
				return
			}
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

// ForShell returns the two handlers both transports serve over the
// engines of sh: the chrome's (assets nil in the window: Wails serves the
// chrome's files itself; browser set in the browser mode, whose chrome has
// no bindings and so gets the upload and login-server endpoints) and the
// pages' (host is the pages' exact host:port, ancestors the chrome's
// origins that may frame them).
func ForShell(sh *shell.Shell, assets fs.FS, browser bool, host string, ancestors []string) (chrome, pages http.Handler, err error) {
	api, err := pmapi.New(pmapi.Options{
		Auth: sh.Auth, Users: sh.Users, Settings: sh.Settings,
		Connectivity: func(context.Context) []string { return sh.Connectivity.States(sh.Users) },
		Boot:         sh.Boot, Windows: sh.Boot, Version: shell.Version, Log: sh.Log.With("component", "pmapi"),
		Signatures: sh.Signatures, Session: sh.Screen.Session, Page: func() string { return sh.Screen.Current().Page },
	})
	if err != nil {
		return nil, nil, err
	}
	pages, err = Pages(PagesOptions{PMAPI: api, Webapps: sh.Library.Handler(), Host: host, FrameAncestors: ancestors})
	if err != nil {
		return nil, nil, err
	}
	o := Options{
		Assets: assets, Screen: sh.Screen,
		Retry:  func() { sh.Boot.Start(context.Background()) },
		Cancel: sh.Auth.Cancel,
		Log:    sh.Log,
	}
	if browser {
		o.Install, o.Configure = sh.Installs, sh.Boot.SetLoginServer
		if sh.Signatures != nil {
			o.Challenges = sh.Signatures
		}
	}
	chrome, err = New(o)
	return chrome, pages, err
}
