package serve_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"loginshell/internal/gateway"
	"loginshell/internal/serve"
	"loginshell/internal/shell"
	"loginshell/internal/shell/shelltest"
	"loginshell/internal/webapps"
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

	pagesOrigin := ln.PagesOrigin()
	if !regexp.MustCompile(`^http://p[0-9a-f]{32}\.localhost:\d+$`).MatchString(pagesOrigin) ||
		!strings.HasSuffix(pagesOrigin, base[strings.LastIndex(base[:len(base)-1], ":"):len(base)-1]) {
		t.Fatalf("pages origin %q is not p<random>.localhost on the shell's port (%s)", pagesOrigin, base)
	}
	// get sends one GET to the listener with the given Host header.
	get := func(host, path string, withKey bool) *http.Response {
		t.Helper()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Host = host
		if withKey {
			req.Header.Set(gateway.KeyHeader, key)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	chromeHost := strings.TrimSuffix(strings.TrimPrefix(base, "http://"), "/")
	pagesHost := webapps.PackageLabel("lineapp") + "." + strings.TrimPrefix(pagesOrigin, "http://")
	resp := get(pagesHost, "pmapi/version", false)
	var v struct{ Name, Version string }
	err = json.NewDecoder(resp.Body).Decode(&v)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || err != nil || v.Version != shell.Version {
		t.Errorf("GET /pmapi/version on the pages' host = %d %+v (%v), want 200 and %s", resp.StatusCode, v, err, shell.Version)
	}
	for _, tt := range []struct {
		name       string
		host, path string
		withKey    bool
		want       int
	}{
		{"the chrome's view with the key", chromeHost, "shell/view", true, http.StatusOK},
		{"the chrome's view without the key", chromeHost, "shell/view", false, http.StatusUnauthorized},
		{"the services are not on the chrome's host", chromeHost, "pmapi/version", true, http.StatusNotFound},
		{"the chrome's endpoints are not on the pages' host", pagesHost, "shell/view", true, http.StatusNotFound},
		{"an unknown host", "localhost" + chromeHost[strings.LastIndex(chromeHost, ":"):], "pmapi/version", true, http.StatusForbidden},
	} {
		resp := get(tt.host, tt.path, tt.withKey)
		resp.Body.Close()
		if resp.StatusCode != tt.want {
			t.Errorf("%s: GET %s (Host %s) = %d, want %d", tt.name, tt.path, tt.host, resp.StatusCode, tt.want)
		}
	}

	// An event stream open at the end is ended by the shell, cleanly (its
	// last chunk sent), not cut when the shutdown's grace runs out.
	streamCtx, endStream := context.WithCancel(context.Background())
	defer endStream()
	req, err := http.NewRequestWithContext(streamCtx, http.MethodGet, base+"shell/events", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Host = chromeHost
	req.Header.Set(gateway.KeyHeader, key)
	stream, err := http.DefaultClient.Do(req)
	if err != nil || stream.StatusCode != http.StatusOK {
		t.Fatalf("GET /shell/events = %v, %v", stream, err)
	}
	defer stream.Body.Close()

	cancel()
	if err := <-served; err != nil {
		t.Errorf("Serve after cancel = %v, want nil", err)
	}
	if _, err := io.Copy(io.Discard, stream.Body); err != nil {
		t.Errorf("the event stream open at the end was cut (%v), not ended", err)
	}
}
