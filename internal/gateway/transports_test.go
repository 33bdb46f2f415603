package gateway

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"loginshell/internal/shell/shelltest"
)

// The window's chrome and the browser mode's differ only in the endpoints
// the window's bindings stand for and in the bindings' token (the
// requests here carry it).
func TestForWindowAndForBrowser(t *testing.T) {
	t.Parallel()
	sh := shelltest.New(t, shelltest.Options{})
	ancestors := []string{"http://127.0.0.1:1"}
	channel := func(context.Context) (string, error) { return "", nil }
	if _, _, err := ForWindow(sh.Shell, WindowChrome{Channel: channel}, "p.localhost:1", ancestors); err == nil {
		t.Error("ForWindow accepted an empty token")
	}
	if _, _, err := ForWindow(sh.Shell, WindowChrome{Token: "t0k"}, "p.localhost:1", ancestors); err == nil {
		t.Error("ForWindow accepted no channel")
	}
	window, _, err := ForWindow(sh.Shell, WindowChrome{Token: "t0k", Channel: channel}, "p.localhost:1", ancestors)
	if err != nil {
		t.Fatal(err)
	}
	browser, _, err := ForBrowser(sh.Shell, nil, "p.localhost:1", ancestors)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name            string
		method, path    string
		window, browser int
	}{
		{"both show the view", "GET", "/shell/view", 200, 200},
		{"only the window hands out the bindings' token", "GET", "/shell/token", 200, 404},
		{"both take uploads (this one is no zip)", "POST", "/shell/install", 415, 415},
		{"only the browser mode sets the login server", "POST", "/shell/configure", 404, 415},
		{"only the browser mode answers the signature dialog", "DELETE", "/shell/challenge/c1", 404, 200},
		{"only the browser mode hears of a page behind a sign-in page (the window: its binding)", "POST", "/shell/signin/exposed", 404, 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, h := range []struct {
				name string
				h    http.Handler
				want int
			}{{"window", window, tt.window}, {"browser", browser, tt.browser}} {
				w := httptest.NewRecorder()
				r := httptest.NewRequest(tt.method, tt.path, strings.NewReader(""))
				r.Header.Set(KeyHeader, "t0k")
				h.h.ServeHTTP(w, r)
				if w.Code != h.want {
					t.Errorf("%s: %s %s = %d %s, want %d", h.name, tt.method, tt.path, w.Code, w.Body, h.want)
				}
			}
		})
	}
}
