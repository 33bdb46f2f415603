package serve_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"loginshell/internal/audit"
	"loginshell/internal/gateway"
	"loginshell/internal/settings"
	"loginshell/internal/shell/shelltest"
	"loginshell/internal/user"
	"loginshell/internal/webapps"
)

// TestSettingsPlaceIsTheChromes attacks the Settings place of the browser
// mode as a hosted page (or another program on the machine) would: from
// the pages' origin, and at the chrome's origin without its key or with a
// page's Origin. None of it reads or changes the login server, the
// redirect port, the signature store or installer_role; the chrome, with
// its key, does, with the rule's words beside the field at fault.
func TestSettingsPlaceIsTheChromes(t *testing.T) {
	t.Parallel()
	const login = "https://login.example.com"
	sh := shelltest.New(t, shelltest.Options{})
	for k, v := range map[string]any{settings.LoginURL: login, settings.RedirectPort: "8765", settings.InstallerRole: "Supervisor"} {
		if err := sh.Settings.Set(k, v); err != nil {
			t.Fatal(err)
		}
	}
	chrome, pages, err := gateway.ForBrowser(sh.Shell, nil, "p.localhost:1", []string{"http://127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	const key = "k3y"
	var guarded http.Handler
	cs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { guarded.ServeHTTP(w, r) }))
	t.Cleanup(cs.Close)
	guarded = gateway.Guard(key, strings.TrimPrefix(cs.URL, "http://"), chrome)
	ps := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Host = webapps.PackageLabel("lineapp") + ".p.localhost:1"
		pages.ServeHTTP(w, r)
	}))
	t.Cleanup(ps.Close)
	pagesOrigin := "http://" + webapps.PackageLabel("lineapp") + ".p.localhost:1"

	send := func(base, method, path, body string, header map[string]string) (int, string) {
		t.Helper()
		req, err := http.NewRequest(method, base+path, bytes.NewReader([]byte(body)))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		for k, v := range header {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var buf bytes.Buffer
		_, _ = buf.ReadFrom(resp.Body)
		return resp.StatusCode, buf.String()
	}
	evil := `{"loginURL":"https://evil.example","redirectPort":"9","signatureStore":"postgres://evil@evil.example/db"}`
	for _, tt := range []struct {
		name, base, method, path, body string
		header                         map[string]string
		want                           int
	}{
		{"a page reads the place on its own origin", ps.URL, "GET", "/shell/settings", "", nil, http.StatusNotFound},
		{"a page saves the place on its own origin", ps.URL, "POST", "/shell/settings", evil, nil, http.StatusNotFound},
		{"a page reads the place at the chrome's origin, without the key", cs.URL, "GET", "/shell/settings", "", nil, http.StatusUnauthorized},
		{"a page saves the place at the chrome's origin, without the key", cs.URL, "POST", "/shell/settings", evil, nil, http.StatusUnauthorized},
		{"a guessed key", cs.URL, "POST", "/shell/settings?key=" + key, evil, map[string]string{gateway.KeyHeader: "k3Y"}, http.StatusUnauthorized},
		{"the key in the URL of a POST", cs.URL, "POST", "/shell/settings?key=" + key, evil, nil, http.StatusUnauthorized},
		{"a page's Origin, even with the key", cs.URL, "POST", "/shell/settings", evil,
			map[string]string{gateway.KeyHeader: key, "Origin": pagesOrigin}, http.StatusForbidden},
		{"a page repoints the login server through /pmapi", ps.URL, "PUT", "/pmapi/usersettings/login_url", `"https://evil.example"`, nil, http.StatusForbidden},
		{"a page repoints it under the container's alias", ps.URL, "PUT", "/pmapi/usersettings", `{"server_url":"https://evil.example"}`, nil, http.StatusForbidden},
		{"a page moves the redirect port through /pmapi", ps.URL, "PUT", "/pmapi/usersettings/redirect_port", `9`, nil, http.StatusForbidden},
		{"a page moves the signature store through /pmapi", ps.URL, "PUT", "/pmapi/usersettings", `{"signature_store":"postgres://evil@evil.example/db"}`, nil, http.StatusForbidden},
		{"a page lifts installer_role through /pmapi", ps.URL, "DELETE", "/pmapi/usersettings/installer_role", "", nil, http.StatusForbidden},
		{"a page changes installer_role through /pmapi", ps.URL, "PUT", "/pmapi/usersettings/Installer_Role", `"Operator"`, nil, http.StatusForbidden},
	} {
		code, body := send(tt.base, tt.method, tt.path, tt.body, tt.header)
		if code != tt.want {
			t.Errorf("%s: %s %s = %d %s; want %d", tt.name, tt.method, tt.path, code, body, tt.want)
		}
		if strings.Contains(body, login) {
			t.Errorf("%s: the answer shows the login server: %s", tt.name, body)
		}
	}
	unchanged := func() {
		t.Helper()
		if got := sh.Settings.String(settings.LoginURL); got != login {
			t.Errorf("login_url = %q, want %q", got, login)
		}
		if got := sh.Settings.Port(settings.RedirectPort); got != 8765 {
			t.Errorf("redirect_port = %d, want 8765", got)
		}
		if got := sh.Settings.String(settings.SignatureStore); got != "" {
			t.Errorf("signature_store = %q, want none", got)
		}
		if got := sh.Settings.String(settings.InstallerRole); got != "Supervisor" {
			t.Errorf("installer_role = %q, want Supervisor", got)
		}
	}
	unchanged()

	// The chrome, with its key: the place shows the values, refuses a bad
	// address beside its field, and stores a good change.
	withKey := map[string]string{gateway.KeyHeader: key}
	code, body := send(cs.URL, "GET", "/shell/settings", "", withKey)
	var v struct {
		LoginURL      string `json:"loginURL"`
		RedirectPort  int    `json:"redirectPort"`
		InstallerRole string `json:"installerRole"`
		StoreInUse    string `json:"storeInUse"`
	}
	if err := json.Unmarshal([]byte(body), &v); code != 200 || err != nil || v.LoginURL != login || v.RedirectPort != 8765 ||
		v.InstallerRole != "Supervisor" || v.StoreInUse == "" {
		t.Errorf("the chrome's GET /shell/settings = %d %s", code, body)
	}
	var a struct {
		OK      bool   `json:"ok"`
		Error   string `json:"error"`
		Field   string `json:"field"`
		Message string `json:"message"`
	}
	code, body = send(cs.URL, "POST", "/shell/settings", `{"loginURL":"login.example.org","redirectPort":"8765","signatureStore":""}`, withKey)
	if err := json.Unmarshal([]byte(body), &a); code != 200 || err != nil || a.OK || a.Field != "loginURL" || !strings.Contains(a.Error, "add https://") {
		t.Errorf("a bad address from the chrome = %d %s; want 200, ok false, beside loginURL, saying add https://", code, body)
	}
	unchanged()
	for _, bad := range []struct{ ct, body string }{
		{"text/plain", `{"loginURL":"https://x.example"}`},
		{"application/json", `{"loginURL":"https://x.example","installerRole":""}`},
		{"application/json", `{"loginURL":"https://x.example"} {}`},
	} {
		h := map[string]string{gateway.KeyHeader: key, "Content-Type": bad.ct}
		if code, body := send(cs.URL, "POST", "/shell/settings", bad.body, h); code != http.StatusUnsupportedMediaType && code != http.StatusBadRequest {
			t.Errorf("POST /shell/settings %s %s = %d %s; want 415 or 400", bad.ct, bad.body, code, body)
		}
	}
	unchanged()
	code, body = send(cs.URL, "POST", "/shell/settings", `{"loginURL":"`+login+`","redirectPort":"9001","signatureStore":""}`, withKey)
	if err := json.Unmarshal([]byte(body), &a); code != 200 || err != nil || !a.OK || !strings.Contains(a.Message, "next sign-in") {
		t.Errorf("a good change from the chrome = %d %s", code, body)
	}
	if got := sh.Settings.Port(settings.RedirectPort); got != 9001 {
		t.Errorf("redirect_port = %d after the chrome's change, want 9001", got)
	}
}

