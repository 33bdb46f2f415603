package demoidp

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// scopeRoles may be requested; the "roles" claim is sent whether or not it
// is, so a client that asks for it (as many IdPs require) works too.
const scopeRoles = "roles"

// errRedirectURI: a redirect URI is not http://127.0.0.1:<port>/<path>.
var errRedirectURI = errors.New("redirect uri is not an http://127.0.0.1:<port> address")

// nativeClient is the one client the provider knows: public (no secret,
// token_endpoint_auth_method "none"), native (RFC 8252), code flow only.
//
// How zitadel matches its redirect URIs (op.ValidateAuthReqRedirectURI):
// an exact match with RedirectURIs, or a match with RedirectURIGlobs
// (doublestar patterns), or, for native clients only, a loopback URI whose
// path and query equal those of a registered loopback URI — the port AND
// the host are ignored there, so registering http://127.0.0.1/cb would also
// admit http://localhost:9/cb and http://[::1]:9/cb. RFC 8252 §7.3 lets the
// port vary but the brief fixes neither the path, so this client registers a
// glob that admits any port and path on 127.0.0.1, and CreateAuthRequest
// then applies checkLoopbackRedirect, which a glob cannot express (no user
// info, a numeric port, no fragment). Post-logout URIs are matched with
// path.Match globs (one '*' never crosses '/'), hence one glob per depth.
type nativeClient struct {
	id       string
	lifetime time.Duration
	clock    clock
}

var _ op.HasRedirectGlobs = (*nativeClient)(nil)

func (c *nativeClient) GetID() string                       { return c.id }
func (c *nativeClient) RedirectURIs() []string              { return nil }
func (c *nativeClient) PostLogoutRedirectURIs() []string    { return nil }
func (c *nativeClient) ApplicationType() op.ApplicationType { return op.ApplicationTypeNative }
func (c *nativeClient) AuthMethod() oidc.AuthMethod         { return oidc.AuthMethodNone }
func (c *nativeClient) ResponseTypes() []oidc.ResponseType {
	return []oidc.ResponseType{oidc.ResponseTypeCode}
}
func (c *nativeClient) GrantTypes() []oidc.GrantType         { return []oidc.GrantType{oidc.GrantTypeCode} }
func (c *nativeClient) AccessTokenType() op.AccessTokenType  { return op.AccessTokenTypeBearer }
func (c *nativeClient) IDTokenLifetime() time.Duration       { return c.lifetime }
func (c *nativeClient) DevMode() bool                        { return false }
func (c *nativeClient) IsScopeAllowed(scope string) bool     { return scope == scopeRoles }
func (c *nativeClient) IDTokenUserinfoClaimsAssertion() bool { return true }
func (c *nativeClient) RestrictAdditionalIdTokenScopes() func([]string) []string {
	return func(scopes []string) []string { return scopes }
}
func (c *nativeClient) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return func(scopes []string) []string { return scopes }
}

// LoginURL is where zitadel sends the browser after a valid authorization
// request: this package's sign-in form.
func (c *nativeClient) LoginURL(authRequestID string) string {
	return pathLogin + "?authRequestID=" + url.QueryEscape(authRequestID)
}

// ClockSkew is the only lever zitadel offers over the times it stamps
// itself (ID token exp = wall clock + skew + lifetime): set to the offset of
// Options.Now from the wall clock, exp follows the injected clock.
func (c *nativeClient) ClockSkew() time.Duration { return c.clock.skew() }

// RedirectURIGlobs admits any port and path on 127.0.0.1 (doublestar
// syntax); checkLoopbackRedirect narrows it.
func (c *nativeClient) RedirectURIGlobs() []string {
	return []string{"http://127.0.0.1:*/**"}
}

// PostLogoutRedirectURIGlobs admits paths up to four segments deep
// (path.Match syntax); TerminateSessionFromRequest narrows it.
func (c *nativeClient) PostLogoutRedirectURIGlobs() []string {
	return []string{
		"http://127.0.0.1:*",
		"http://127.0.0.1:*/*",
		"http://127.0.0.1:*/*/*",
		"http://127.0.0.1:*/*/*/*",
		"http://127.0.0.1:*/*/*/*/*",
	}
}

// checkLoopbackRedirect accepts exactly http://127.0.0.1:<1-65535>[/path][?query]
// (RFC 8252 §7.3: loopback IP literal, port chosen by the app at run time).
// It refuses user info, which would move the host
// (http://127.0.0.1:1@evil.example/), fragments (RFC 6749 §3.1.2), and
// localhost (RFC 8252 §8.3: NOT RECOMMENDED).
func checkLoopbackRedirect(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("%w: %v", errRedirectURI, err)
	}
	if u.Scheme != "http" || u.Opaque != "" || u.User != nil || u.Hostname() != "127.0.0.1" ||
		strings.Contains(raw, "#") {
		return errRedirectURI
	}
	port, err := strconv.Atoi(u.Port())
	if err != nil || port < 1 || port > 65535 || u.Port() != strconv.Itoa(port) {
		return errRedirectURI
	}
	return nil
}
