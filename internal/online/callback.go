package online

import (
	"context"
	"errors"
	"fmt"
	"html"
	"net"
	"net/http"
	"sync"
	"time"
)

const callbackPath = "/callback"

// redirect is what the provider sent back through the browser.
type redirect struct {
	state, code, errCode, errDesc string
}

// callback is the loopback receiver of one login (RFC 8252 §7.3): it listens
// on 127.0.0.1 on a port the system picks, accepts exactly one GET /callback,
// hands its query to the flow and answers the browser only once the flow has
// an outcome, so the page can say whether the sign-in worked.
type callback struct {
	ln        net.Listener
	srv       *http.Server
	returnURL string

	once    sync.Once     // the first GET /callback wins
	got     chan redirect // buffered 1
	settled chan struct{} // closed by finish
	outcome error         // written before settled is closed
}

func listenCallback(returnURL string) (*callback, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
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
	cb.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go cb.srv.Serve(ln) //nolint:errcheck // returns ErrServerClosed on close
	return cb, nil
}

// redirectURL is the redirect_uri registered with the authorization request.
func (cb *callback) redirectURL() string {
	return "http://" + cb.ln.Addr().String() + callbackPath
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
