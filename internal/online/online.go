// Package online signs a person in at the organisation's OpenID Connect
// provider (the user setting login_url): the authorization code flow with
// PKCE (S256), state and nonce, receiving the redirect on a loopback listener
// http://127.0.0.1:<port>/callback as RFC 8252 §7.3 prescribes for native
// apps. The protocol work is done by golang.org/x/oauth2 and
// github.com/coreos/go-oidc/v3; this package wires them, checks what they
// leave to the caller (state, nonce, auth_time) and maps claims to a
// user.Profile.
//
// It is written for the providers plants run, not only permissive ones:
//
//   - The port is random by default (RFC 8252 §7.3), or fixed with
//     redirect_port for providers that compare redirect URIs exactly; the
//     listener's paths (/callback, /logged-out) never change, so a fixed
//     port means two URIs registered once.
//   - Before the provider's page is shown, the shell sends the same
//     authorization request itself (probe): a provider that refuses it is
//     reported with what to register, not left on screen.
//   - The token request authenticates the client the way discovery says
//     (token_endpoint_auth_methods_supported), never by trial.
//   - Logout ends the provider's session through the browser that holds
//     it (RP-initiated logout), at the next sign-in; see Provider.
//
// How the provider's page is shown (the embedded window, the browser tab
// of the serve mode, or the system browser) is the caller's choice: Login
// hands the URL to an open function. The caller also owes the person a way
// back from that page (a menu, the browser's Back), which cancels the
// login's context.
package online

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
	"loginshell/internal/fault"
	"loginshell/internal/user"
)

// Defaults applied by New to zero Config fields.
const (
	DefaultTimeout = 5 * time.Minute
	// reachTimeout bounds one Reachable call whatever the caller's context
	// allows: a login server slower than this to serve its discovery
	// document is of no use to a person waiting to sign in.
	reachTimeout = 2 * time.Second
)

// DefaultScopes are requested when Config.Scopes is empty.
func DefaultScopes() []string { return []string{oidc.ScopeOpenID, "profile", "email"} }

// Config describes one OpenID Connect client. HTTPClient, Now and Log are
// required: the engine never falls back to http.DefaultClient or the wall
// clock, so tests and the shell decide both.
type Config struct {
	// Issuer is the user setting login_url: the OpenID issuer, matched
	// exactly (trailing slash included) against the discovery document and
	// the ID token's iss. It must be https unless the host is loopback or
	// InsecureAllowHTTP is set.
	Issuer string
	// ClientID is the client registered at the provider for this shell.
	ClientID string
	// ClientSecret is optional: set only for confidential clients. A desktop
	// app cannot keep a secret, so public clients with PKCE are the norm.
	ClientSecret string
	// Scopes to request; empty means DefaultScopes. "openid" is added if
	// missing.
	Scopes []string
	// RolesClaim names the claim holding the person's roles (a string or an
	// array of strings). Empty means "roles", then "groups".
	RolesClaim string
	// GroupsClaim names the claim holding the person's groups (a string
	// or an array of strings), which a signature's {group:X} compares.
	// Empty means "groups". Groups come from this claim only, never from
	// the roles.
	GroupsClaim string
	// Prompt is passed through as the prompt parameter (e.g. "login" to force
	// the password page even when the provider has a session).
	Prompt string
	// MaxAge, when > 0, is passed as max_age and the ID token's auth_time, if
	// present, must be no older than it (with one minute of clock leeway).
	MaxAge time.Duration
	// Timeout bounds a whole login, the person typing included; zero means
	// DefaultTimeout.
	Timeout time.Duration
	// RedirectPort, when not 0, is the port of the loopback redirect
	// http://127.0.0.1:<RedirectPort>/callback (and of the post-logout
	// redirect .../logged-out): for providers that compare redirect URIs
	// exactly, where it is registered once. 0 lets the system pick a free
	// port at each login (RFC 8252 §7.3), which only providers that ignore
	// the port of loopback redirect URIs admit.
	RedirectPort int
	// ReturnURL is where the loopback callback sends the browser (303) once
	// the login has succeeded or failed, e.g. the shell's own page in the
	// embedded window. Empty shows a small "you can close this window" page,
	// the right thing for the system browser.
	ReturnURL string
	// HTTPClient carries every request to the provider (discovery, JWKS,
	// token, userinfo, connectivity checks). Required.
	HTTPClient *http.Client
	// Now is the clock for ID token expiry and auth_time. Required.
	Now func() time.Time
	// Log receives one line per login outcome; never tokens or codes.
	// Required.
	Log *slog.Logger
	// InsecureAllowHTTP accepts a plain http issuer on a non-loopback host.
	// It MUST NOT be set in production: tokens and codes would cross the
	// network in clear text.
	InsecureAllowHTTP bool
}

// Client runs logins against one provider. It is safe for concurrent use;
// the discovery document is fetched on the first successful login and kept.
type Client struct {
	cfg Config

	mu        sync.Mutex
	provider  *oidc.Provider
	endSess   string   // end_session_endpoint from discovery, "" if none
	authMeths []string // token_endpoint_auth_methods_supported from discovery
}

// Session is the result of a successful Login. The raw ID token stays in
// memory, unexported, only to serve as id_token_hint for EndSessionURL.
type Session struct {
	Profile  user.Profile
	idToken  string
	authTime *time.Time // the ID token's auth_time, if it had one
}

