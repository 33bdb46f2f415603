package online

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// errLoginTimeout is the cause Login's own deadline cancels with, so a
// timeout can be told apart from the caller cancelling.
var errLoginTimeout = errors.New("online login deadline")

// Login runs one authorization code login and returns the signed-in profile.
//
// It discovers the issuer (cached after the first success), listens on
// http://127.0.0.1:<port>/callback (Config.RedirectPort, or a port the
// system picks), builds the authorization URL with PKCE S256, a random
// state and nonce, prompt and max_age, and first sends the same request
// from the shell itself (probe) so that a provider refusing it outright is
// reported (ErrRequestRefused) instead of stranding the person on an error
// page. It then calls open(ctx, authURL) in its own goroutine to show it:
// open may return at once (navigate a window) or block (a test browser),
// and must return when ctx is done; Login does not wait for it. If open
// fails, Login returns its error at once. Login then waits for the
// redirect, checks state, exchanges the code with the verifier
// (authenticating the client as discovery says, see endpoint), verifies
// the ID token (signature, issuer, audience, expiry by Config.Now, nonce,
// at_hash, auth_time against MaxAge), merges the userinfo claims and maps
// them to the profile. The listener is closed before Login returns.
//
// Errors match one of ErrUnreachable, ErrDiscovery, ErrConfig,
// ErrRedirectPort, ErrRequestRefused, ErrDenied, ErrState, ErrNonce,
// ErrTokenRejected, ErrTimeout, ErrCancelled with errors.Is (an open
// failure is returned wrapped as is); their text is safe to show.
func (c *Client) Login(ctx context.Context, open func(ctx context.Context, authURL string) error) (Session, error) {
	s, _, err := c.run(ctx, open, attempt{})
	return s, err
}

// attempt is what a Provider asks of one login beyond the Config.
type attempt struct {
	// endSession, if set, is the session of the previous person: the
	// provider's end-session page (RP-initiated logout, with id_token_hint
	// and post_logout_redirect_uri .../logged-out) is shown first, and the
	// loopback listener sends the browser on to the authorization request
	// from there. Ignored when discovery has no end_session_endpoint.
	endSession *Session
	// forcePrompt adds prompt=login to the authorization request: the
	// provider may still hold the previous person's session. With an
	// end-session page it applies only when the provider does not confirm
	// the logout.
	forcePrompt bool
	// freshOnly adds max_age=0 as well (an electronic signature with
	// force): no earlier sign-in may stand in for this one.
	freshOnly bool
	// returned, if set, runs once the provider's page was shown and the
	// login is done with it, whatever the outcome, before the listener
	// answers the browser: the shell's screen moves on before the browser
	// comes back to it.
	returned func()
}

// result is what one login did besides its session or error.
type result struct {
	// shown: open was called, the provider's page was (or is) on screen.
	shown bool
	// loggedOut: the provider's end-session page came back to
	// /logged-out with this login's state.
	loggedOut bool
}

func (c *Client) run(ctx context.Context, open func(context.Context, string) error, a attempt) (Session, result, error) {
	if open == nil {
		return Session{}, result{}, fmt.Errorf("%w: no way to open the login page", ErrConfig)
	}
	ctx, cancel := context.WithTimeoutCause(ctx, c.cfg.Timeout, errLoginTimeout)
	defer cancel()
	s, res, err := c.login(ctx, open, a)
	if err != nil {
		err = c.ctxError(ctx, err)
		// A cancel is the person's choice or the shell closing, not a fault.
		level := slog.LevelWarn
		if errors.Is(err, ErrCancelled) {
			level = slog.LevelInfo
		}
		c.cfg.Log.Log(context.Background(), level, "online login failed", "issuer", c.cfg.Issuer, "error", err.Error(), "cause", causeText(err))
		return Session{}, res, err
	}
	c.cfg.Log.Info("online login succeeded", "issuer", c.cfg.Issuer, "username", s.Profile.Username)
	return s, res, nil
}

func (c *Client) login(ctx context.Context, open func(context.Context, string) error, a attempt) (Session, result, error) {
	provider, err := c.discover(ctx)
	if err != nil {
		return Session{}, result{}, err
	}
	ep, err := c.endpoint(provider)
	if err != nil {
		return Session{}, result{}, err
	}
	cb, err := listenCallback(c.cfg.RedirectPort, c.cfg.ReturnURL)
	if err != nil {
		return Session{}, result{}, err
	}
	var res result
	s, err := c.await(ctx, provider, ep, cb, open, a, &res)
	if res.shown && a.returned != nil {
		a.returned()
	}
	res.loggedOut = cb.loggedOut.Load()
	cb.finish(c.ctxError(ctx, err))
	return s, res, err
}

