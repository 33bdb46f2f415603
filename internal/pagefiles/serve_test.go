package pagefiles

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"loginshell/internal/webapps"
)

// at serves a catalog's packages at the version version picks ("" or a
// nil version: the highest), as the package library would.
type at struct {
	c       *webapps.Catalog
	version func(name string) string
}

func (a at) Package(name string) (*webapps.Package, error) {
	v := ""
	if a.version != nil {
		v = a.version(name)
	}
	return a.c.Lookup(name, v)
}

func manifestFS(files map[string]string) fstest.MapFS {
	m := fstest.MapFS{}
	for name, data := range files {
		m[name] = &fstest.MapFile{Data: []byte(data), Mode: 0o644}
	}
	return m
}

func testCatalog(t *testing.T) *webapps.Catalog {
	t.Helper()
	c, err := webapps.NewCatalog(manifestFS(map[string]string{
		"app/1.0.0/webapp.json":     `{"name":"app","version":"1.0.0","main":"index.html"}`,
		"app/1.0.0/index.html":      `<!DOCTYPE html><html><head><title>v1</title></head><body>v1</body></html>`,
		"app/2.0.0/webapp.json":     `{"name":"app","version":"2.0.0","main":"index.html"}`,
		"app/2.0.0/index.html":      `<!DOCTYPE html><html><Head><title>v2</title></head><body>v2</body></html>`,
		"app/2.0.0/page.htm":        `<p>fragment`,
		"app/2.0.0/app.js":          `fetch("http://pmapi/user")`,
		"app/2.0.0/mod.mjs":         `export {}`,
		"app/2.0.0/style.css":       `body{}`,
		"app/2.0.0/data.json":       `{}`,
		"app/2.0.0/logo.svg":        `<svg/>`,
		"app/2.0.0/m.wasm":          "\x00asm",
		"app/2.0.0/blob.unknownext": "?",
		"app/2.0.0/docs/index.html": `<head></head>docs`,
		"app/2.0.0/empty/x.txt":     "",
		"app/2.0.0/a b/c&d.html":    `<head></head>spaced`,
	}))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func get(t *testing.T, h http.Handler, method, target string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, "http://wails.localhost/", nil)
	// Set the path by hand so httptest cannot clean it: the handler must cope
	// with whatever a webview or a custom asset server hands it.
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	req.URL = u
	req.RequestURI = target
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestHandlerServesFiles(t *testing.T) {
	t.Parallel()
	h := Handler(at{c: testCatalog(t)})
	tests := []struct {
		name, method, path string
		wantType           string
		wantShim           bool
		wantBody           string // substring
		wantBase           string
	}{
		{name: "the package root serves index.html with the shim", path: "/webapps/app/", wantType: "text/html; charset=utf-8", wantShim: true, wantBody: "v2"},
		{name: "a root without its slash serves index.html with a base", path: "/webapps/app", wantType: "text/html; charset=utf-8", wantShim: true, wantBody: "v2", wantBase: `<base href="/webapps/app/">`},
		{name: "a directory serves its index.html", path: "/webapps/app/docs/", wantType: "text/html; charset=utf-8", wantShim: true, wantBody: "docs"},
		{name: "a directory without its slash gets a base", path: "/webapps/app/docs", wantType: "text/html; charset=utf-8", wantShim: true, wantBody: "docs", wantBase: `<base href="/webapps/app/docs/">`},
		{name: "an htm page gets the shim at its start", path: "/webapps/app/page.htm", wantType: "text/html; charset=utf-8", wantShim: true, wantBody: "<p>fragment"},
		{name: "escaped names are decoded", path: "/webapps/app/a%20b/c&d.html", wantType: "text/html; charset=utf-8", wantShim: true, wantBody: "spaced"},
		{name: "JavaScript is served untouched", path: "/webapps/app/app.js", wantType: "text/javascript; charset=utf-8", wantBody: `fetch("http://pmapi/user")`},
		{name: "a module is JavaScript", path: "/webapps/app/mod.mjs", wantType: "text/javascript; charset=utf-8", wantBody: "export"},
		{name: "CSS is served untouched", path: "/webapps/app/style.css", wantType: "text/css; charset=utf-8", wantBody: "body{}"},
		{name: "JSON has its type", path: "/webapps/app/data.json", wantType: "application/json", wantBody: "{}"},
		{name: "SVG has its type", path: "/webapps/app/logo.svg", wantType: "image/svg+xml", wantBody: "<svg/>"},
		{name: "WebAssembly has its type", path: "/webapps/app/m.wasm", wantType: "application/wasm", wantBody: "asm"},
		{name: "an unknown extension is octet-stream", path: "/webapps/app/blob.unknownext", wantType: "application/octet-stream", wantBody: "?"},
		{name: "HEAD has headers and no body", method: http.MethodHead, path: "/webapps/app/app.js", wantType: "text/javascript; charset=utf-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			method := tt.method
			if method == "" {
				method = http.MethodGet
			}
			rec := get(t, h, method, tt.path)
			if rec.Code != http.StatusOK {
				t.Fatalf("status = %d, body %s", rec.Code, rec.Body)
			}
			hdr := rec.Header()
			if got := hdr.Get("Content-Type"); got != tt.wantType {
				t.Errorf("Content-Type = %q, want %q", got, tt.wantType)
			}
			if got := hdr.Get("Cache-Control"); got != "no-store" {
				t.Errorf("Cache-Control = %q", got)
			}
			if got := hdr.Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("X-Content-Type-Options = %q", got)
			}
			body := rec.Body.String()
			if method == http.MethodHead {
				if body != "" {
					t.Errorf("HEAD body = %q", body)
				}
				if hdr.Get("Content-Length") == "" {
					t.Error("HEAD lacks Content-Length")
				}
				return
			}
			if !strings.Contains(body, tt.wantBody) {
				t.Errorf("body %.120q lacks %q", body, tt.wantBody)
			}
			if got, want := strings.Count(body, shimJS), map[bool]int{true: 1, false: 0}[tt.wantShim]; got != want {
				t.Errorf("shim appears %d times, want %d", got, want)
			}
			if tt.wantBase != "" && !strings.Contains(body, tt.wantBase) {
				t.Errorf("body lacks %q", tt.wantBase)
			}
			if tt.wantBase == "" && strings.Contains(body, "<base") {
				t.Error("body has a <base> it should not")
			}
		})
	}
}