// New validates cfg and applies defaults. It does no network I/O, so a shell
// can be built while offline.
func New(cfg Config) (*Client, error) {
	switch {
	case cfg.HTTPClient == nil:
		return nil, fault.Detail(ErrConfig, "an HTTP client is required")
	case cfg.Now == nil:
		return nil, fault.Detail(ErrConfig, "a clock is required")
	case cfg.Log == nil:
		return nil, fault.Detail(ErrConfig, "a logger is required")
	case cfg.ClientID == "":
		return nil, fault.Detail(ErrConfig, "the OpenID client id is empty")
	case cfg.Timeout < 0 || cfg.MaxAge < 0:
		return nil, fault.Detail(ErrConfig, "timeout and max_age must not be negative")
	case cfg.RedirectPort < 0 || cfg.RedirectPort > 65535:
		return nil, fault.Detail(ErrConfig, "redirect_port %d is not a port (1 to 65535, or 0 for a random port)", cfg.RedirectPort)
	}
	if err := checkIssuer(cfg.Issuer, cfg.InsecureAllowHTTP); err != nil {
		return nil, err
	}
	if cfg.ReturnURL != "" {
		u, err := url.Parse(cfg.ReturnURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fault.Detail(ErrConfig, "the return URL %q is not an absolute http(s) URL", cfg.ReturnURL)
		}
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	if len(cfg.Scopes) == 0 {
		cfg.Scopes = DefaultScopes()
	} else {
		cfg.Scopes = slices.Clone(cfg.Scopes)
	}
	if !slices.Contains(cfg.Scopes, oidc.ScopeOpenID) {
		cfg.Scopes = append([]string{oidc.ScopeOpenID}, cfg.Scopes...)
	}
	return &Client{cfg: cfg}, nil
}

func checkIssuer(issuer string, allowHTTP bool) error {
	u, err := url.Parse(issuer)
	if err != nil || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return fault.Detail(ErrConfig, "login_url %q is not an absolute URL without query", issuer)
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if allowHTTP || isLoopback(u.Hostname()) {
			return nil
		}
		return fault.Detail(ErrConfig, "login_url %q must use https", issuer)
	default:
		return fault.Detail(ErrConfig, "login_url %q must be an https URL", issuer)
	}
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Issuer returns the configured issuer (login_url).
func (c *Client) Issuer() string { return c.cfg.Issuer }

// discover returns the provider, fetching the discovery document on first
// use. Only a successful discovery is cached, so a login that failed because
// the IdP was down retries discovery next time.
func (c *Client) discover(ctx context.Context) (*oidc.Provider, error) {
	c.mu.Lock()
	p := c.provider
	c.mu.Unlock()
	if p != nil {
		return p, nil
	}
	// go-oidc takes its HTTP client from the context; the provider keeps it
	// for later JWKS fetches.
	p, err := oidc.NewProvider(oidc.ClientContext(ctx, c.cfg.HTTPClient), c.cfg.Issuer)
	if err != nil {
		if isTransport(err) {
			return nil, unreachable(c.cfg.Issuer, err)
		}
		return nil, fail(ErrDiscovery, err, "the login server at %s did not publish a valid OpenID configuration; check login_url", c.cfg.Issuer)
	}
	var meta struct {
		AuthURL     string   `json:"authorization_endpoint"`
		TokenURL    string   `json:"token_endpoint"`
		JWKSURL     string   `json:"jwks_uri"`
		EndSession  string   `json:"end_session_endpoint"`
		AuthMethods []string `json:"token_endpoint_auth_methods_supported"`
	}
	if err := p.Claims(&meta); err != nil || meta.AuthURL == "" || meta.TokenURL == "" || meta.JWKSURL == "" {
		return nil, fail(ErrDiscovery, err, "the OpenID configuration of %s lacks the authorization, token or key endpoint; check login_url", c.cfg.Issuer)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.provider == nil {
		c.provider, c.endSess, c.authMeths = p, meta.EndSession, meta.AuthMethods
	}
	return c.provider, nil
}

// endpoint is the provider's OAuth endpoint with the client authentication
// discovery announces (token_endpoint_auth_methods_supported), decided
// once instead of tried: oauth2's AuthStyleAutoDetect sends a Basic header
// first and retries with the client id in the body, so a strict provider
// refuses (and logs) the first token request of every login.
//
//   - A public client (no secret) sends client_id in the body
//     (token_endpoint_auth_method "none", RFC 6749 §3.2.1): it has no
//     secret to put in a Basic header.
//   - A confidential client uses client_secret_basic when discovery lists
//     it or lists nothing (OpenID Connect Discovery's default), else
//     client_secret_post; a provider that lists neither (private_key_jwt
//     only, say) is refused with ErrConfig before anything is sent.
func (c *Client) endpoint(p *oidc.Provider) (oauth2.Endpoint, error) {
	c.mu.Lock()
	methods := c.authMeths
	c.mu.Unlock()
	ep := p.Endpoint()
	switch {
	case c.cfg.ClientSecret == "":
		ep.AuthStyle = oauth2.AuthStyleInParams
	case len(methods) == 0 || slices.Contains(methods, "client_secret_basic"):
		ep.AuthStyle = oauth2.AuthStyleInHeader
	case slices.Contains(methods, "client_secret_post"):
		ep.AuthStyle = oauth2.AuthStyleInParams
	default:
		return ep, fail(ErrConfig, nil, "the login server at %s accepts none of the ways the shell can send a client secret (client_secret_basic, client_secret_post); register the shell as a public client (PKCE, no secret) and clear client_secret", c.cfg.Issuer)
	}
	return ep, nil
}

// isTransport reports whether err is a failure to talk to the server at all,
// as opposed to an answer we did not like.
func isTransport(err error) bool {
	var ue *url.Error
	var ne net.Error
	return errors.As(err, &ue) || errors.As(err, &ne)
}
