package online_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"loginshell/internal/fault"
	"loginshell/internal/online"
	"loginshell/internal/settings"
)

func TestOnlineConfiguredFollowsLoginURL(t *testing.T) {
	t.Parallel()
	st, err := settings.Open("")
	if err != nil {
		t.Fatal(err)
	}
	o, err := online.NewProvider(online.ProviderOptions{Settings: st, HTTPClient: &http.Client{}, Now: time.Now,
		Log: slog.New(slog.DiscardHandler), DefaultClientID: "loginshell",
		Open: func(context.Context, string) error { return nil }})
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name string
		set  func() error
		want bool
	}{
		{"an empty store is not configured", func() error { return nil }, false},
		{"login_url configures it", func() error { return st.Set(settings.LoginURL, "https://idp.example.com") }, true},
		{"deleting login_url unconfigures it", func() error { return st.Delete(settings.LoginURL) }, false},
		{"the container's server_url alias configures it", func() error { return st.Set("server_url", "https://idp.example.com") }, true},
		{"an empty login_url is not configured", func() error { return st.Set(settings.LoginURL, "") }, false},
	}
	for _, s := range steps {
		if err := s.set(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if got := o.Configured(); got != s.want {
			t.Errorf("%s: Configured = %v, want %v", s.name, got, s.want)
		}
	}
	// Not configured is never reachable, and asks nothing of the network.
	if o.Reachable(context.Background()) {
		t.Error("Reachable = true without login_url")
	}
}

// NotLoginServer speaks of a wrong address only: one that answers as no
// OpenID provider, not one that is down or not set.
func TestNotLoginServer(t *testing.T) {
	t.Parallel()
	unauthorized := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
	}))
	t.Cleanup(unauthorized.Close)
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	tests := []struct {
		name     string
		loginURL string
		want     error
	}{
		{"an address answering 401 is no login server", unauthorized.URL, online.ErrNotOpenID},
		{"an address giving no answer says nothing of its kind", closed.URL, nil},
		{"no login server set says nothing", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			st, err := settings.Open("")
			if err != nil {
				t.Fatal(err)
			}
			if tt.loginURL != "" {
				if err := st.Set(settings.LoginURL, tt.loginURL); err != nil {
					t.Fatal(err)
				}
			}
			p, err := online.NewProvider(online.ProviderOptions{Settings: st, HTTPClient: &http.Client{}, Now: time.Now,
				Log: slog.New(slog.DiscardHandler), DefaultClientID: "loginshell",
				Open: func(context.Context, string) error { return nil }})
			if err != nil {
				t.Fatal(err)
			}
			err = p.NotLoginServer(context.Background())
			if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
				t.Fatalf("NotLoginServer = %v, want %v", err, tt.want)
			}
			if tt.want != nil && fault.Text(err) != "that address is not an OpenID login server (it answered 401)" {
				t.Errorf("its text = %q", fault.Text(err))
			}
		})
	}
}