// Only the browser mode's handler has /shell/settings: the window reaches
// the place through its bindings, which take the chrome's token.
func TestSettingsPlaceNotInTheWindowsHandler(t *testing.T) {
	t.Parallel()
	sh := shelltest.New(t, shelltest.Options{})
	window, _, err := gateway.ForWindow(sh.Shell, windowChrome, "p.localhost:1", []string{"wails://wails"})
	if err != nil {
		t.Fatal(err)
	}
	for _, token := range []string{"", windowChrome.Token} {
		req := httptest.NewRequest(http.MethodGet, "/shell/settings", nil)
		if token != "" {
			req.Header.Set(gateway.KeyHeader, token)
		}
		w := httptest.NewRecorder()
		window.ServeHTTP(w, req)
		if want := map[bool]int{true: http.StatusNotFound, false: http.StatusUnauthorized}[token != ""]; w.Code != want {
			t.Errorf("the window's GET /shell/settings (token %q) = %d %s, want %d", token, w.Code, w.Body, want)
		}
	}
}

// The view tells the chrome whether the person signed in may install, so
// it offers Install package… only to them: nobody before a sign-in, and
// with installer_role only a person with that role.
func TestViewSaysWhoMayInstall(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name     string
		roles    []string
		signedIn bool
		role     string
		want     bool
	}{
		{name: "nobody signed in", want: false},
		{name: "a signed-in person, no installer_role", signedIn: true, roles: []string{"Operator"}, want: true},
		{name: "a person with the installer role", signedIn: true, roles: []string{"Operator", "Supervisor"}, role: "supervisor", want: true},
		{name: "a person without it", signedIn: true, roles: []string{"Operator"}, role: "Supervisor", want: false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sh := shelltest.New(t, shelltest.Options{})
			if err := sh.Settings.Set(settings.InstallerRole, tt.role); err != nil {
				t.Fatal(err)
			}
			if tt.signedIn {
				sh.Users.SignIn(user.Profile{Username: "operator", Roles: tt.roles}, user.Online)
			}
			sh.Screen.Refresh()
			u := sh.Screen.Current().User
			if got := u != nil && u.MayInstall; got != tt.want {
				t.Errorf("view user %+v: may install %v, want %v", u, got, tt.want)
			}
			if got := sh.Installs.Permitted() == nil; got != tt.want {
				t.Errorf("the install service permits: %v, want %v (the view and the guard must agree)", got, tt.want)
			}
		})
	}
}