func TestHandlerRefuses(t *testing.T) {
	t.Parallel()
	h := Handler(at{c: testCatalog(t)})
	tests := []struct {
		name, method, path string
		wantStatus         int
	}{
		{name: "a missing file is 404", path: "/webapps/app/nope.html", wantStatus: http.StatusNotFound},
		{name: "a directory without index.html is 404, not a listing", path: "/webapps/app/empty/", wantStatus: http.StatusNotFound},
		{name: "an unknown app is 404", path: "/webapps/nope/index.html", wantStatus: http.StatusNotFound},
		{name: "a path outside the prefix is refused", path: "/other/app/index.html", wantStatus: http.StatusBadRequest},
		{name: "a bare prefix is refused", path: "/webapps/", wantStatus: http.StatusBadRequest},
		{name: "dot-dot traversal is refused", path: "/webapps/x/../../etc/passwd", wantStatus: http.StatusBadRequest},
		{name: "dot-dot inside the package is refused", path: "/webapps/app/docs/../../../etc/passwd", wantStatus: http.StatusBadRequest},
		{name: "encoded dot-dot traversal is refused", path: "/webapps/app/%2e%2e/%2e%2e/etc/passwd", wantStatus: http.StatusBadRequest},
		{name: "an encoded slash with dot-dot is refused", path: "/webapps/app/docs%2f..%2f..%2fx", wantStatus: http.StatusBadRequest},
		{name: "an encoded backslash is refused", path: "/webapps/app/..%5c..%5cx", wantStatus: http.StatusBadRequest},
		{name: "a dot-dot app name is refused", path: "/webapps/../etc/passwd", wantStatus: http.StatusBadRequest},
		{name: "a NUL is refused", path: "/webapps/app/index.html%00.js", wantStatus: http.StatusBadRequest},
		{name: "empty segments are refused", path: "/webapps/app//index.html", wantStatus: http.StatusBadRequest},
		{name: "POST is not allowed", method: http.MethodPost, path: "/webapps/app/index.html", wantStatus: http.StatusMethodNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			method := tt.method
			if method == "" {
				method = http.MethodGet
			}
			rec := get(t, h, method, tt.path)
			if rec.Code != tt.wantStatus {
				t.Fatalf("status = %d, want %d (body %s)", rec.Code, tt.wantStatus, rec.Body)
			}
			if got := rec.Header().Get("Content-Type"); got != "application/json; charset=utf-8" {
				t.Errorf("Content-Type = %q", got)
			}
			var body struct {
				Error string `json:"error"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body.Error == "" {
				t.Errorf("body %q is not {\"error\": ...}: %v", rec.Body, err)
			}
			if strings.Contains(rec.Body.String(), "root:") {
				t.Error("a traversal reached a real file")
			}
		})
	}
}

func TestHandlerPicksVersion(t *testing.T) {
	t.Parallel()
	c := testCatalog(t)
	tests := []struct {
		name       string
		version    string
		wantStatus int
		wantBody   string
	}{
		{name: "an empty answer serves the highest version", version: "", wantStatus: http.StatusOK, wantBody: "v2"},
		{name: "a pinned version is served", version: "1.0.0", wantStatus: http.StatusOK, wantBody: "v1"},
		{name: "a pinned version that is not installed is 404", version: "9", wantStatus: http.StatusNotFound, wantBody: `\"9\"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := Handler(at{c: c, version: func(name string) string {
				if name != "app" {
					t.Errorf("version asked for %q", name)
				}
				return tt.version
			}})
			rec := get(t, h, http.MethodGet, "/webapps/app/index.html")
			if rec.Code != tt.wantStatus || !strings.Contains(rec.Body.String(), tt.wantBody) {
				t.Errorf("got %d %.100q, want %d containing %q", rec.Code, rec.Body, tt.wantStatus, tt.wantBody)
			}
		})
	}
}

