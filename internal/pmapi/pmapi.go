// Package pmapi is the REST surface of the shell: the mobile container's
// http://pmapi/... services (seed 002), which hosted pages reach as /pmapi/...
// on the shell's origin. Each service is a row of a route table (method,
// path, handler) whose handler is most often an endpoint: a thin function
// that parses, calls an engine and returns a value or an error, which one
// adapter (handle) renders. This package is the only place where engine
// errors become status codes (errors.go), so the seed's table lives in one
// file.
package pmapi

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"loginshell/internal/auth"
	"loginshell/internal/fault"
	"loginshell/internal/settings"
	"loginshell/internal/signature"
	"loginshell/internal/user"
)

// Prefix is where the API is mounted on the shell's origin.
const Prefix = "/pmapi"

// Booter restarts the boot flow (POST /boot/restart).
type Booter interface {
	Restart()
}

// Windows shows a web app in the content area (window/pane).
type Windows interface {
	ShowApp(name string) error
}

// Options are the engines the API serves. All are required but Log.
type Options struct {
	Auth         *auth.Service
	Users        *user.Service
	Settings     *settings.Store
	Connectivity func(ctx context.Context) []string
	Boot         Booter
	Windows      Windows
	Version      string
	// Signatures runs the /pmapi/signature services; nil leaves them out.
	Signatures *signature.Engine
	// Session names this shell's session, the signature SDK's
	// system.session (required with Signatures). The SDK's system.page is
	// not served here: only the chrome hands it to the page it shows.
	Session func() string
	Log     *slog.Logger
}

type api struct {
	Options
	log      *slog.Logger
	userJSON atomic.Pointer[userJSON] // GET /user's answer, by dictionary version
}

// New returns the handler for everything under Prefix.
func New(o Options) (http.Handler, error) {
	if o.Auth == nil || o.Users == nil || o.Settings == nil || o.Connectivity == nil || o.Boot == nil || o.Windows == nil {
		return nil, errors.New("pmapi: Auth, Users, Settings, Connectivity, Boot and Windows are required")
	}
	a := &api{Options: o, log: o.Log}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	if o.Signatures != nil && o.Session == nil {
		return nil, errors.New("pmapi: Signatures needs Session")
	}
	mux := http.NewServeMux()
	// The routes without a {wildcard}, by path and method: most calls
	// name one, and a map finds it without walking the mux's tree.
	literal := map[string]map[string]http.Handler{}
	for _, rt := range slices.Concat(a.authRoutes(), a.serviceRoutes(), a.signatureRoutes()) {
		mux.Handle(rt.method+" "+Prefix+rt.path, rt.handler)
		if !strings.Contains(rt.path, "{") {
			if literal[Prefix+rt.path] == nil {
				literal[Prefix+rt.path] = map[string]http.Handler{}
			}
			literal[Prefix+rt.path][rt.method] = rt.handler
		}
	}
	// What no route takes falls to unrouted, so a routed call is matched
	// once, by the mux, not once more beforehand.
	mux.Handle(unroutedPattern, a.unrouted(mux))
	route := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// A path as the mux would match it (no escaped character, which
		// the mux reads segment by segment) and a literal route: served
		// at once. Anything else, HEAD included, goes to the mux.
		if r.URL.RawPath == "" {
			if h := literal[r.URL.Path][r.Method]; h != nil {
				h.ServeHTTP(w, r)
				return
			}
		}
		mux.ServeHTTP(w, r)
	})
	return a.trace(a.gate(route)), nil
}

// trace logs every call a page makes at debug level (`--log-level
// debug`, for QA): method, path with its query, status and time taken.
// The log's redacting handler masks the passwords and tokens the path
// carries; nothing of the bodies is logged.
func (a *api) trace(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !a.log.Enabled(r.Context(), slog.LevelDebug) {
			next.ServeHTTP(w, r)
			return
		}
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r)
		a.log.Debug("pmapi call", "method", r.Method, "path", r.URL.RequestURI(), "status", sw.status,
			"ms", time.Since(start).Milliseconds())
	})
}

// statusWriter remembers the status a handler wrote.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

// Flush keeps event streams (the signature service's) streaming.
func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the writer beneath.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// methods are the ones a service may answer to, in the order Allow lists
// them.
var methods = []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete}

// unroutedPattern is the pattern of every path under Prefix that no
// route takes: any method, and less specific than every route.
const unroutedPattern = Prefix + "/"

// unrouted answers what mux has no route for (it is mux's route for
// unroutedPattern): 405 with Allow when the service exists under other
// methods (a state change is never reachable by GET), 404 naming the path
// otherwise, both as {"error": ...}.
func (a *api) unrouted(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var allow []string
		for _, m := range methods {
			probe := r.Clone(r.Context())
			probe.Method = m
			if _, pattern := mux.Handler(probe); pattern != "" && pattern != unroutedPattern {
				allow = append(allow, m)
			}
		}
		if len(allow) == 0 {
			a.writeError(w, r, fault.Detail(errNotFound, "no such service: %s", r.URL.Path))
			return
		}
		w.Header().Set("Allow", strings.Join(allow, ", "))
		a.writeError(w, r, fault.Detail(errMethod, "%s %s is not allowed; use %s", r.Method, r.URL.Path, strings.Join(allow, " or ")))
	})
}

// gate answers 403 to every service but /auth and /log while a login,
// setup or update runs, as the container did ("all other service requests
// will be rejected").
func (a *api) gate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		open := p == Prefix+"/auth" || strings.HasPrefix(p, Prefix+"/auth/") || p == Prefix+"/log"
		if !open && a.Auth.InProgress() {
			a.writeError(w, r, errBusy)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// callerKey is the context key of the package a request comes from.
type callerKey struct{}

// Caller is a package as its pages' calls carry it, made once per
// package (NewCaller) so that a call's context holds a pointer and naming
// the caller costs no allocation of its own.
type Caller struct{ pkg string }

// NewCaller is the Caller of package pkg.
func NewCaller(pkg string) *Caller { return &Caller{pkg: pkg} }

// FromPackage returns r as a request from a page of package c, which the
// pages' origin knows from its Host: the signature services then list,
// cancel and stream to it only what is its own (signature.Request.VisibleTo,
// signature.Outcome.For). Only they ask who calls, so only a call under
// callerPrefix is copied with the caller in its context; any other is r
// itself (a request's copy and its context were a third of what the pages'
// origin added to every GET /user). A service that asks and finds no
// caller refuses the call (caller): nothing is taken for the plant.
func FromPackage(r *http.Request, c *Caller) *http.Request {
	if !strings.HasPrefix(r.URL.Path, callerPrefix) {
		return r
	}
	return r.WithContext(context.WithValue(r.Context(), callerKey{}, c))
}

// callerPrefix is where the services that ask who calls live. The path is
// the one the routes match (decoded; an unclean one is redirected first),
// and a service elsewhere that asked would be refused, not served blind.
const callerPrefix = Prefix + "/signature/"

// errNoCaller refuses a signature service called without a package: every
// call reaches the services through the pages' origin, which names its
// package (FromPackage), and the plant signs through its own commands.
var errNoCaller = fault.New(fault.Forbidden, "the signature services answer a package's pages only")

// caller is the package r comes from; errNoCaller without one.
func caller(r *http.Request) (string, error) {
	if c, _ := r.Context().Value(callerKey{}).(*Caller); c != nil && c.pkg != signature.Plant {
		return c.pkg, nil
	}
	return "", errNoCaller
}
