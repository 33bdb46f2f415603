package online

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// EndSessionURL returns the provider's RP-initiated logout URL for s, built
// from discovery's end_session_endpoint with id_token_hint, client_id and, if
// non-empty, post_logout_redirect_uri. It reports false when the provider has
// no such endpoint or has not been discovered yet (no login in this run).
// The URL carries the ID token: callers must not log it. It must be opened
// in the browser that holds the provider's session (its cookie): providers
// with cookie sessions ignore the same URL requested from the back channel.
func (c *Client) EndSessionURL(s Session, postLogoutRedirect string) (string, bool) {
	return c.endSessionURL(s, postLogoutRedirect, "")
}

// endSessionURL is EndSessionURL with the state the provider echoes on its
// redirect to postLogoutRedirect ("" for none).
func (c *Client) endSessionURL(s Session, postLogoutRedirect, state string) (string, bool) {
	c.mu.Lock()
	endpoint := c.endSess
	c.mu.Unlock()
	if endpoint == "" {
		return "", false
	}
	u, err := url.Parse(endpoint)
	if err != nil {
		return "", false
	}
	q := u.Query()
	if s.idToken != "" {
		q.Set("id_token_hint", s.idToken)
	}
	q.Set("client_id", c.cfg.ClientID)
	if postLogoutRedirect != "" {
		q.Set("post_logout_redirect_uri", postLogoutRedirect)
		if state != "" {
			q.Set("state", state)
		}
	}
	u.RawQuery = q.Encode()
	return u.String(), true
}

// Reachable reports whether the login server answers: GET
// <issuer>/.well-known/openid-configuration returns 200 before ctx ends and
// within 2 s. Any other status, a transport error or no answer in time is
// "not reachable"; the document itself is not checked (Login's discovery
// does that), since this decides online vs offline and is not a health
// check. Each call is one request: nothing is cached and concurrent calls
// are not merged, so a caller asking often (the status bar, a polling page)
// must go through something that caches finished answers, as
// connectivity.Monitor does.
func (c *Client) Reachable(ctx context.Context) bool {
	status, _, err := c.wellKnown(ctx, false)
	return err == nil && status == http.StatusOK
}

// explain says why the login server cannot serve a sign-in now, in words
// that tell a mistyped address from a server that is down: ErrUnreachable
// when the address gave no answer (refused, DNS, TLS, no answer within
// 2 s), ErrNotOpenID when it answered something other than an OpenID
// configuration (a status other than 200, as a web server or a proxy's
// sign-in gives, or a document without the issuer and endpoints), nil when
// its configuration answers. One request, as Reachable: callers ask when a
// sign-in could not start, not on every probe.
func (c *Client) explain(ctx context.Context) error {
	status, doc, err := c.wellKnown(ctx, true)
	switch {
	case err != nil && ctx.Err() != nil:
		return ctx.Err()
	case err != nil:
		return unreachable(c.cfg.Issuer, err)
	case status != http.StatusOK:
		return fail(ErrNotOpenID, fmt.Errorf("discovery: HTTP %d", status),
			"that address is not an OpenID login server (it answered %d)", status)
	}
	var meta struct {
		Issuer  string `json:"issuer"`
		AuthURL string `json:"authorization_endpoint"`
	}
	if json.Unmarshal(doc, &meta) != nil || meta.Issuer == "" || meta.AuthURL == "" {
		return fail(ErrNotOpenID, errors.New("discovery: not an OpenID configuration"),
			"that address is not an OpenID login server (its answer is no OpenID configuration)")
	}
	return nil
}

// wellKnown GETs <issuer>/.well-known/openid-configuration within
// reachTimeout and returns its status and, with body, up to 64 KiB of it.
func (c *Client) wellKnown(ctx context.Context, body bool) (int, []byte, error) {
	ctx, cancel := context.WithTimeout(ctx, reachTimeout)
	defer cancel()
	target := strings.TrimSuffix(c.cfg.Issuer, "/") + "/.well-known/openid-configuration"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return 0, nil, err
	}
	resp, err := c.cfg.HTTPClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	var doc []byte
	if body {
		doc, err = io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		if err != nil {
			return 0, nil, err
		}
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) //nolint:errcheck // only to reuse the connection
	return resp.StatusCode, doc, nil
}
