// Package strict is an OpenID Connect provider for tests that behaves like
// the strict, cookie-session providers plants run, where the demo provider
// (internal/demoidp, on zitadel's op) is permissive. It reproduces what an
// independent provider from Debian showed on loopback:
//
//   - Redirect URIs are compared exactly, byte for byte, with the
//     registered ones (RFC 6749 §3.1.2.3's simple string comparison; no
//     RFC 8252 §7.3 port exception). A mismatch answers the authorization
//     request with a bare 403: no redirect, nothing a client could read.
//   - A password sign-in starts a cookie session in the browser. The next
//     authorization request of that browser is approved without a password
//     unless it carries prompt=login, max_age=0, or a max_age the session is
//     older than.
//   - The session ends only through the browser: GET end_session with the
//     session's cookie (RP-initiated logout), then a redirect to a
//     registered post_logout_redirect_uri with the state. A back-channel GET
//     without the cookie ends nothing.
//   - The one client is public by default: it authenticates at the token
//     endpoint with client_id in the body. A Basic header from a public
//     client is refused with 401 invalid_client.
//
// It records what it received (authorization requests, token requests,
// end-session requests) for tests to assert on. It is written by hand with
// the standard library and go-jose, because op's own redirect matching
// ignores loopback ports and its end_session ends sessions from a
// back-channel id_token_hint: exactly the leniencies this provider exists
// to refuse. It is imported by tests only (internal/arch checks it) and
// MUST NOT serve anything but tests: it listens on plain http on loopback.
package strict

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// User is an account of the provider.
type User struct {
	Username, Password, Name, Email string
	Roles                           []string
}

// Alice is the default account: the one the provider was tried with.
func Alice() User {
	return User{Username: "alice", Password: "alice-password", Name: "Alice Example",
		Email: "alice@example.com", Roles: []string{"Operator"}}
}

// Options configure Start. The zero value is a public client "loginshell"
// with no registered redirect URI (Register adds them) and the user Alice.
type Options struct {
	// ClientID defaults to "loginshell".
	ClientID string
	// ClientSecret makes the client confidential; "" is a public client.
	ClientSecret string
	// RedirectURIs and PostLogoutRedirectURIs are the registration,
	// compared exactly. Register replaces them later.
	RedirectURIs, PostLogoutRedirectURIs []string
	// AuthMethods is token_endpoint_auth_methods_supported, and what the
	// token endpoint accepts: default ["none"] for a public client,
	// ["client_secret_basic"] for a confidential one.
	AuthMethods []string
	// NoEndSession leaves end_session_endpoint out of discovery (and
	// serves no end-session endpoint): a provider without RP-initiated
	// logout.
	NoEndSession bool
	// ZeroAuthTime reports auth_time 0 in every ID token, as one provider
	// does; max_age cannot be checked against it.
	ZeroAuthTime bool
	// Users default to [Alice()].
	Users []User
	// Now is the provider's clock, default time.Now.
	Now func() time.Time
}

// Paths of the provider's endpoints.
const (
	pathDiscovery  = "/.well-known/openid-configuration"
	pathAuthorize  = "/authorize"
	pathLogin      = "/login"
	pathToken      = "/token"
	pathKeys       = "/keys"
	pathEndSession = "/end_session"
	cookieName     = "strict_sid"
	tokenLifetime  = 5 * time.Minute
)

// Server is a running provider. Close it when done.
type Server struct {
	opts   Options
	issuer string
	srv    *http.Server
	served chan struct{}
	signer jose.Signer
	jwks   jose.JSONWebKeySet

	mu         sync.Mutex
	redirects  []string
	postLogout []string
	pending    map[string]*authRequest // by id, waiting for the password
	codes      map[string]*authRequest // by code, waiting for the token request
	sessions   map[string]session      // by cookie value
	authz      []Authorization
	tokens     []TokenRequest
	logouts    []Logout
}

// session is a browser signed in with a password.
type session struct {
	user     User
	authTime time.Time
}