func TestHandlerRefusesSymlinks(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	pkg := filepath.Join(dir, "app")
	secret := filepath.Join(dir, "secret.txt")
	for _, f := range []struct{ path, data string }{
		{filepath.Join(pkg, "webapp.json"), `{"name":"app","version":"1","main":"index.html"}`},
		{filepath.Join(pkg, "index.html"), "ok"},
		{secret, "root:x:0:0"},
	} {
		if err := os.MkdirAll(filepath.Dir(f.path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(f.path, []byte(f.data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(secret, filepath.Join(pkg, "leak.txt")); err != nil {
		t.Skipf("cannot make symlinks here: %v", err)
	}
	if err := os.Symlink(dir, filepath.Join(pkg, "up")); err != nil {
		t.Fatal(err)
	}
	c, err := webapps.NewCatalog(os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	h := Handler(at{c: c})
	if rec := get(t, h, http.MethodGet, "/webapps/app/index.html"); rec.Code != http.StatusOK {
		t.Fatalf("index.html status = %d", rec.Code)
	}
	for _, p := range []string{"/webapps/app/leak.txt", "/webapps/app/up/secret.txt"} {
		rec := get(t, h, http.MethodGet, p)
		if rec.Code != http.StatusNotFound || strings.Contains(rec.Body.String(), "root:") {
			t.Errorf("%s: status %d body %q, want 404", p, rec.Code, rec.Body)
		}
	}
}