// TestAPageCannotRepointTheLoginServerNorWriteTheTrail attacks, as the
// page of a package would, the two settings a signature depends on
// (settings.Recorded): through /pmapi/usersettings, under every spelling
// and method, it changes neither login_url nor client_id, and writes no
// entry to the audit trail in their name (an entry a page could write
// would bury a real change among forged ones).
func TestAPageCannotRepointTheLoginServerNorWriteTheTrail(t *testing.T) {
	t.Parallel()
	const login, client = "https://login.example.com", "plant-shell"
	sh := shelltest.New(t, shelltest.Options{})
	if err := sh.Settings.MergeVia(map[string]any{settings.LoginURL: login, settings.ClientID: client}, settings.ViaCommandLine); err != nil {
		t.Fatal(err)
	}
	_, pages, err := gateway.ForBrowser(sh.Shell, nil, "p.localhost:1", []string{"http://127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	ps := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Host = webapps.PackageLabel("lineapp") + ".p.localhost:1"
		pages.ServeHTTP(w, r)
	}))
	t.Cleanup(ps.Close)
	settingEntries := func() (n int) {
		t.Helper()
		sh.SettingsWritten()
		if err := sh.Store.AuditEntries(context.Background(), func(e audit.Entry) error {
			if e.Event == audit.EventSetting {
				n++
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := settingEntries()
	if before != 2 {
		t.Fatalf("the trail holds %d setting entries for the command line's login_url and client_id, want 2", before)
	}
	for _, tt := range []struct{ name, method, path, body string }{
		{"login_url", "PUT", "/pmapi/usersettings/login_url", `"https://evil.example"`},
		{"login_url in capitals", "PUT", "/pmapi/usersettings/LOGIN_URL", `"https://evil.example"`},
		{"the container's alias", "PUT", "/pmapi/usersettings/server_url", `"https://evil.example"`},
		{"login_url among a page's own keys", "PUT", "/pmapi/usersettings", `{"theme":"dark","login_url":"https://evil.example"}`},
		{"client_id", "PUT", "/pmapi/usersettings/client_id", `"evil-client"`},
		{"client_id with spaces around", "PUT", "/pmapi/usersettings", `{" client_id ":"evil-client"}`},
		{"login_url cleared", "DELETE", "/pmapi/usersettings/login_url", ""},
		{"client_id cleared", "DELETE", "/pmapi/usersettings/client_id", ""},
	} {
		req, err := http.NewRequest(tt.method, ps.URL+tt.path, strings.NewReader(tt.body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s: %s %s = %d, want 403", tt.name, tt.method, tt.path, resp.StatusCode)
		}
	}
	if got := sh.Settings.String(settings.LoginURL); got != login {
		t.Errorf("login_url = %q after the page's attempts, want %q", got, login)
	}
	if got := sh.Settings.String(settings.ClientID); got != client {
		t.Errorf("client_id = %q after the page's attempts, want %q", got, client)
	}
	if n := settingEntries() - before; n != 0 {
		t.Errorf("the page's attempts wrote %d setting entries to the trail, want none", n)
	}
}
