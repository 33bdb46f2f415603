package connectivity_test

// The connectivity report over a real login server: the demo OpenID
// provider on loopback answering, stopped, and a network that is down. The
// last is a dialer that fails as an unplugged cable does; no test traffic
// leaves loopback.

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"syscall"
	"testing"
	"time"

	"loginshell/internal/boot"
	"loginshell/internal/connectivity"
	"loginshell/internal/demoidp"
	"loginshell/internal/settings"
	"loginshell/internal/user"
)

func reporter(t *testing.T, loginURL string, client *http.Client, forced bool) *connectivity.Reporter {
	t.Helper()
	st, _ := settings.Open("")
	if err := st.Set(settings.LoginURL, loginURL); err != nil {
		t.Fatal(err)
	}
	o := &boot.Online{Settings: st, HTTPClient: client, Now: time.Now,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), DefaultClientID: "loginshell"}
	return &connectivity.Reporter{Reachable: o.Reachable, ForceOffline: forced, Users: user.NewService()}
}

func TestStatesAgainstALoginServer(t *testing.T) {
	t.Parallel()
	idp, err := demoidp.Start(demoidp.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer idp.Close()
	stopped, err := demoidp.Start(demoidp.Options{})
	if err != nil {
		t.Fatal(err)
	}
	stoppedURL := stopped.Issuer()
	stopped.Close()

	plain := &http.Client{Timeout: 5 * time.Second}
	unplugged := &http.Client{Transport: &http.Transport{
		DialContext: func(context.Context, string, string) (net.Conn, error) {
			return nil, &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ENETUNREACH}
		},
	}}
	tests := []struct {
		name     string
		loginURL string
		client   *http.Client
		forced   bool
		want     []string
	}{
		{"the login server answers", idp.Issuer(), plain, false, []string{connectivity.Internet, connectivity.Online}},
		{"the login server is stopped", stoppedURL, plain, false, []string{connectivity.Offline}},
		{"the network is down", idp.Issuer(), unplugged, false, []string{connectivity.Offline}},
		{"offline is forced while the server answers", idp.Issuer(), plain, true, []string{connectivity.Offline}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { // not parallel: the deferred Close would run first
			r := reporter(t, tt.loginURL, tt.client, tt.forced)
			if got := r.States(context.Background()); !slices.Equal(got, tt.want) {
				t.Errorf("States = %v, want %v", got, tt.want)
			}
		})
	}
	if !errors.Is(&net.OpError{Err: syscall.ENETUNREACH}, syscall.ENETUNREACH) {
		t.Fatal("the unplugged dialer does not fail as a down network does")
	}
}
