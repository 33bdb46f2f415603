package demoidp

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// demoClaims are the claims the shell reads from the ID token and userinfo.
type demoClaims struct {
	Subject           string   `json:"sub"`
	PreferredUsername string   `json:"preferred_username"`
	Name              string   `json:"name"`
	Email             string   `json:"email"`
	Roles             []string `json:"roles"`
	Nonce             string   `json:"nonce"`
}

func TestProvider(t *testing.T) {
	t.Parallel()
	srv := startServer(t, Options{})

	t.Run("the discovery document describes a public client with PKCE S256", func(t *testing.T) {
		t.Parallel()
		r := newRP(t, srv)
		resp, body := r.get(srv.Issuer() + "/.well-known/openid-configuration")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d", resp.StatusCode)
		}
		var doc struct {
			Issuer           string   `json:"issuer"`
			Authorization    string   `json:"authorization_endpoint"`
			Token            string   `json:"token_endpoint"`
			Userinfo         string   `json:"userinfo_endpoint"`
			JWKS             string   `json:"jwks_uri"`
			EndSession       string   `json:"end_session_endpoint"`
			Scopes           []string `json:"scopes_supported"`
			Claims           []string `json:"claims_supported"`
			PKCE             []string `json:"code_challenge_methods_supported"`
			TokenAuthMethods []string `json:"token_endpoint_auth_methods_supported"`
			SigningAlgs      []string `json:"id_token_signing_alg_values_supported"`
		}
		if err := json.Unmarshal([]byte(body), &doc); err != nil {
			t.Fatalf("decode: %v\n%s", err, body)
		}
		if !strings.HasPrefix(srv.Issuer(), "http://127.0.0.1:") || doc.Issuer != srv.Issuer() {
			t.Errorf("issuer %q, server says %q", doc.Issuer, srv.Issuer())
		}
		for name, got := range map[string]string{
			"authorization_endpoint": doc.Authorization, "token_endpoint": doc.Token,
			"userinfo_endpoint": doc.Userinfo, "jwks_uri": doc.JWKS, "end_session_endpoint": doc.EndSession,
		} {
			if !strings.HasPrefix(got, srv.Issuer()+"/") {
				t.Errorf("%s = %q, want under the issuer", name, got)
			}
		}
		for name, c := range map[string]struct {
			list []string
			want string
		}{
			"scopes_supported":                      {doc.Scopes, "roles"},
			"claims_supported":                      {doc.Claims, "roles"},
			"code_challenge_methods_supported":      {doc.PKCE, "S256"},
			"token_endpoint_auth_methods_supported": {doc.TokenAuthMethods, "none"},
			"id_token_signing_alg_values_supported": {doc.SigningAlgs, "RS256"},
		} {
			if !slices.Contains(c.list, c.want) {
				t.Errorf("%s = %v, want it to contain %q", name, c.list, c.want)
			}
		}
		if srv.ClientID() != DefaultClientID {
			t.Errorf("ClientID() = %q, want %q", srv.ClientID(), DefaultClientID)
		}
	})

	t.Run("a user signs in with code and PKCE and the tokens carry nonce, profile and roles", func(t *testing.T) {
		t.Parallel()
		r := newRP(t, srv)
		r.conf.Scopes = append(r.conf.Scopes, "roles") // allowed, changes nothing
		r.conf.Endpoint.AuthStyle = oauth2.AuthStyleInHeader
		verifier := oauth2.GenerateVerifier()
		q := r.signIn("supervisor", "supervisor-demo", "state-1", "nonce-1", verifier)
		if q.Get("state") != "state-1" || q.Get("code") == "" {
			t.Fatalf("redirect query %v, want code and state-1", q)
		}
		tok, err := r.exchange(q.Get("code"), oauth2.VerifierOption(verifier))
		if err != nil {
			t.Fatalf("exchange: %v", err)
		}
		rawID, _ := tok.Extra("id_token").(string)
		idTok, err := r.verifier(nil).Verify(r.ctx, rawID)
		if err != nil {
			t.Fatalf("verify ID token: %v", err)
		}
		var got demoClaims
		if err := idTok.Claims(&got); err != nil {
			t.Fatal(err)
		}
		want := demoClaims{Subject: "supervisor", PreferredUsername: "supervisor", Name: "Sam Supervisor",
			Email: "supervisor@example.com", Roles: []string{"Supervisor", "Operator"}, Nonce: "nonce-1"}
		if !equalClaims(got, want) {
			t.Errorf("ID token claims %+v, want %+v", got, want)
		}
		// exp and iat are whole seconds from two readings of the clock.
		if lifetime := idTok.Expiry.Sub(idTok.IssuedAt); (lifetime - DefaultIDTokenLifetime).Abs() > time.Second {
			t.Errorf("ID token lives %v, want %v", lifetime, DefaultIDTokenLifetime)
		}

		info, err := r.provider.UserInfo(r.ctx, oauth2.StaticTokenSource(tok))
		if err != nil {
			t.Fatalf("userinfo: %v", err)
		}
		var fromInfo demoClaims
		if err := info.Claims(&fromInfo); err != nil {
			t.Fatal(err)
		}
		want.Nonce = ""
		if !equalClaims(fromInfo, want) {
			t.Errorf("userinfo claims %+v, want %+v", fromInfo, want)
		}

		if _, err := r.exchange(q.Get("code"), oauth2.VerifierOption(verifier)); err == nil {
			t.Error("the code was accepted a second time")
		}

		// RP-initiated logout ends the session: back to the shell, token dead.
		end := url.Values{"id_token_hint": {rawID}, "post_logout_redirect_uri": {r.redirect}, "state": {"bye"}}
		var endpoint struct {
			EndSession string `json:"end_session_endpoint"`
		}
		if err := r.provider.Claims(&endpoint); err != nil {
			t.Fatal(err)
		}
		resp, body := r.get(endpoint.EndSession + "?" + end.Encode())
		if got := resp.Request.URL; !strings.HasPrefix(got.String(), r.redirect) || got.Query().Get("state") != "bye" {
			t.Fatalf("end_session ended at %s (%d), want %s?state=bye:\n%s", got, resp.StatusCode, r.redirect, body)
		}
		if _, err := r.provider.UserInfo(r.ctx, oauth2.StaticTokenSource(tok)); err == nil {
			t.Error("userinfo still answers after end_session")
		}
	})

	t.Run("a wrong password shows the form again with an alert", func(t *testing.T) {
		t.Parallel()
		r := newRP(t, srv)
		resp, page := r.get(r.conf.AuthCodeURL("s", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
		for _, want := range []string{
			"<title>loginshell demo sign-in</title>", `<label for="username">`, `name="username"`,
			`<label for="password">`, `name="password" type="password"`, `<button type="submit">Sign in</button>`,
		} {
			if !strings.Contains(page, want) {
				t.Errorf("sign-in page lacks %q", want)
			}
		}
		if n := strings.Count(page, "<button"); n != 1 {
			t.Errorf("%d buttons, want 1", n)
		}
		resp, page = r.submit(resp.Request.URL, page, "operator", "not-the-password")
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("status %d, want %d", resp.StatusCode, http.StatusUnauthorized)
		}
		if !strings.Contains(page, `role="alert"`) || !strings.Contains(page, "Wrong username or password.") {
			t.Errorf("no alert in:\n%s", page)
		}
		if strings.Contains(page, "not-the-password") {
			t.Error("the page echoes the wrong password")
		}
		q := func() url.Values { // the form still works after the error
			resp, body := r.submit(resp.Request.URL, page, "operator", "operator-demo")
			if !strings.HasPrefix(resp.Request.URL.String(), r.redirect) {
				t.Fatalf("second try ended at %s:\n%s", resp.Request.URL, body)
			}
			return resp.Request.URL.Query()
		}()
		if q.Get("code") == "" {
			t.Errorf("second try got %v, want a code", q)
		}
	})

	t.Run("an unknown sign-in request id shows a message, not a form", func(t *testing.T) {
		t.Parallel()
		r := newRP(t, srv)
		resp, page := r.get(srv.Issuer() + "/login?authRequestID=NOPE")
		if resp.StatusCode != http.StatusBadRequest || strings.Contains(page, "<form") {
			t.Errorf("status %d, page:\n%s", resp.StatusCode, page)
		}
	})
}

