package gateway

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestGuard(t *testing.T) {
	t.Parallel()
	const (
		key      = "0123456789abcdef0123456789abcdef"
		hostport = "127.0.0.1:8123"
	)
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })
	h := Guard(key, hostport, ok)
	tests := []struct {
		name       string
		method     string
		target     string
		host       string // "" = hostport
		header     map[string]string
		cookie     string
		wantStatus int
	}{
		{name: "the key header passes", header: map[string]string{KeyHeader: key}, wantStatus: 200},
		{name: "the key in the query of a GET passes (the printed URL)", target: "/?key=" + key, wantStatus: 200},
		{name: "the key in the query of the event stream passes", target: "/shell/events?key=" + key, wantStatus: 200},
		{name: "the printed URL wins over a cookie of an earlier run", target: "/?key=" + key, cookie: "0000", wantStatus: 200},
		{name: "a cookie is not a key", cookie: key, wantStatus: 401},
		{name: "the key in the query of a POST is refused", method: http.MethodPost, target: "/shell/retry?key=" + key, wantStatus: 401},
		{name: "a wrong key in the query is refused", target: "/?key=nope", wantStatus: 401},
		{name: "no key is refused", wantStatus: 401},
		{name: "the chrome's index without the key is refused", target: "/", wantStatus: 401},
		{name: "the chrome's built files need no key", target: "/assets/index-1234.js", wantStatus: 200},
		{name: "a POST to the built files still needs the key", method: http.MethodPost, target: "/assets/x", wantStatus: 401},
		{name: "a built path that cleans to another needs the key", target: "/assets/../shell/view", wantStatus: 401},
		{name: "a wrong key header is refused", header: map[string]string{KeyHeader: "nope"}, wantStatus: 401},
		{name: "a wrong key header is not rescued by the query", target: "/?key=" + key, header: map[string]string{KeyHeader: "nope"}, wantStatus: 401},
		{name: "a wrong Host is forbidden even with the key", host: "evil.example:8123", header: map[string]string{KeyHeader: key}, wantStatus: 403},
		{name: "localhost instead of the address is forbidden", host: "localhost:8123", header: map[string]string{KeyHeader: key}, wantStatus: 403},
		{name: "a foreign Origin is forbidden even with the key", header: map[string]string{KeyHeader: key, "Origin": "http://evil.example"}, wantStatus: 403},
		{name: "an Origin on another port is forbidden", header: map[string]string{KeyHeader: key, "Origin": "http://127.0.0.1:9999"}, wantStatus: 403},
		{name: "the pages' Origin is forbidden", header: map[string]string{KeyHeader: key, "Origin": "http://p0123.localhost:8123"}, wantStatus: 403},
		{name: "the shell's own Origin passes", header: map[string]string{KeyHeader: key, "Origin": "http://" + hostport}, wantStatus: 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			method, target := tt.method, tt.target
			if method == "" {
				method = http.MethodGet
			}
			if target == "" {
				target = "/shell/view"
			}
			r := httptest.NewRequest(method, target, nil)
			r.Host = hostport
			if tt.host != "" {
				r.Host = tt.host
			}
			for k, v := range tt.header {
				r.Header.Set(k, v)
			}
			if tt.cookie != "" {
				r.AddCookie(&http.Cookie{Name: "loginshell_key", Value: tt.cookie})
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != tt.wantStatus {
				t.Fatalf("status = %d, want %d (body %s)", w.Code, tt.wantStatus, w.Body)
			}
			if c := w.Result().Cookies(); len(c) != 0 {
				t.Errorf("cookies set: %v; the key never goes into a cookie", c)
			}
			if got := w.Header().Get("Content-Security-Policy"); got != "frame-ancestors 'none'" {
				t.Errorf("Content-Security-Policy = %q, want frame-ancestors 'none'", got)
			}
			if got := w.Header().Get("X-Frame-Options"); got != "DENY" {
				t.Errorf("X-Frame-Options = %q, want DENY", got)
			}
		})
	}
}

func TestNewKey(t *testing.T) {
	t.Parallel()
	a, b := NewKey(), NewKey()
	if len(a) != 32 || a == b {
		t.Errorf("NewKey = %q, %q; want two different 128-bit hex keys", a, b)
	}
}

// The window's chrome (Wails' asset server's middleware) forbids framing
// on every answer, its documents included, whatever the handler writes.
func TestUnframed(t *testing.T) {
	t.Parallel()
	h := Unframed(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusOK)
	}))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
	if got := w.Header().Get("Content-Security-Policy"); got != "frame-ancestors 'none'" {
		t.Errorf("Content-Security-Policy = %q, want frame-ancestors 'none'", got)
	}
	if got := w.Header().Get("X-Frame-Options"); got != "DENY" {
		t.Errorf("X-Frame-Options = %q, want DENY", got)
	}
}
