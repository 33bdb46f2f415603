package serve_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"loginshell/internal/gateway"
	"loginshell/internal/serve"
	"loginshell/internal/shell"
	"loginshell/internal/shell/shelltest"
)

func TestServeRefusesNonLoopback(t *testing.T) {
	t.Parallel()
	tests := []struct {
		listen, want string
	}{
		{"0.0.0.0:0", "not a loopback address"},
		{"192.0.2.1:0", "not a loopback address"},
		{"[::]:0", "not a loopback address"},
		{":0", "not a loopback address"},
		{"127.0.0.1", "not host:port"},
	}
	for _, tt := range tests {
		t.Run("serve refuses "+tt.listen, func(t *testing.T) {
			ln, err := serve.Listen(tt.listen)
			if err == nil {
				ln.Close()
			}
			if !errors.Is(err, serve.ErrNotLoopback) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Listen(%q) = %v, want ErrNotLoopback saying %q", tt.listen, err, tt.want)
			}
		})
	}
}

var bannerRE = regexp.MustCompile(`^loginshell: serving (http://127\.0\.0\.1:\d+/)\?key=([0-9a-f]{32})$`)

func TestServe(t *testing.T) {
	t.Parallel()
	sh := shelltest.New(t, shelltest.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	lines := make(chan string, 4)
	served := make(chan error, 1)
	ln, err := serve.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { served <- serve.Run(ctx, ln, sh.Shell, nil, func(l string) { lines <- l }) }()
	var banner string
	select {
	case banner = <-lines:
	case err := <-served:
		t.Fatalf("Serve ended before its banner: %v", err)
	}
	m := bannerRE.FindStringSubmatch(banner)
	if m == nil {
		t.Fatalf("first line %q is not the banner", banner)
	}
	base, key := m[1], m[2]

	get := func(withKey bool) *http.Response {
		t.Helper()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"pmapi/version", nil)
		if err != nil {
			t.Fatal(err)
		}
		if withKey {
			req.Header.Set(gateway.KeyHeader, key)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	resp := get(true)
	var v struct{ Name, Version string }
	err = json.NewDecoder(resp.Body).Decode(&v)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || err != nil || v.Version != shell.Version {
		t.Errorf("GET /pmapi/version = %d %+v (%v), want 200 and %s", resp.StatusCode, v, err, shell.Version)
	}
	resp = get(false)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("GET /pmapi/version without the key = %d, want 401", resp.StatusCode)
	}

	cancel()
	if err := <-served; err != nil {
		t.Errorf("Serve after cancel = %v, want nil", err)
	}
}