// TestInjectedClock checks that Options.Now decides ID token expiry: the
// shell's tests rely on it to get expired tokens.
func TestInjectedClock(t *testing.T) {
	t.Parallel()
	anHourAgo := func() time.Time { return time.Now().Add(-time.Hour) }
	srv := startServer(t, Options{Now: anHourAgo, IDTokenLifetime: time.Minute})
	r := newRP(t, srv)
	r.conf.Endpoint.AuthStyle = oauth2.AuthStyleInParams
	verifier := oauth2.GenerateVerifier()
	q := r.signIn("qa", "qa-demo", "s", "n", verifier)
	tok, err := r.exchange(q.Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	if tok.Expiry.Before(time.Now()) {
		t.Errorf("access token expiry %v is in the past: expires_in must stay the lifetime", tok.Expiry)
	}
	rawID, _ := tok.Extra("id_token").(string)

	var expired *oidc.TokenExpiredError
	if _, err := r.verifier(nil).Verify(r.ctx, rawID); !errors.As(err, &expired) {
		t.Errorf("verify with the wall clock: %v, want *oidc.TokenExpiredError", err)
	}
	idTok, err := r.verifier(anHourAgo).Verify(r.ctx, rawID)
	if err != nil {
		t.Fatalf("verify with the provider's clock: %v", err)
	}
	var claims struct {
		AuthTime int64 `json:"auth_time"`
	}
	if err := idTok.Claims(&claims); err != nil {
		t.Fatal(err)
	}
	if d := time.Unix(claims.AuthTime, 0).Sub(anHourAgo()); d > time.Minute || d < -time.Minute {
		t.Errorf("auth_time is %v off the provider's clock", d)
	}
}

func equalClaims(a, b demoClaims) bool {
	return a.Subject == b.Subject && a.PreferredUsername == b.PreferredUsername && a.Name == b.Name &&
		a.Email == b.Email && a.Nonce == b.Nonce && slices.Equal(a.Roles, b.Roles)
}
