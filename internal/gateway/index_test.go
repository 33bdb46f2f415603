package gateway

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
)

const testIndex = `<head><title>chrome</title></head><body><iframe id="content" title="Content" hidden></iframe></body>`

// Both transports serve index.html as it is, never cached, when it is
// asked for: the browser mode at / and any unknown path (a reload
// anywhere), the window through WithIndex before Wails' own assets; other
// files as they are.
func TestIndexServedByBoth(t *testing.T) {
	t.Parallel()
	fsys := fstest.MapFS{"index.html": {Data: []byte(testIndex)}, "assets/app.js": {Data: []byte("js")}}
	window := WithIndex(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("wails")) }), fsys)
	browser := assets(fsys, Index(fsys))
	for _, tt := range []struct {
		name    string
		handler http.Handler
		path    string
		want    string
	}{
		{"window /", window, "/", testIndex},
		{"window /index.html", window, "/index.html", testIndex},
		{"window, another file", window, "/assets/app.js", "wails"},
		{"browser /", browser, "/", testIndex},
		{"browser, an unknown path", browser, "/somewhere/else", testIndex},
		{"browser, a file", browser, "/assets/app.js", "js"},
	} {
		rec := httptest.NewRecorder()
		tt.handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, tt.path, nil))
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), tt.want) {
			t.Errorf("%s: %d %s, want %q", tt.name, rec.Code, rec.Body, tt.want)
		}
		if tt.want != testIndex {
			continue
		}
		if ct, cc := rec.Header().Get("Content-Type"), rec.Header().Get("Cache-Control"); !strings.HasPrefix(ct, "text/html") || cc != "no-store" {
			t.Errorf("%s: Content-Type %q, Cache-Control %q", tt.name, ct, cc)
		}
	}
}

// The browser mode's guard lets the chrome's built files through without
// the key, and neither a missing one nor a path that cleans to another is
// answered with the index: the chrome, which holds the key, only with it.
func TestTheIndexNeedsTheKey(t *testing.T) {
	t.Parallel()
	const key, hostport = "0123456789abcdef0123456789abcdef", "127.0.0.1:8123"
	fsys := fstest.MapFS{"index.html": {Data: []byte(testIndex)}, "assets/app.js": {Data: []byte("js")}}
	h := Guard(key, hostport, assets(fsys, Index(fsys)))
	for _, tt := range []struct {
		target string
		want   int
	}{
		{"/assets/app.js", 200},
		{"/assets/missing.js", 404},
		{"/assets/../index.html", 401},
		{"/assets/..", 401},
		{"/", 401},
		{"/?key=" + key, 200},
	} {
		r := httptest.NewRequest(http.MethodGet, tt.target, nil)
		r.Host = hostport
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		index := strings.Contains(w.Body.String(), "<title>chrome</title>")
		if w.Code != tt.want || index != (tt.target == "/?key="+key) {
			t.Errorf("GET %s: %d (the index: %v), want %d", tt.target, w.Code, index, tt.want)
		}
	}
}
