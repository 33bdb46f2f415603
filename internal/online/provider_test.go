package online_test

import (
	"context"
	"log/slog"
	"net/http"
	"testing"
	"time"

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
