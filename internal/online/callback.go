package online

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"html"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// The loopback listener's paths: the redirect of the authorization request
// (redirect_uri) and the redirect after the provider's end-session page
// (post_logout_redirect_uri). Both are registered at providers that
// compare URIs exactly, so they never change.
const (
	callbackPath  = "/callback"
	loggedOutPath = "/logged-out"
)

// redirect is what the provider sent back through the browser.
type redirect struct {
	state, code, errCode, errDesc string
}

// callback is the loopback receiver of one login (RFC 8252 §7.3): it listens
// on 127.0.0.1 on the configured port or one the system picks, accepts
// exactly one GET /callback, hands its query to the flow and answers the
// browser only once the flow has an outcome, so the page can say whether
// the sign-in worked.
//
// When the login starts with the provider's end-session page (the session
// of the previous person, see Provider.Logout), it also accepts one GET
// /logged-out: the provider's way back after RP-initiated logout. That
// request records whether the provider confirmed the logout (the state it
// echoes is this login's) and sends the browser on to the authorization
// request, so the next person signs in without a detour through the shell.
type callback struct {
	ln        net.Listener
	srv       *http.Server
	returnURL string

	once    sync.Once     // the first GET /callback wins
	got     chan redirect // buffered 1
	settled chan struct{} // closed by finish
	outcome error         // written before settled is closed

	// Set by chain before the end-session page is shown, read by the
	// /logged-out handler.
	chainMu     sync.Mutex
	logoutState string
	next        string // the authorization URL when the logout is confirmed
	nextUnsure  string // the same with prompt=login, when it is not
	logoutOnce  sync.Once
	loggedOut   atomic.Bool // the provider came back with this login's state
}

// listenCallback listens on 127.0.0.1:port (0: a port the system picks).
// A fixed port that cannot be opened is ErrRedirectPort, naming the port.
func listenCallback(port int, returnURL string) (*callback, error) {
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		if port != 0 {
			// Whatever the system said (in use, reserved, not permitted),
			// the person's choices are the same.
			return nil, fail(ErrRedirectPort, err,
				"the sign-in cannot start: port %d on this computer (the redirect_port setting) is in use by another program or not available. "+
					"Close the program that uses it and sign in again, or set redirect_port to another port and register "+
					"http://127.0.0.1:<that port>%s and %s at the identity provider", port, callbackPath, loggedOutPath)
		}
		return nil, fmt.Errorf("listen on loopback for the login redirect: %w", err)
	}
	cb := &callback{
		ln:        ln,
		returnURL: returnURL,
		got:       make(chan redirect, 1),
		settled:   make(chan struct{}),
	}
	mux := http.NewServeMux()
	mux.HandleFunc(callbackPath, cb.serve)
	mux.HandleFunc(loggedOutPath, cb.serveLoggedOut)
	cb.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go cb.srv.Serve(ln) //nolint:errcheck // returns ErrServerClosed on close
	return cb, nil
}

// redirectURL is the redirect_uri registered with the authorization request.
func (cb *callback) redirectURL() string {
	return "http://" + cb.ln.Addr().String() + callbackPath
}

// loggedOutURL is the post_logout_redirect_uri of the end-session request.
func (cb *callback) loggedOutURL() string {
	return "http://" + cb.ln.Addr().String() + loggedOutPath
}

// chain arms /logged-out: state is the end-session request's, next the
// authorization URL to continue with once the provider confirmed the
// logout, unsure the one (with prompt=login) when it did not.
func (cb *callback) chain(state, next, unsure string) {
	cb.chainMu.Lock()
	defer cb.chainMu.Unlock()
	cb.logoutState, cb.next, cb.nextUnsure = state, next, unsure
}

func (cb *callback) serve(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if r.Method != http.MethodGet {
		http.Error(w, "This address only receives the sign-in redirect.", http.StatusMethodNotAllowed)
		return
	}
	first := false
	cb.once.Do(func() { first = true })
	if !first {
		http.Error(w, "This sign-in has already been handled. You can close this window.", http.StatusGone)
		return
	}
	q := r.URL.Query()
	cb.got <- redirect{
		state:   q.Get("state"),
		code:    q.Get("code"),
		errCode: q.Get("error"),
		errDesc: q.Get("error_description"),
	}
	select {
	case <-cb.settled:
	case <-r.Context().Done():
		return
	}
	if cb.returnURL != "" {
		http.Redirect(w, r, cb.returnURL, http.StatusSeeOther)
		return
	}
	title, text := "Signed in", "You are signed in. You can close this window."
	if cb.outcome != nil {
		title, text = "Sign-in failed", cb.outcome.Error()+" You can close this window."
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintf(w, "<!doctype html><html><head><meta charset=\"utf-8\"><title>%s</title></head>"+
		"<body><h1>%s</h1><p>%s</p></body></html>", title, title, html.EscapeString(text))
}

// serveLoggedOut receives the provider's redirect after its end-session
// page and sends the browser on to the authorization request. Only a
// redirect carrying this login's state confirms the logout: anything could
// request this address (its port is fixed with redirect_port), and an
// unconfirmed logout is answered with prompt=login, so a forged request can
// skip nothing the next person must do.
func (cb *callback) serveLoggedOut(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	cb.chainMu.Lock()
	state, next, unsure := cb.logoutState, cb.next, cb.nextUnsure
	cb.chainMu.Unlock()
	if next == "" {
		http.Error(w, "No sign-out is waiting here. You can close this window.", http.StatusNotFound)
		return
	}
	if r.Method != http.MethodGet {
		http.Error(w, "This address only receives the sign-out redirect.", http.StatusMethodNotAllowed)
		return
	}
	first := false
	cb.logoutOnce.Do(func() { first = true })
	if !first {
		http.Error(w, "This sign-out has already been handled. You can close this window.", http.StatusGone)
		return
	}
	to := unsure
	if got := r.URL.Query().Get("state"); got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(state)) == 1 {
		cb.loggedOut.Store(true)
		to = next
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// finish records the outcome for a waiting browser, then closes the listener.
// A browser still connected gets its answer: Shutdown waits (briefly) for the
// handler to write it.
func (cb *callback) finish(outcome error) {
	cb.outcome = outcome
	close(cb.settled)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := cb.srv.Shutdown(ctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		cb.srv.Close()
	}
}
