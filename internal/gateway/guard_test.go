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
		wantCookie bool
	}{
		{name: "the key header passes", header: map[string]string{KeyHeader: key}, wantStatus: 200},
		{name: "the key cookie passes", cookie: key, wantStatus: 200},
		{name: "the key in the query of a GET passes and sets the cookie", target: "/?key=" + key, wantStatus: 200, wantCookie: true},
		{name: "the key in the query of a POST is refused", method: http.MethodPost, target: "/?key=" + key, wantStatus: 401},
		{name: "a wrong key in the query is refused", target: "/?key=nope", wantStatus: 401},
		{name: "no key is refused", wantStatus: 401},
		{name: "a wrong key header is refused", header: map[string]string{KeyHeader: "nope"}, wantStatus: 401},
		{name: "a wrong cookie is refused", cookie: "nope", wantStatus: 401},
		{name: "a wrong key header is not rescued by the query", target: "/?key=" + key, header: map[string]string{KeyHeader: "nope"}, wantStatus: 401},
		{name: "a wrong Host is forbidden even with the key", host: "evil.example:8123", header: map[string]string{KeyHeader: key}, wantStatus: 403},
		{name: "localhost instead of the address is forbidden", host: "localhost:8123", header: map[string]string{KeyHeader: key}, wantStatus: 403},
		{name: "a foreign Origin is forbidden even with the key", header: map[string]string{KeyHeader: key, "Origin": "http://evil.example"}, wantStatus: 403},
		{name: "an Origin on another port is forbidden", header: map[string]string{KeyHeader: key, "Origin": "http://127.0.0.1:9999"}, wantStatus: 403},
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
				target = "/pmapi/version"
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
				r.AddCookie(&http.Cookie{Name: KeyCookie, Value: tt.cookie})
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != tt.wantStatus {
				t.Fatalf("status = %d, want %d (body %s)", w.Code, tt.wantStatus, w.Body)
			}
			cookies := w.Result().Cookies()
			if !tt.wantCookie {
				if len(cookies) != 0 {
					t.Errorf("cookies set: %v", cookies)
				}
				return
			}
			if len(cookies) != 1 {
				t.Fatalf("cookies = %v, want the key cookie", cookies)
			}
			c := cookies[0]
			if c.Name != KeyCookie || c.Value != key || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Path != "/" {
				t.Errorf("cookie = %+v, want %s=key, HttpOnly, SameSite=Strict, Path=/", c, KeyCookie)
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
