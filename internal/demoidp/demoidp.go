// Package demoidp is a real OpenID Connect provider that runs in-process on
// loopback, for loginshell's --demo mode and for tests of the OIDC client.
//
// It is built on zitadel's op package (github.com/zitadel/oidc/v3/pkg/op), so
// what the shell's client talks to is a conforming provider, not a mock:
// discovery, keys (RS256), the authorization code flow with PKCE, userinfo
// and RP-initiated logout (end_session). Everything lives in memory and dies
// with the Server; each Server makes a signing key of its own.
//
// It knows exactly one client, a PUBLIC native client (RFC 8252): no secret,
// PKCE with S256 required, redirect URIs http://127.0.0.1:<any port>/<any
// path>. A client MUST request the scope "openid" (and "profile", "email" for
// the profile claims), MUST send code_challenge/code_challenge_method=S256 and
// the code_verifier, and SHOULD send and check a nonce; see Options.
//
// The issuer is plain http on a loopback address. That is allowed here and
// nowhere else (op.WithAllowInsecure): this server MUST NOT be used for
// anything but demos and tests. Every authorization request shows the sign-in
// form; there is no single sign-on session to remember.
//
// Start does not make the signing key: it is made when the sign-in form
// is first shown, and only the endpoints that sign or publish with it wait
// for it (see signingKeys).
//
// Parts are adapted from zitadel/oidc's example server
// (example/server/storage and example/server/exampleop, v3.51.17),
// Copyright the zitadel/oidc authors, Apache License 2.0.
package demoidp

import (
	"crypto/rsa"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"loginshell/internal/fault"
)

// ErrInvalidOptions is returned by Start when Options cannot describe a
// working demo provider (no users, a duplicate username, a non-loopback
// address, ...). Detail is wrapped.
var ErrInvalidOptions = fault.New(fault.BadRequest, "invalid demo provider options")

// User is one account of the demo provider. Username is also the subject
// ("sub") and preferred_username of the tokens; Roles becomes the "roles"
// claim and Groups the "groups" claim (JSON arrays): two claims, as
// providers that have both send them, so a client can keep them apart.
type User struct {
	Username string
	Password string
	Name     string
	Email    string
	Roles    []string
	Groups   []string
}

// DemoUsers returns the built-in demo accounts. The passwords are
// deliberately memorable and public (the shell prints them at start-up and
// the README lists them): the accounts exist for a guided tour only.
// Each call returns a fresh slice the caller may change.
func DemoUsers() []User {
	return []User{
		{Username: "operator", Password: "operator-demo", Name: "Olivia Operator",
			Email: "operator@example.com", Roles: []string{"Operator"}, Groups: []string{"Line 4"}},
		{Username: "supervisor", Password: "supervisor-demo", Name: "Sam Supervisor",
			Email: "supervisor@example.com", Roles: []string{"Supervisor", "Operator"}, Groups: []string{"Line 4", "Shift B"}},
		{Username: "qa", Password: "qa-demo", Name: "Quinn QA",
			Email: "qa@example.com", Roles: []string{"QA"}, Groups: []string{"Quality"}},
	}
}

// Options configures Start. The zero value is a working demo provider.
type Options struct {
	// Addr is the TCP address to listen on, default "127.0.0.1:0" (a free
	// port). It MUST be a loopback IP literal: the issuer is plain http.
	Addr string
	// Users are the accounts that can sign in, default DemoUsers().
	Users []User
	// ClientID is the client_id of the one public native client, default
	// "loginshell".
	ClientID string
	// Now is the provider's clock, default time.Now. Tests may skew it to get
	// expired tokens: it decides exp and auth_time of ID tokens, the expiry of
	// access tokens at the userinfo endpoint, and how long a sign-in may take.
	// zitadel stamps iat from the wall clock minus the same offset, so iat is
	// only meaningful with the default clock.
	Now func() time.Time
	// IDTokenLifetime is how long ID tokens and access tokens live, default 5
	// minutes.
	IDTokenLifetime time.Duration
	// Log receives the provider's own events (start, sign-in accepted or
	// refused, by username; never a password or token). Default: discarded.
	// zitadel's op package logs through slog.Default and cannot be redirected
	// per provider.
	Log *slog.Logger

	// generateKey makes the signing key (default generateRSA); tests slow
	// it down.
	generateKey func() (*rsa.PrivateKey, error)
}

