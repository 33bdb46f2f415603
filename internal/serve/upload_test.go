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
	"loginshell/internal/shell/shelltest"
)

// windowChrome is the window's side of gateway.ForWindow in these tests.
var windowChrome = gateway.WindowChrome{Token: "t0k", Channel: func(context.Context) (string, error) { return "", nil }}

// The window's handler has no upload endpoint, even with the token; serve's installs into the
// data directory through the same Shell.Install the CLI uses.
func TestUploadOnlyInServeHandler(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	sh := shelltest.New(t, shelltest.Options{DataDir: dir})
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
	window, _, err := gateway.ForWindow(sh.Shell, windowChrome, "p.localhost:1", []string{"http://127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	serve, _, err := gateway.ForBrowser(sh.Shell, nil, "p.localhost:1", []string{"http://127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		h          http.Handler
		wantStatus int
	}{
		{"the window's handler has no upload endpoint", window, http.StatusNotFound},
		{"serve's handler installs the upload", serve, http.StatusOK},
	}
	for _, tt := range tests {
		req := httptest.NewRequest(http.MethodPost, "/shell/install", bytes.NewReader(buf.Bytes()))
		req.Header.Set("Content-Type", "application/zip")
		req.Header.Set(gateway.KeyHeader, windowChrome.Token)
		w := httptest.NewRecorder()
		tt.h.ServeHTTP(w, req)
		if w.Code != tt.wantStatus {
			t.Errorf("%s: status %d (%s), want %d", tt.name, w.Code, w.Body, tt.wantStatus)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "webapps", "lineapp", "1.2.0", "index.html")); err != nil {
		t.Errorf("the upload is not installed: %v", err)
	}
}
