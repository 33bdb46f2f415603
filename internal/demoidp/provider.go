package demoidp

import (
	"crypto/rand"
	"fmt"
	"net/http"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// Paths served by this package next to zitadel's endpoints (/authorize,
// /oauth/token, /userinfo, /end_session, /keys,
// /.well-known/openid-configuration).
const (
	pathLogin     = "/login"
	pathLoggedOut = "/logged-out"
)

// newHandler builds the provider for issuer and mounts the sign-in form
// beside it (the wiring of zitadel's example exampleop.SetupServer).
func newHandler(issuer string, opts Options) (http.Handler, error) {
	var codeKey [32]byte // encrypts codes and access tokens
	if _, err := rand.Read(codeKey[:]); err != nil {
		return nil, fmt.Errorf("generate code key: %w", err)
	}
	client := &nativeClient{id: opts.ClientID, lifetime: opts.IDTokenLifetime, clock: newClock(opts.Now)}
	st := newStore(client, opts.Users, newSigningKeys(opts.generateKey))

	provider, err := op.NewProvider(&op.Config{
		CryptoKey:                codeKey,
		DefaultLogoutRedirectURI: pathLoggedOut,
		CodeMethodS256:           true,
		SupportedScopes:          []string{oidc.ScopeOpenID, oidc.ScopeProfile, oidc.ScopeEmail, scopeRoles},
		SupportedClaims: []string{"iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "amr", "azp",
			"at_hash", "c_hash", "preferred_username", "name", "email", "email_verified", claimRoles, claimGroups},
	}, st, op.StaticIssuer(issuer),
		// Plain http issuer: demo and tests on loopback only (see package doc).
		op.WithAllowInsecure(),
		// No CORS middleware at all: zitadel's default admits every origin
		// with credentials, and no web page needs to call this provider.
		op.WithCORSOptions(nil),
	)
	if err != nil {
		return nil, fmt.Errorf("create provider: %w", err)
	}

	login := &loginPage{
		store:    st,
		callback: op.AuthCallbackURL(provider),
		users:    opts.Users,
		log:      opts.Log,
	}
	withIssuer := op.NewIssuerInterceptor(provider.IssuerFromRequest)
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+pathLogin, withIssuer.HandlerFunc(login.show))
	mux.HandleFunc("POST "+pathLogin, withIssuer.HandlerFunc(login.submit))
	mux.HandleFunc("GET "+pathLoggedOut, login.loggedOut)
	mux.Handle("GET "+pathDiscovery, &onceDocument{next: provider})
	mux.Handle("/", provider)
	return mux, nil
}