// Defaults of Options.
const (
	DefaultAddr            = "127.0.0.1:0"
	DefaultClientID        = "loginshell"
	DefaultIDTokenLifetime = 5 * time.Minute
)

// Server is a running demo provider. Close it when done.
type Server struct {
	issuer   string
	clientID string
	http     *http.Server
	served   chan struct{}
	log      *slog.Logger
}

// Start checks opts, listens on opts.Addr and serves the provider in a
// goroutine until Close.
func Start(opts Options) (*Server, error) {
	opts, err := withDefaults(opts)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("listen for demo provider: %w", err)
	}
	issuer := "http://" + ln.Addr().String()
	handler, err := newHandler(issuer, opts)
	if err != nil {
		_ = ln.Close()
		return nil, err
	}
	s := &Server{
		issuer:   issuer,
		clientID: opts.ClientID,
		http: &http.Server{
			Handler:           handler,
			ReadHeaderTimeout: 10 * time.Second,
		},
		served: make(chan struct{}),
		log:    opts.Log,
	}
	go func() {
		defer close(s.served)
		if err := s.http.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("demo provider stopped", "err", err)
		}
	}()
	usernames := make([]string, 0, len(opts.Users))
	for _, u := range opts.Users {
		usernames = append(usernames, u.Username)
	}
	s.log.Info("demo provider listening", "issuer", issuer, "client_id", opts.ClientID, "users", usernames)
	return s, nil
}

// Issuer is the issuer URL, "http://127.0.0.1:PORT" with the default Addr;
// the discovery document is at Issuer()+"/.well-known/openid-configuration".
func (s *Server) Issuer() string { return s.issuer }

// ClientID is the client_id the shell must use.
func (s *Server) ClientID() string { return s.clientID }

// Close stops listening, drops open connections and waits for the serving
// goroutine to end. Calling it again is harmless.
func (s *Server) Close() error {
	err := s.http.Close()
	<-s.served
	if err != nil {
		return fmt.Errorf("close demo provider: %w", err)
	}
	return nil
}

func withDefaults(opts Options) (Options, error) {
	if opts.Addr == "" {
		opts.Addr = DefaultAddr
	}
	host, _, err := net.SplitHostPort(opts.Addr)
	if err != nil {
		return opts, fmt.Errorf("%w: address %q: %v", ErrInvalidOptions, opts.Addr, err)
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return opts, fmt.Errorf("%w: address %q is not a loopback IP", ErrInvalidOptions, opts.Addr)
	}
	if opts.Users == nil {
		opts.Users = DemoUsers()
	}
	if len(opts.Users) == 0 {
		return opts, fmt.Errorf("%w: no users", ErrInvalidOptions)
	}
	seen := make(map[string]bool, len(opts.Users))
	for _, u := range opts.Users {
		switch {
		case u.Username == "":
			return opts, fmt.Errorf("%w: a user has no username", ErrInvalidOptions)
		case u.Password == "":
			return opts, fmt.Errorf("%w: user %q has no password", ErrInvalidOptions, u.Username)
		case seen[u.Username]:
			return opts, fmt.Errorf("%w: duplicate user %q", ErrInvalidOptions, u.Username)
		}
		seen[u.Username] = true
	}
	if opts.ClientID == "" {
		opts.ClientID = DefaultClientID
	}
	if opts.IDTokenLifetime == 0 {
		opts.IDTokenLifetime = DefaultIDTokenLifetime
	}
	if opts.IDTokenLifetime < 0 {
		return opts, fmt.Errorf("%w: negative token lifetime", ErrInvalidOptions)
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	return opts, nil
}
