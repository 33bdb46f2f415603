package online

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"loginshell/internal/demoidp"
)

// startIdP runs the real demo provider on loopback for one test.
func startIdP(t *testing.T, opts demoidp.Options) *demoidp.Server {
	t.Helper()
	opts.Addr = "127.0.0.1:0"
	opts.ClientID = "loginshell"
	srv, err := demoidp.Start(opts)
	if err != nil {
		t.Fatalf("start demo provider: %v", err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

func fixedClock(at time.Time) func() time.Time { return func() time.Time { return at } }

func TestLoginAgainstRealProvider(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		idp     demoidp.Options
		edit    func(*Config)
		browser browser
		wantErr error
		// wantExpired: the error also matches *oidc.TokenExpiredError.
		wantExpired bool
		want        func(t *testing.T, s Session, b *browser)
	}{
		{
			name:    "an operator signs in and gets the operator role",
			browser: browser{username: "operator", password: "operator-demo"},
			edit:    func(c *Config) { c.ReturnURL = "http://127.0.0.1:1/after-login" },
			want: func(t *testing.T, s Session, b *browser) {
				p := s.Profile
				if p.Username != "operator" || p.Name != "Olivia Operator" || p.Email != "operator@example.com" ||
					!slices.Equal(p.Roles, []string{"Operator"}) {
					t.Errorf("profile = %+v", p)
				}
				if b.callbackStatus != 303 || b.callbackLocation != "http://127.0.0.1:1/after-login" {
					t.Errorf("callback answered %d %q, want 303 to the return URL", b.callbackStatus, b.callbackLocation)
				}
			},
		},
		{
			name:    "a supervisor's two roles come from the configured roles claim, prompt and max_age pass",
			browser: browser{username: "supervisor", password: "supervisor-demo"},
			edit: func(c *Config) {
				c.RolesClaim, c.Prompt, c.MaxAge = "roles", "login", 10*time.Minute
				c.Scopes = []string{"profile"}
			},
			want: func(t *testing.T, s Session, b *browser) {
				if p := s.Profile; p.Username != "supervisor" || !slices.Equal(p.Roles, []string{"Supervisor", "Operator"}) {
					t.Errorf("profile = %+v", p)
				}
				if b.callbackStatus != 200 || !strings.Contains(b.callbackBody, "You can close this window") {
					t.Errorf("callback answered %d %q", b.callbackStatus, b.callbackBody)
				}
			},
		},
		{
			name: "a redirect whose state was rewritten is refused",
			browser: browser{username: "qa", password: "qa-demo",
				callback: func(q url.Values) { q.Set("state", "forged-"+q.Get("state")) }},
			wantErr: ErrState,
		},
		{
			name: "an ID token minted for another nonce is refused",
			browser: browser{username: "qa", password: "qa-demo",
				authURL: func(q url.Values) { q.Set("nonce", "someone-elses-nonce") }},
			wantErr: ErrNonce,
		},
		{
			name:        "an ID token that expired by the client's clock is rejected",
			browser:     browser{username: "qa", password: "qa-demo"},
			edit:        func(c *Config) { c.Now = func() time.Time { return time.Now().Add(time.Hour) } },
			wantErr:     ErrTokenRejected,
			wantExpired: true,
		},
		{
			name:    "a sign-in older than max_age is rejected",
			idp:     demoidp.Options{IDTokenLifetime: 2 * time.Hour},
			browser: browser{username: "qa", password: "qa-demo"},
			edit: func(c *Config) {
				c.MaxAge = 10 * time.Minute
				c.Now = func() time.Time { return time.Now().Add(30 * time.Minute) }
			},
			wantErr: ErrTokenRejected,
		},
		{
			name: "a redirect carrying error=access_denied is a denial",
			browser: browser{skipProvider: true, callback: func(q url.Values) {
				q.Set("error", "access_denied")
				q.Set("error_description", "user cancelled")
			}},
			wantErr: ErrDenied,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := startIdP(t, tt.idp)
			now := time.Now()
			cfg := testConfig(srv.Issuer())
			cfg.ClientID = srv.ClientID()
			cfg.Now = fixedClock(now)
			var logged bytes.Buffer
			cfg.Log = slog.New(slog.NewTextHandler(&logged, &slog.HandlerOptions{Level: slog.LevelDebug}))
			if tt.edit != nil {
				tt.edit(&cfg)
			}
			c := newClient(t, cfg)
			b := tt.browser
			b.done = make(chan struct{})
			s, err := c.Login(context.Background(), b.open)
			<-b.done
			for what, text := range map[string]string{"log": logged.String(), "error": fmt.Sprint(err)} {
				if strings.Contains(text, "eyJ") || (b.code != "" && strings.Contains(text, b.code)) {
					t.Errorf("the %s carries a token or the code: %q", what, text)
				}
			}
			if !strings.Contains(logged.String(), "online login") {
				t.Errorf("nothing logged: %q", logged.String())
			}
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Login error = %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				if tt.wantExpired {
					var expired *oidc.TokenExpiredError
					if !errors.As(err, &expired) || !strings.Contains(err.Error(), "expired") {
						t.Errorf("error %v should say the ID token expired", err)
					}
				}
				if b.callbackStatus != 0 && !strings.Contains(b.callbackBody, "failed") && b.callbackStatus != 303 {
					t.Errorf("callback page after a failure: %d %q", b.callbackStatus, b.callbackBody)
				}
				return
			}
			if s.Profile.IdP != srv.Issuer() || !s.Profile.AuthenticatedAt.Equal(cfg.Now()) {
				t.Errorf("profile IdP/AuthenticatedAt = %q/%v", s.Profile.IdP, s.Profile.AuthenticatedAt)
			}
			if tt.want != nil {
				tt.want(t, s, &b)
			}
		})
	}
}

func TestLoginTwiceReusesDiscoveryAndEndsSession(t *testing.T) {
	t.Parallel()
	srv := startIdP(t, demoidp.Options{})
	cfg := testConfig(srv.Issuer())
	cfg.Now = time.Now
	c := newClient(t, cfg)
	for _, who := range []string{"operator", "qa"} {
		b := &browser{username: who, password: who + "-demo"}
		s, err := c.Login(context.Background(), b.open)
		if err != nil {
			t.Fatalf("Login %s: %v", who, err)
		}
		if s.Profile.Username != who {
			t.Errorf("Username = %q, want %q", s.Profile.Username, who)
		}
		end, ok := c.EndSessionURL(s, "http://127.0.0.1:1/bye")
		if !ok || !strings.Contains(end, "id_token_hint=") || !strings.HasPrefix(end, srv.Issuer()) {
			t.Errorf("EndSessionURL = %q, %v", end, ok)
		}
	}
	if !c.Reachable(context.Background()) {
		t.Error("Reachable = false for a running provider")
	}
	srv.Close()
	if c.Reachable(context.Background()) {
		t.Error("Reachable = true for a stopped provider")
	}
}