// await shows the login page, waits for the redirect and completes the login.
func (c *Client) await(ctx context.Context, provider *oidc.Provider, ep oauth2.Endpoint, cb *callback,
	open func(context.Context, string) error, a attempt, res *result) (Session, error) {
	oc := &oauth2.Config{
		ClientID:     c.cfg.ClientID,
		ClientSecret: c.cfg.ClientSecret,
		Endpoint:     ep,
		RedirectURL:  cb.redirectURL(),
		Scopes:       c.cfg.Scopes,
	}
	state, nonce, verifier := randomToken(), randomToken(), oauth2.GenerateVerifier()
	authURL := c.authCodeURL(oc, state, nonce, verifier, false)
	withLogin := c.authCodeURL(oc, state, nonce, verifier, true)
	if err := c.probe(ctx, oc, cb.redirectURL()); err != nil {
		return Session{}, err
	}
	first := authURL
	if a.forcePrompt {
		first = withLogin
	}
	if a.freshOnly {
		first = withParam(first, "max_age", "0")
	}
	if a.endSession != nil {
		logoutState := randomToken()
		if u, ok := c.endSessionURL(*a.endSession, cb.loggedOutURL(), logoutState); ok {
			cb.chain(logoutState, authURL, withLogin)
			first = u
		} else {
			first = withLogin // no end-session: the previous session may live on
		}
	}

	opened := make(chan error, 1)
	res.shown = true
	go func() { opened <- open(ctx, first) }()
	var rd redirect
	for got := false; !got; {
		select {
		case rd = <-cb.got:
			got = true
		case err := <-opened:
			if err != nil {
				return Session{}, fmt.Errorf("open the login page: %w", err)
			}
			opened = nil // shown; keep waiting for the redirect
		case <-ctx.Done():
			return Session{}, ctx.Err()
		}
	}

	if subtle.ConstantTimeCompare([]byte(rd.state), []byte(state)) != 1 {
		return Session{}, ErrState
	}
	if rd.errCode != "" {
		return Session{}, denied(rd.errCode, rd.errDesc)
	}
	if rd.code == "" {
		return Session{}, fail(ErrTokenRejected, nil, "the login server redirected back without an authorization code; try again")
	}
	return c.complete(ctx, provider, oc, rd.code, verifier, nonce)
}

// authCodeURL is the authorization request, with prompt=login added to
// the configured prompt when login is set.
func (c *Client) authCodeURL(oc *oauth2.Config, state, nonce, verifier string, login bool) string {
	opts := []oauth2.AuthCodeOption{oauth2.S256ChallengeOption(verifier), oidc.Nonce(nonce)}
	prompt := c.cfg.Prompt
	if login {
		prompt = promptLogin(prompt)
	}
	if prompt != "" {
		opts = append(opts, oauth2.SetAuthURLParam("prompt", prompt))
	}
	if c.cfg.MaxAge > 0 {
		opts = append(opts, oauth2.SetAuthURLParam("max_age", strconv.FormatInt(int64(c.cfg.MaxAge.Seconds()), 10)))
	}
	return oc.AuthCodeURL(state, opts...)
}

// withParam returns u with the query parameter k set to v.
func withParam(u, k, v string) string {
	p, err := url.Parse(u)
	if err != nil {
		return u
	}
	q := p.Query()
	q.Set(k, v)
	p.RawQuery = q.Encode()
	return p.String()
}

// promptLogin adds "login" to a prompt value (space-separated, OpenID
// Connect Core §3.1.2.1); "none" cannot go with it and gives way.
func promptLogin(prompt string) string {
	var out []string
	for _, p := range strings.Fields(prompt) {
		if p == "login" || p == "none" {
			continue
		}
		out = append(out, p)
	}
	return strings.Join(append(out, "login"), " ")
}

// denied is the error of a redirect carrying error=...
func denied(code, desc string) error {
	msg := "the login server refused the sign-in: " + printable(code, 64)
	if d := printable(desc, 200); d != "" {
		msg += " (" + d + ")"
	}
	return fail(ErrDenied, nil, "%s", msg)
}

