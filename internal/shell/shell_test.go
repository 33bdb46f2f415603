package shell

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"loginshell/internal/gateway"
	"loginshell/internal/keychain"
)

var cheapParams = keychain.Params{Time: 1, MemoryKiB: 64, Threads: 1}

func build(t *testing.T, cfg Config) *Shell {
	t.Helper()
	if cfg.DataDir == "" {
		cfg.DataDir = t.TempDir()
	}
	cfg.InsecureWeakKDF, cfg.KeychainParams = true, cheapParams
	sh, err := Build(cfg)
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	t.Cleanup(func() { _ = sh.Close() })
	return sh
}

func TestBuildWithTempDataDir(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "fresh")
	sh := build(t, Config{DataDir: dir})
	if sh.Screen == nil || sh.Auth == nil || sh.Boot == nil || sh.Users == nil || sh.Settings == nil ||
		sh.Keychain == nil || sh.Packages == nil || sh.Online == nil || sh.Reporter == nil {
		t.Fatalf("Build left an engine nil: %+v", sh)
	}
	if got := sh.Packages.Doc.Starter; got != "lineapp" {
		t.Errorf("starter = %q, want the samples' lineapp", got)
	}
	if !sh.Packages.HasOffline() {
		t.Error("the samples' offline package is not found")
	}
	if sh.Online.Configured() {
		t.Error("online login configured without --demo or login_url")
	}
	for _, sub := range []string{"keychain", "webapps"} {
		if st, err := os.Stat(filepath.Join(dir, sub)); err != nil || !st.IsDir() {
			t.Errorf("%s not created: %v", sub, err)
		}
	}
	if _, err := sh.Handler(nil); err != nil {
		t.Errorf("Handler: %v", err)
	}
}

func TestBuildUsesBootFileInDataDir(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	doc := `{"name":"site","version":"2","starter":"lineapp"}`
	if err := os.WriteFile(filepath.Join(dir, "boot.json"), []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	sh := build(t, Config{DataDir: dir})
	if sh.Packages.Doc.Name != "site" || sh.Packages.HasOffline() {
		t.Errorf("boot document = %+v, want the data directory's", sh.Packages.Doc)
	}
}

func TestBuildRefuses(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	broken := filepath.Join(dir, "broken.json")
	if err := os.WriteFile(broken, []byte(`{"name":"x"`), 0o600); err != nil {
		t.Fatal(err)
	}
	incomplete := filepath.Join(dir, "incomplete.json")
	if err := os.WriteFile(incomplete, []byte(`{"name":"x","version":"1"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.json")
	tests := []struct {
		name     string
		cfg      Config
		wantText []string
	}{
		{"no data directory", Config{}, []string{"--data"}},
		{"a boot file that is not JSON, naming the file", Config{BootFile: broken}, []string{broken}},
		{"a boot file missing starter, naming the file and the field", Config{BootFile: incomplete}, []string{incomplete, "starter"}},
		{"a boot file that does not exist, naming the file", Config{BootFile: missing}, []string{missing}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := tt.cfg
			if tt.name != "no data directory" {
				cfg.DataDir = t.TempDir()
			}
			cfg.InsecureWeakKDF, cfg.KeychainParams = true, cheapParams
			sh, err := Build(cfg)
			if err == nil {
				sh.Close()
				t.Fatal("Build succeeded")
			}
			for _, want := range tt.wantText {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not mention %q", err, want)
				}
			}
		})
	}
}

func TestServeRefusesNonLoopback(t *testing.T) {
	t.Parallel()
	sh := build(t, Config{})
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
			err := sh.Serve(context.Background(), tt.listen, nil, func(line string) { t.Errorf("printed %q", line) })
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Serve(%q) = %v, want an error saying %q", tt.listen, err, tt.want)
			}
		})
	}
}

var bannerRE = regexp.MustCompile(`^loginshell: serving (http://127\.0\.0\.1:\d+/)\?key=([0-9a-f]{32})$`)

func TestServe(t *testing.T) {
	t.Parallel()
	sh := build(t, Config{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	lines := make(chan string, 4)
	served := make(chan error, 1)
	go func() { served <- sh.Serve(ctx, "127.0.0.1:0", nil, func(l string) { lines <- l }) }()
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
	err := json.NewDecoder(resp.Body).Decode(&v)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || err != nil || v.Version != Version {
		t.Errorf("GET /pmapi/version = %d %+v (%v), want 200 and %s", resp.StatusCode, v, err, Version)
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
