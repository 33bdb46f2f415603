package serve_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"loginshell/internal/auth"
	"loginshell/internal/boot"
	"loginshell/internal/demoidp"
	"loginshell/internal/gateway"
	"loginshell/internal/loginurl"
	"loginshell/internal/screen"
	"loginshell/internal/settings"
	"loginshell/internal/shell"
	"loginshell/internal/shell/shelltest"
	"loginshell/internal/user"
)

// demoIssuer runs a demo identity provider on loopback for one test.
func demoIssuer(t *testing.T) string {
	t.Helper()
	idp, err := demoidp.Start(demoidp.Options{Addr: "127.0.0.1:0", ClientID: shell.DefaultClientID})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { idp.Close() })
	return idp.Issuer()
}

// navigating builds a shell whose sign-in page opens as the serve mode
// opens it (a navigate view), and whose first boot flow has ended on the
// not-configured error, as the person who types a login server sees it.
func TestConfigure(t *testing.T) {
	t.Parallel()
	// Nothing listens on port 1: the sign-in each accepted address starts
	// ends at once (unreachable), so the test can wait for it.
	tests := []struct {
		name    string
		url     string
		want    string // the login_url stored
		wantErr error
	}{
		{"an https address is stored", "https://127.0.0.1:1/realms/plant",
			"https://127.0.0.1:1/realms/plant", nil},
		{"http on loopback is stored, spaces trimmed", "  http://127.0.0.1:1/idp\n",
			"http://127.0.0.1:1/idp", nil},
		{"http on another host is refused", "http://example.com", "", loginurl.ErrInvalid},
		{"a relative address is refused", "/realms/plant", "", loginurl.ErrInvalid},
		{"an empty address is refused", "", "", loginurl.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sh := shelltest.New(t, shelltest.Options{})
			sh.Boot.Run(context.Background())
			before := sh.Screen.Current()
			if !before.Configure {
				t.Fatalf("before Configure: screen = %+v, want the error offering the form", before)
			}
			err := sh.Boot.SetLoginServer(tt.url)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Configure = %v, want %v", err, tt.wantErr)
			}
			sh.Boot.Wait()
			// Accepted, the boot flow ran again and found the server
			// unreachable: the form is offered again, filled with the
			// address tried, to correct it. Refused, the view stays.
			v := sh.Screen.Current()
			if accepted := v.Seq > before.Seq && v.Configure && v.LoginURL == tt.want; (err == nil) != accepted || (err != nil && v.Seq != before.Seq) {
				t.Errorf("after Configure: screen = %+v (before: seq %d)", v, before.Seq)
			}
			if got := sh.Settings.String(settings.LoginURL); got != tt.want {
				t.Errorf("login_url = %q, want %q", got, tt.want)
			}
			if err != nil && !strings.Contains(err.Error(), "https") {
				t.Errorf("refusal %q does not name the https rule", err)
			}
		})
	}
}

// After Configure the boot flow runs again and goes to the new provider.
func TestConfigureSignsInAtTheNewServer(t *testing.T) {
	t.Parallel()
	issuer := demoIssuer(t)
	sh := shelltest.New(t, shelltest.Options{})
	sh.Boot.Run(context.Background())
	views, stop := sh.Screen.Subscribe()
	defer stop()
	if err := sh.Boot.SetLoginServer(issuer); err != nil {
		t.Fatal(err)
	}
	for v := range views {
		if v.Kind == screen.Error {
			t.Fatalf("the boot flow ended on an error: %+v", v)
		}
		if v.Kind != screen.Navigate {
			continue
		}
		u, err := url.Parse(v.URL)
		if err != nil || !strings.HasPrefix(v.URL, issuer) || u.Query().Get("client_id") != shell.DefaultClientID {
			t.Errorf("navigated to %q, want the provider at %s", v.URL, issuer)
		}
		break
	}
	if !sh.Auth.InProgress() {
		t.Error("no sign-in in progress at the new provider")
	}
	// The sign-in waits for the provider: a second Configure is refused.
	if err := sh.Boot.SetLoginServer("https://login.example.com"); !errors.Is(err, auth.ErrInProgress) {
		t.Errorf("Configure during the sign-in = %v, want %v", err, auth.ErrInProgress)
	}
	if got := sh.Settings.String(settings.LoginURL); got != issuer {
		t.Errorf("login_url = %q, want it left at %q", got, issuer)
	}
}

