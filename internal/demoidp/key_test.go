package demoidp

import (
	"context"
	"crypto/rsa"
	"errors"
	"log/slog"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/oauth2"
	"loginshell/internal/connectivity"
	"loginshell/internal/online"
)

// heldKey is a key generator that makes nothing until release is closed,
// as a loaded machine can take seconds over an RSA key; calls counts how
// often it was asked.
type heldKey struct {
	release chan struct{}
	calls   atomic.Int32
	asked   chan struct{} // closed at the first call
}

func newHeldKey() *heldKey {
	return &heldKey{release: make(chan struct{}), asked: make(chan struct{})}
}

func (h *heldKey) generate() (*rsa.PrivateKey, error) {
	if h.calls.Add(1) == 1 {
		close(h.asked)
	}
	<-h.release
	return generateRSA()
}

// startHeld starts a provider whose key is held, and fails the test if
// Start itself waits for the key.
func startHeld(t *testing.T, h *heldKey) *Server {
	t.Helper()
	started := make(chan *Server, 1)
	go func() {
		srv, err := Start(Options{generateKey: h.generate})
		if err != nil {
			t.Errorf("Start: %v", err)
		}
		started <- srv
	}()
	select {
	case srv := <-started:
		if srv == nil {
			t.FailNow()
		}
		t.Cleanup(func() {
			srv.Close()
		})
		return srv
	case <-time.After(10 * time.Second):
		close(h.release) // let the stuck Start end
		t.Fatal("Start waited for the signing key to be made")
		return nil
	}
}

// The shell decides at start-up whether the login server is reachable
// with one discovery request and a 2-second budget (connectivity.Monitor
// over online.Client.Reachable). A demo provider that held its requests
// until its key was made (as it did when the key was first taken off the
// window's start-up) held that check for as long as the key took, on a
// loaded machine past the budget, and made its answer arrive just as the
// sign-in went on: what exposed the screen's lost change that hung the
// sign-in at "Signing in…" (screen.TestScreenKeepsChangesMadeMeanwhile).
// Discovery, the authorization request and the sign-in form must answer
// while the key is still being made; the token and keys endpoints wait
// for it.
func TestDiscoveryDoesNotWaitForTheKey(t *testing.T) {
	t.Parallel()
	h := newHeldKey()
	srv := startHeld(t, h)

	// The shell's own start-up check, against the provider whose key is
	// still held.
	client, err := online.New(online.Config{Issuer: srv.Issuer(), ClientID: srv.ClientID(), HTTPClient: &http.Client{Timeout: 30 * time.Second},
		Now: time.Now, Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	mon, err := connectivity.NewMonitor(connectivity.MonitorOptions{Probe: client.Reachable, Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer mon.Close()
	if !mon.Check(t.Context()) {
		t.Fatal("the start-up check found the demo provider unreachable while its key was being made")
	}
	if n := h.calls.Load(); n != 0 {
		t.Errorf("discovery asked for the key %d times, want none", n)
	}

	// The authorization request and the sign-in form, key still held.
	r := newRP(t, srv)
	verifier := oauth2.GenerateVerifier()
	resp, page := r.get(r.conf.AuthCodeURL("state-1", oauth2.S256ChallengeOption(verifier)))
	if resp.StatusCode != http.StatusOK || hiddenID(t, page) == "" {
		t.Fatalf("authorize answered %d while the key was held, want the sign-in form", resp.StatusCode)
	}
	// Showing the form starts the key, so it is made while the person types.
	select {
	case <-h.asked:
	case <-time.After(10 * time.Second):
		t.Fatal("showing the sign-in form did not start making the key")
	}

	// The keys endpoint cannot answer without the key.
	keys := make(chan int, 1)
	go func() {
		resp, err := r.browser.Get(srv.Issuer() + "/keys")
		if err != nil {
			keys <- 0
			return
		}
		resp.Body.Close()
		keys <- resp.StatusCode
	}()
	select {
	case st := <-keys:
		t.Fatalf("the keys endpoint answered %d before the key was made", st)
	case <-time.After(100 * time.Millisecond):
	}
	close(h.release)
	if st := <-keys; st != http.StatusOK {
		t.Errorf("the keys endpoint answered %d once the key was made, want 200", st)
	}

	// And the sign-in goes through with that one key: signed, published, verified.
	resp, body := r.submit(resp.Request.URL, page, "operator", "operator-demo")
	q := resp.Request.URL.Query()
	if q.Get("code") == "" {
		t.Fatalf("sign-in ended at %s:\n%s", resp.Request.URL, body)
	}
	tok, err := r.exchange(q.Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	rawID, _ := tok.Extra("id_token").(string)
	if _, err := r.verifier(nil).Verify(r.ctx, rawID); err != nil {
		t.Fatalf("verify ID token: %v", err)
	}
	if n := h.calls.Load(); n != 1 {
		t.Errorf("the key was made %d times, want once", n)
	}
}

func TestSigningKeys(t *testing.T) {
	t.Parallel()
	boom := errors.New("no entropy")
	tests := []struct {
		name     string
		generate func(release <-chan struct{}) (*rsa.PrivateKey, error)
		cancel   bool
		want     error
	}{
		{"made once asked", func(<-chan struct{}) (*rsa.PrivateKey, error) { return generateRSA() }, false, nil},
		{"a failure is the caller's error", func(<-chan struct{}) (*rsa.PrivateKey, error) { return nil, boom }, false, boom},
		{"a caller that stops waiting gets its context's error", func(release <-chan struct{}) (*rsa.PrivateKey, error) {
			<-release
			return nil, boom
		}, true, context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			release := make(chan struct{})
			defer close(release)
			k := newSigningKeys(func() (*rsa.PrivateKey, error) { return tt.generate(release) })
			ctx, cancel := context.WithCancel(t.Context())
			if tt.cancel {
				cancel()
			}
			defer cancel()
			key, err := k.get(ctx)
			if !errors.Is(err, tt.want) {
				t.Fatalf("get = %v, want %v", err, tt.want)
			}
			if tt.want == nil {
				if key == nil || key.N.BitLen() != 2048 {
					t.Fatalf("get returned %v, want an RSA-2048 key", key)
				}
				if again, _ := k.get(ctx); again != key {
					t.Error("a second get made another key")
				}
			}
		})
	}
}
