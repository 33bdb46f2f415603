package online

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"

	"golang.org/x/oauth2"
)

// probe sends an authorization request like the one the person is about
// to see, from the shell itself, and reports a provider that refuses it
// outright. A provider that compares redirect URIs exactly answers a
// redirect URI it does not know with an error page, often a bare 403, and
// never comes back to the loopback listener: shown in the window, that
// page would leave the person waiting for the login timeout with no word
// from the shell.
//
// The probe carries its own state, nonce and PKCE challenge (nothing of
// the real request is sent twice), no cookies, and does not follow
// redirects, so the provider only validates the request: it never signs
// anyone in. How its answer is read:
//
//   - 2xx (a sign-in page) or 3xx (to a sign-in page): accepted.
//   - 3xx back to our redirect URI with error=...: the provider refused
//     the request the standard way (unauthorized_client, invalid_scope,
//     ...); ErrDenied with its error, before any page is shown.
//   - 401: a sign-in the browser negotiates (Kerberos, NTLM), which the
//     shell cannot judge: accepted.
//   - any other 4xx or 5xx: ErrRequestRefused, naming the redirect URI to
//     register (and redirect_port when the port was random).
//   - no answer at all: accepted. Discovery just worked through the same
//     client, and the browser may reach the provider through a proxy the
//     shell does not use; the way back to the shell covers the rest.
//
// Callers still have to: offer a way back from the provider's page. A
// provider that accepts the request and fails later (a 200 error page) is
// not caught here.
func (c *Client) probe(ctx context.Context, oc *oauth2.Config, redirectURI string) error {
	target := c.authCodeURL(oc, randomToken(), randomToken(), oauth2.GenerateVerifier(), false)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return fail(ErrDiscovery, err, "the login server's authorization endpoint is not a valid address; check login_url")
	}
	req.Header.Set("Accept", "text/html,application/xhtml+xml")
	client := *c.cfg.HTTPClient
	client.Jar = nil // the provider must not see a session of anyone's
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		c.cfg.Log.Warn("online login: the authorization request could not be checked; showing it anyway",
			"issuer", c.cfg.Issuer, "cause", printable(err.Error(), 300))
		return nil
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) //nolint:errcheck // only to reuse the connection
	switch st := resp.StatusCode; {
	case st < 300 || st == http.StatusUnauthorized:
		return nil
	case st < 400:
		back, err := resp.Location()
		if err != nil || !sameEndpoint(back, redirectURI) {
			return nil
		}
		if q := back.Query(); q.Get("error") != "" {
			return denied(q.Get("error"), q.Get("error_description"))
		}
		return nil
	default:
		return c.refused(st, redirectURI)
	}
}

// refused is ErrRequestRefused for an authorization request answered with
// status: what to check, in the words of the registration.
func (c *Client) refused(status int, redirectURI string) error {
	cause := errors.New("authorization endpoint: HTTP " + strconv.Itoa(status))
	if c.cfg.RedirectPort == 0 {
		return fail(ErrRequestRefused, cause,
			"the login server refused the sign-in request (HTTP %d) before showing its sign-in page. "+
				"The shell sent redirect URI %s, on a port chosen at random for this sign-in; a login server that compares "+
				"redirect URIs exactly refuses it. Set redirect_port to a fixed free port (for example 8765) and register "+
				"http://127.0.0.1:<that port>%s for client %q at the login server, as a public client with PKCE",
			status, redirectURI, callbackPath, c.cfg.ClientID)
	}
	return fail(ErrRequestRefused, cause,
		"the login server refused the sign-in request (HTTP %d) before showing its sign-in page. "+
			"Check the registration of client %q there: %s must be one of its redirect URIs, exactly, "+
			"and the client must be a public client allowed the authorization code flow with PKCE",
		status, c.cfg.ClientID, redirectURI)
}

// sameEndpoint reports whether u is the redirect URI (query aside).
func sameEndpoint(u *url.URL, redirectURI string) bool {
	r, err := url.Parse(redirectURI)
	return err == nil && u.Scheme == r.Scheme && u.Host == r.Host && u.Path == r.Path
}
