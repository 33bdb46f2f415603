package online

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// errLoginTimeout is the cause Login's own deadline cancels with, so a
// timeout can be told apart from the caller cancelling.
var errLoginTimeout = errors.New("online login deadline")

// Login runs one authorization code login and returns the signed-in profile.
//
// It discovers the issuer (cached after the first success), listens on
// http://127.0.0.1:<random port>/callback, builds the authorization URL with
// PKCE S256, a random state and nonce, prompt and max_age, and calls
// open(ctx, authURL) in its own goroutine to show it: open may return at
// once (navigate a window) or block (a test browser), and must return when
// ctx is done; Login does not wait for it. If open fails, Login returns its
// error at once. Login then waits for the redirect, checks state, exchanges
// the code with the verifier, verifies the ID token (signature, issuer,
// audience, expiry by Config.Now, nonce, at_hash, auth_time against MaxAge),
// merges the userinfo claims and maps them to the profile. The listener is
// closed before Login returns.
//
// Errors match one of ErrUnreachable, ErrDiscovery, ErrDenied, ErrState,
// ErrNonce, ErrTokenRejected, ErrTimeout, ErrCancelled with errors.Is (an
// open failure is returned wrapped as is); their text is safe to show.
func (c *Client) Login(ctx context.Context, open func(ctx context.Context, authURL string) error) (Session, error) {
	if open == nil {
		return Session{}, fmt.Errorf("%w: no way to open the login page", ErrConfig)
	}
	ctx, cancel := context.WithTimeoutCause(ctx, c.cfg.Timeout, errLoginTimeout)
	defer cancel()
	s, err := c.login(ctx, open)
	if err != nil {
		err = c.ctxError(ctx, err)
		c.cfg.Log.Warn("online login failed", "issuer", c.cfg.Issuer, "error", err.Error(), "cause", causeText(err))
		return Session{}, err
	}
	c.cfg.Log.Info("online login succeeded", "issuer", c.cfg.Issuer, "username", s.Profile.Username)
	return s, nil
}

func (c *Client) login(ctx context.Context, open func(context.Context, string) error) (Session, error) {
	provider, err := c.discover(ctx)
	if err != nil {
		return Session{}, err
	}
	cb, err := listenCallback(c.cfg.ReturnURL)
	if err != nil {
		return Session{}, err
	}
	s, err := c.await(ctx, provider, cb, open)
	cb.finish(c.ctxError(ctx, err))
	return s, err
}

// await shows the login page, waits for the redirect and completes the login.
func (c *Client) await(ctx context.Context, provider *oidc.Provider, cb *callback, open func(context.Context, string) error) (Session, error) {
	oc := &oauth2.Config{
		ClientID:     c.cfg.ClientID,
		ClientSecret: c.cfg.ClientSecret,
		Endpoint:     provider.Endpoint(),
		RedirectURL:  cb.redirectURL(),
		Scopes:       c.cfg.Scopes,
	}
	state, nonce, verifier := randomToken(), randomToken(), oauth2.GenerateVerifier()
	opts := []oauth2.AuthCodeOption{oauth2.S256ChallengeOption(verifier), oidc.Nonce(nonce)}
	if c.cfg.Prompt != "" {
		opts = append(opts, oauth2.SetAuthURLParam("prompt", c.cfg.Prompt))
	}
	if c.cfg.MaxAge > 0 {
		opts = append(opts, oauth2.SetAuthURLParam("max_age", strconv.FormatInt(int64(c.cfg.MaxAge.Seconds()), 10)))
	}
	authURL := oc.AuthCodeURL(state, opts...)

	opened := make(chan error, 1)
	go func() { opened <- open(ctx, authURL) }()
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
		msg := "the login server refused the sign-in: " + printable(rd.errCode, 64)
		if d := printable(rd.errDesc, 200); d != "" {
			msg += " (" + d + ")"
		}
		return Session{}, fail(ErrDenied, nil, "%s", msg)
	}
	if rd.code == "" {
		return Session{}, fail(ErrTokenRejected, nil, "the login server redirected back without an authorization code; try again")
	}
	return c.complete(ctx, provider, oc, rd.code, verifier, nonce)
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
	return Session{Profile: cl.profile(c.cfg.RolesClaim, c.cfg.Issuer, c.cfg.Now()), idToken: rawID}, nil
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