// With a person signed in the sign-in error's form is refused: the
// Settings place, which asks who may, is the way then.
func TestConfigureRefusedWhileSignedIn(t *testing.T) {
	t.Parallel()
	sh := shelltest.New(t, shelltest.Options{})
	sh.Users.SignIn(user.Profile{Username: "olga", Roles: []string{"Operator"}}, user.Online)
	if err := sh.Boot.SetLoginServer("https://login.example.com"); !errors.Is(err, boot.ErrSignedIn) {
		t.Errorf("Configure = %v, want %v", err, boot.ErrSignedIn)
	}
	if got := sh.Settings.String(settings.LoginURL); got != "" {
		t.Errorf("login_url = %q, want it unset", got)
	}
}

// A sign-in in progress (here alice's offline login page) keeps its server.
func TestConfigureRefusedDuringAFlow(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "state.json"), []byte(`{"last_user":"alice"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	sh := shelltest.New(t, shelltest.Options{DataDir: dir})
	if err := sh.Keychain.Create("alice", "correct horse battery", user.Profile{Username: "alice"}); err != nil {
		t.Fatal(err)
	}
	sh.Boot.Start(context.Background())
	views, stop := sh.Screen.Subscribe()
	for v := sh.Screen.Current(); !v.Auth; v = <-views {
	}
	stop()
	if err := sh.Boot.SetLoginServer("https://login.example.com"); !errors.Is(err, auth.ErrInProgress) {
		t.Errorf("Configure = %v, want %v", err, auth.ErrInProgress)
	}
	if got := sh.Settings.String(settings.LoginURL); got != "" {
		t.Errorf("login_url = %q, want it unset", got)
	}
}

// Only the serve mode's handler has POST /shell/configure; the window sets
// the login server through its binding.
func TestConfigureOnlyInServeHandler(t *testing.T) {
	t.Parallel()
	sh := shelltest.New(t, shelltest.Options{})
	window, _, err := gateway.ForWindow(sh.Shell, windowChrome, "p.localhost:1", []string{"http://127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	serve, _, err := gateway.ForBrowser(sh.Shell, nil, "p.localhost:1", []string{"http://127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	post := func(h http.Handler, body string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, "/shell/configure", bytes.NewReader([]byte(body)))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(gateway.KeyHeader, windowChrome.Token) // the window's chrome would send it
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		return w
	}
	if w := post(window, `{"login_url":"https://127.0.0.1:1"}`); w.Code != http.StatusNotFound {
		t.Errorf("the window's handler: POST /shell/configure = %d %s, want 404", w.Code, w.Body)
	}
	w := post(serve, `{"login_url":"http://example.com"}`)
	var res struct {
		OK    bool   `json:"ok"`
		Error string `json:"error"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &res); err != nil || w.Code != http.StatusOK || res.OK ||
		!strings.Contains(res.Error, loginurl.ErrInvalid.Error()) {
		t.Errorf("serve: a refused address = %d %s (%v), want 200 with the rule", w.Code, w.Body, err)
	}
	if w := post(serve, `{"login_url":"https://127.0.0.1:1"}`); w.Code != http.StatusOK || strings.TrimSpace(w.Body.String()) != `{"ok":true}` {
		t.Errorf("serve: a good address = %d %s, want 200 ok", w.Code, w.Body)
	}
	sh.Boot.Wait()
	if got := sh.Settings.String(settings.LoginURL); got != "https://127.0.0.1:1" {
		t.Errorf("login_url = %q after the serve endpoint", got)
	}
}
