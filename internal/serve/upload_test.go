package serve_test

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"loginshell/internal/gateway"
	"loginshell/internal/settings"
	"loginshell/internal/shell/shelltest"
	"loginshell/internal/user"
)

// windowChrome is the window's side of gateway.ForWindow in these tests.
var windowChrome = gateway.WindowChrome{Token: "t0k", Channel: func(context.Context) (string, error) { return "", nil }}

// lineappZip is a good package, lineapp 1.2.0.
func lineappZip(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range map[string]string{
		"webapp.json": `{"name":"lineapp","version":"1.2.0","main":"index.html"}`,
		"index.html":  "<p>new</p>",
	} {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, body)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// A package dropped on the window's chrome is uploaded with the bindings'
// token; a hosted page can post the same bytes to the chrome's origin
// blind (a no-cors fetch), but not with the token, which it cannot read:
// refused, and nothing installed. The serve mode's handler installs the
// upload (its key is checked by Guard, in front of it). Both install into
// the data directory through the one install service, which refuses
// (403) while nobody is signed in and a person without installer_role's
// role, whatever the chrome offered.
func TestUploadNeedsTheWindowsToken(t *testing.T) {
	t.Parallel()
	body := lineappZip(t)
	installed := func(dir string) bool {
		_, err := os.Stat(filepath.Join(dir, "webapps", "lineapp", "1.2.0", "index.html"))
		return err == nil
	}
	tests := []struct {
		name       string
		browser    bool // ForBrowser's handler, not ForWindow's
		token      string
		signedOut  bool   // nobody signed in (else operator, role Operator)
		role       string // the installer_role setting
		wantStatus int
	}{
		{"the window refuses an upload without the token", false, "", false, "", http.StatusUnauthorized},
		{"the window refuses an upload with a wrong token", false, "t0K", false, "", http.StatusUnauthorized},
		{"the window refuses an upload with a blank token", false, " ", false, "", http.StatusUnauthorized},
		{"the window installs the chrome's upload", false, "t0k", false, "", http.StatusOK},
		{"serve's handler installs the upload", true, "", false, "", http.StatusOK},
		{"the window refuses the chrome's upload while nobody is signed in", false, "t0k", true, "", http.StatusForbidden},
		{"serve's handler refuses an upload while nobody is signed in", true, "", true, "", http.StatusForbidden},
		{"serve's handler refuses a person without installer_role", true, "", false, "Supervisor", http.StatusForbidden},
		{"the window refuses a person without installer_role", false, "t0k", false, "Supervisor", http.StatusForbidden},
		{"serve's handler installs for a person with installer_role", true, "", false, "operator", http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			sh := shelltest.New(t, shelltest.Options{DataDir: dir})
			if !tt.signedOut {
				sh.Users.SignIn(user.Profile{Username: "operator", Roles: []string{"Operator"}}, user.Online)
			}
			if err := sh.Settings.Set(settings.InstallerRole, tt.role); err != nil {
				t.Fatal(err)
			}
			var h http.Handler
			var err error
			if tt.browser {
				h, _, err = gateway.ForBrowser(sh.Shell, nil, "p.localhost:1", []string{"http://127.0.0.1:1"})
			} else {
				h, _, err = gateway.ForWindow(sh.Shell, windowChrome, "p.localhost:1", []string{"wails://wails"})
			}
			if err != nil {
				t.Fatal(err)
			}
			req := httptest.NewRequest(http.MethodPost, "/shell/install", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/zip")
			if tt.token != "" {
				req.Header.Set(gateway.KeyHeader, tt.token)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			if w.Code != tt.wantStatus {
				t.Errorf("status %d (%s), want %d", w.Code, w.Body, tt.wantStatus)
			}
			if want := tt.wantStatus == http.StatusOK; installed(dir) != want {
				t.Errorf("installed = %v, want %v", !want, want)
			}
		})
	}
}