// complete exchanges the code, verifies the ID token and builds the session.
func (c *Client) complete(ctx context.Context, provider *oidc.Provider, oc *oauth2.Config, code, verifier, nonce string) (Session, error) {
	// Both libraries take the HTTP client from the context; there is no
	// other way to hand it to them.
	ctx = oidc.ClientContext(context.WithValue(ctx, oauth2.HTTPClient, c.cfg.HTTPClient), c.cfg.HTTPClient)

	tok, err := oc.Exchange(ctx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		return Session{}, exchangeError(err)
	}
	rawID, _ := tok.Extra("id_token").(string)
	if rawID == "" {
		return Session{}, fail(ErrTokenRejected, nil, "the login server returned no ID token; check that the client may use the openid scope")
	}
	idt, err := provider.VerifierContext(ctx, &oidc.Config{ClientID: c.cfg.ClientID, Now: c.cfg.Now}).Verify(ctx, rawID)
	if err != nil {
		var expired *oidc.TokenExpiredError
		if errors.As(err, &expired) {
			return Session{}, fail(ErrTokenRejected, err,
				"the login server's ID token has expired (at %s); check this computer's clock",
				expired.Expiry.UTC().Format("2006-01-02 15:04:05 MST"))
		}
		if ctx.Err() != nil {
			return Session{}, ctx.Err()
		}
		return Session{}, fail(ErrTokenRejected, err, "the login server's ID token is invalid (signature, issuer or audience); check login_url and the client id")
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(nonce)) != 1 {
		return Session{}, ErrNonce
	}
	if idt.AccessTokenHash != "" {
		if err := idt.VerifyAccessToken(tok.AccessToken); err != nil {
			return Session{}, fail(ErrTokenRejected, err, "the login server's access token does not match its ID token")
		}
	}
	cl, err := readClaims(idt)
	if err != nil {
		return Session{}, err
	}
	if err := c.checkAuthTime(cl); err != nil {
		return Session{}, err
	}
	if provider.UserInfoEndpoint() != "" {
		ui, err := provider.UserInfo(ctx, oauth2.StaticTokenSource(tok))
		switch {
		case err == nil:
			if err := cl.merge(ui); err != nil {
				return Session{}, err
			}
		case ctx.Err() != nil:
			return Session{}, ctx.Err()
		default:
			// The signed ID token already proves who this is; userinfo only
			// adds detail, so its failure is logged, not fatal.
			c.cfg.Log.Warn("online login: userinfo unavailable, using ID token claims only", "issuer", c.cfg.Issuer, "cause", printable(err.Error(), 300))
		}
	}
	sess := Session{Profile: cl.profile(c.cfg.RolesClaim, c.cfg.GroupsClaim, c.cfg.Issuer, c.cfg.Now()), idToken: rawID}
	if cl.std.AuthTime != nil {
		at := time.Unix(*cl.std.AuthTime, 0)
		sess.authTime = &at
	}
	return sess, nil
}

// exchangeError describes a failed code exchange without the server's body,
// which could echo what we sent.
func exchangeError(err error) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		detail := "HTTP " + strconv.Itoa(re.Response.StatusCode)
		if re.ErrorCode != "" {
			detail = printable(re.ErrorCode, 64)
		}
		return fail(ErrTokenRejected, errors.New("token endpoint: "+detail),
			"the login server refused to exchange the authorization code (%s); try again", detail)
	}
	if isTransport(err) {
		return fail(ErrTokenRejected, err, "the login server's token endpoint cannot be reached; check the network and try again")
	}
	return fail(ErrTokenRejected, err, "the login server's token answer is invalid")
}

// ctxError turns a failure caused by the context ending into ErrTimeout or
// ErrCancelled; other errors pass through.
func (c *Client) ctxError(ctx context.Context, err error) error {
	if err == nil || ctx.Err() == nil {
		return err
	}
	if errors.Is(err, ErrTimeout) || errors.Is(err, ErrCancelled) {
		return err
	}
	if context.Cause(ctx) == errLoginTimeout {
		return timedOut(c.cfg.Timeout, context.DeadlineExceeded)
	}
	return fail(ErrCancelled, context.Cause(ctx), "")
}

// causeText is the log detail behind a loginError, shortened: causes are
// token-free (see exchangeError) but may quote a server's error page.
func causeText(err error) string {
	var le *loginError
	if errors.As(err, &le) && le.cause != nil {
		return printable(le.cause.Error(), 300)
	}
	return ""
}

// randomToken returns 256 random bits, base64url: unguessable state and nonce.
func randomToken() string {
	b := make([]byte, 32)
	rand.Read(b) // never fails (crypto/rand panics instead)
	return base64.RawURLEncoding.EncodeToString(b)
}