// Start listens on 127.0.0.1 on a free port and serves until Close.
func Start(opts Options) (*Server, error) {
	if opts.ClientID == "" {
		opts.ClientID = "loginshell"
	}
	if len(opts.AuthMethods) == 0 {
		opts.AuthMethods = []string{"none"}
		if opts.ClientSecret != "" {
			opts.AuthMethods = []string{"client_secret_basic"}
		}
	}
	if opts.Users == nil {
		opts.Users = []User{Alice()}
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate the signing key: %w", err)
	}
	kid := rand.Text()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: key},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", kid))
	if err != nil {
		return nil, fmt.Errorf("signer: %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	s := &Server{
		opts:       opts,
		issuer:     "http://" + ln.Addr().String(),
		served:     make(chan struct{}),
		signer:     signer,
		jwks:       jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, KeyID: kid, Algorithm: string(jose.ES256), Use: "sig"}}},
		redirects:  slices.Clone(opts.RedirectURIs),
		postLogout: slices.Clone(opts.PostLogoutRedirectURIs),
		pending:    map[string]*authRequest{},
		codes:      map[string]*authRequest{},
		sessions:   map[string]session{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+pathDiscovery, s.discovery)
	mux.HandleFunc("GET "+pathKeys, s.keys)
	mux.HandleFunc("GET "+pathAuthorize, s.authorize)
	mux.HandleFunc("POST "+pathLogin, s.login)
	mux.HandleFunc("POST "+pathToken, s.token)
	if !opts.NoEndSession {
		mux.HandleFunc("GET "+pathEndSession, s.endSession)
	}
	s.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		defer close(s.served)
		_ = s.srv.Serve(ln)
	}()
	return s, nil
}

// Issuer is http://127.0.0.1:PORT.
func (s *Server) Issuer() string { return s.issuer }

// Close stops the provider and waits for it.
func (s *Server) Close() {
	s.srv.Close()
	<-s.served
}

// Register replaces the registered redirect and post-logout redirect URIs
// (a test knows the port only once it has picked it).
func (s *Server) Register(redirects, postLogout []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.redirects, s.postLogout = slices.Clone(redirects), slices.Clone(postLogout)
}

// Authorization is one authorization request as the provider saw it.
type Authorization struct {
	RedirectURI string
	Prompt      string
	MaxAge      string
	// Outcome: "refused" (bare 403), "error" (redirected back with
	// error=), "password" (the sign-in form was shown) or "session"
	// (approved from the browser's session, no password asked).
	Outcome string
}

// TokenRequest is one request to the token endpoint: how the client
// authenticated and what the provider answered. No secret or code is kept.
type TokenRequest struct {
	// BasicAuth: the request carried an Authorization: Basic header.
	BasicAuth bool
	// BodyClientID is client_id from the body, "" if absent.
	BodyClientID string
	// BodySecret: client_secret was in the body.
	BodySecret bool
	Status     int
}

// Logout is one request to the end-session endpoint.
type Logout struct {
	// Cookie: the request carried the browser's session cookie.
	Cookie bool
	// IDTokenHint: id_token_hint was sent and is one this provider signed.
	IDTokenHint bool
	// Ended: a session was ended by this request.
	Ended bool
	// PostLogoutRedirectURI as requested; Outcome is "redirected",
	// "refused" (not registered: 400) or "signed out" (no URI: a page).
	PostLogoutRedirectURI string
	Outcome               string
}

// Authorizations returns the authorization requests received so far.
func (s *Server) Authorizations() []Authorization {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.authz)
}

// TokenRequests returns the token requests received so far.
func (s *Server) TokenRequests() []TokenRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.tokens)
}

// Logouts returns the end-session requests received so far.
func (s *Server) Logouts() []Logout {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.logouts)
}

func (s *Server) discovery(w http.ResponseWriter, _ *http.Request) {
	d := map[string]any{
		"issuer":                                s.issuer,
		"authorization_endpoint":                s.issuer + pathAuthorize,
		"token_endpoint":                        s.issuer + pathToken,
		"jwks_uri":                              s.issuer + pathKeys,
		"response_types_supported":              []string{"code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{string(jose.ES256)},
		"code_challenge_methods_supported":      []string{"S256"},
		"token_endpoint_auth_methods_supported": s.opts.AuthMethods,
		"scopes_supported":                      []string{"openid", "profile", "email"},
	}
	if !s.opts.NoEndSession {
		d["end_session_endpoint"] = s.issuer + pathEndSession
	}
	writeJSON(w, http.StatusOK, d)
}

func (s *Server) keys(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, s.jwks)
}

func (s *Server) record(a Authorization) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.authz = append(s.authz, a)
}

// sessionOf returns the browser's session, if its cookie names one.
func (s *Server) sessionOf(r *http.Request) (string, session, bool) {
	c, err := r.Cookie(cookieName)
	if err != nil {
		return "", session{}, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sess, ok := s.sessions[c.Value]
	return c.Value, sess, ok
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

var errNoUser = errors.New("wrong username or password")

func (s *Server) user(username, password string) (User, error) {
	for _, u := range s.opts.Users {
		if u.Username == username && u.Password == password {
			return u, nil
		}
	}
	return User{}, errNoUser
}
