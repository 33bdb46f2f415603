package demoidp

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

// authorize sends one authorization request without following redirects
// and returns where the provider sends the browser ("" if it does not).
func authorize(t *testing.T, srv *Server, params url.Values) (status int, location string) {
	t.Helper()
	noFollow := &http.Client{
		Timeout:       20 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	resp, err := noFollow.Get(srv.Issuer() + "/authorize?" + params.Encode())
	if err != nil {
		t.Fatalf("authorize: %v", err)
	}
	readBody(t, resp)
	return resp.StatusCode, resp.Header.Get("Location")
}

func authParams(clientID, redirectURI string) url.Values {
	return url.Values{
		"client_id":             {clientID},
		"response_type":         {"code"},
		"scope":                 {"openid profile email"},
		"redirect_uri":          {redirectURI},
		"state":                 {"st"},
		"nonce":                 {"no"},
		"code_challenge":        {oauth2.S256ChallengeFromVerifier(oauth2.GenerateVerifier())},
		"code_challenge_method": {"S256"},
	}
}

func TestRedirectURIs(t *testing.T) {
	t.Parallel()
	srv := startServer(t, Options{})
	tests := []struct {
		name     string
		uri      string
		accepted bool
	}{
		{"any port and path on 127.0.0.1 is accepted", "http://127.0.0.1:49152/auth/callback", true},
		{"a query on the loopback redirect is accepted", "http://127.0.0.1:8400/cb?x=1", true},
		{"a non-loopback host is refused", "http://login.example.com:8400/callback", false},
		{"https to a non-loopback host is refused", "https://login.example.com/callback", false},
		{"user info that moves the host is refused", "http://127.0.0.1:8400@evil.example/callback", false},
		{"localhost is refused (RFC 8252 section 8.3)", "http://localhost:8400/callback", false},
		{"IPv6 loopback is refused", "http://[::1]:8400/callback", false},
		{"a missing port is refused", "http://127.0.0.1/callback", false},
		{"a fragment is refused", "http://127.0.0.1:8400/callback#x", false},
		{"a custom scheme is refused", "loginshell://callback", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			status, location := authorize(t, srv, authParams(srv.ClientID(), tc.uri))
			if tc.accepted {
				if status != http.StatusFound || !strings.HasPrefix(location, "/login?") {
					t.Errorf("got %d to %q, want 302 to the sign-in form", status, location)
				}
				return
			}
			if status != http.StatusBadRequest || location != "" {
				t.Errorf("got %d to %q, want 400 with no redirect", status, location)
			}
		})
	}

	t.Run("an unknown client is refused without a redirect", func(t *testing.T) {
		t.Parallel()
		status, location := authorize(t, srv, authParams("someone-else", "http://127.0.0.1:8400/cb"))
		if status != http.StatusBadRequest || location != "" {
			t.Errorf("got %d to %q, want 400 with no redirect", status, location)
		}
	})
}

func TestPKCEIsRequired(t *testing.T) {
	t.Parallel()
	srv := startServer(t, Options{})
	const redirect = "http://127.0.0.1:8400/cb"
	tests := []struct {
		name   string
		change func(url.Values)
	}{
		{"a request without code_challenge is refused", func(p url.Values) {
			p.Del("code_challenge")
			p.Del("code_challenge_method")
		}},
		{"a request without code_challenge_method is refused (plain is not enough)", func(p url.Values) {
			p.Del("code_challenge_method")
		}},
		{"a request with the plain method is refused", func(p url.Values) {
			p.Set("code_challenge_method", "plain")
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := authParams(srv.ClientID(), redirect)
			tc.change(p)
			status, location := authorize(t, srv, p)
			u, err := url.Parse(location)
			if status != http.StatusFound || err != nil || !strings.HasPrefix(location, redirect) {
				t.Fatalf("got %d to %q, want an error redirect to %s", status, location, redirect)
			}
			if q := u.Query(); q.Get("error") != "invalid_request" || q.Get("state") != "st" || q.Get("code") != "" {
				t.Errorf("redirect query %v, want error=invalid_request, state=st, no code", q)
			}
		})
	}

	t.Run("a code exchanged without or with the wrong code_verifier is refused", func(t *testing.T) {
		t.Parallel()
		r := newRP(t, srv)
		verifier := oauth2.GenerateVerifier()
		q := r.signIn("operator", "operator-demo", "s", "n", verifier)
		if _, err := r.exchange(q.Get("code")); err == nil {
			t.Error("exchange without code_verifier succeeded")
		}
		if _, err := r.exchange(q.Get("code"), oauth2.VerifierOption(oauth2.GenerateVerifier())); err == nil {
			t.Error("exchange with a wrong code_verifier succeeded")
		}
	})
}

func TestStartRefusesBadOptions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		opts    Options
		wantErr error
	}{
		{"a wildcard address is refused", Options{Addr: "0.0.0.0:0"}, ErrInvalidOptions},
		{"a host name is refused", Options{Addr: "localhost:0"}, ErrInvalidOptions},
		{"an address without port is refused", Options{Addr: "127.0.0.1"}, ErrInvalidOptions},
		{"an empty user list is refused", Options{Users: []User{}}, ErrInvalidOptions},
		{"a user without password is refused", Options{Users: []User{{Username: "a"}}}, ErrInvalidOptions},
		{"a duplicate username is refused", Options{Users: []User{
			{Username: "a", Password: "x"}, {Username: "a", Password: "y"}}}, ErrInvalidOptions},
		{"a negative lifetime is refused", Options{IDTokenLifetime: -time.Second}, ErrInvalidOptions},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv, err := Start(tc.opts)
			if !errors.Is(err, tc.wantErr) {
				t.Errorf("Start: %v, want %v", err, tc.wantErr)
			}
			if srv != nil {
				_ = srv.Close()
			}
		})
	}
}

func TestDemoUsers(t *testing.T) {
	t.Parallel()
	users := DemoUsers()
	want := map[string]string{"operator": "Operator", "supervisor": "Supervisor,Operator", "qa": "QA"}
	if len(users) != len(want) {
		t.Fatalf("%d demo users, want %d", len(users), len(want))
	}
	for _, u := range users {
		if got := strings.Join(u.Roles, ","); got != want[u.Username] || u.Password != u.Username+"-demo" {
			t.Errorf("user %q: roles %q password %q", u.Username, got, u.Password)
		}
	}
	users[0].Roles[0] = "changed"
	if DemoUsers()[0].Roles[0] != "Operator" {
		t.Error("DemoUsers shares its slices between calls")
	}
}
