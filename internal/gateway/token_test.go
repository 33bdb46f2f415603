package gateway

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// channelOf answers prefix, or err.
func channelOf(prefix string, err error) func(context.Context) (string, error) {
	return func(context.Context) (string, error) { return prefix, err }
}

func TestTokenEndpoint(t *testing.T) {
	t.Parallel()
	reached := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusTeapot) })
	guarded := withToken(reached, WindowChrome{Token: "t0k", Channel: channelOf("pr3fix", nil)})
	open := withToken(reached, WindowChrome{Token: "t0k", Channel: channelOf("", errors.New("no web view"))})
	for _, tt := range []struct {
		name         string
		h            http.Handler
		method, path string
		token        string // in KeyHeader
		want         int
		body         string
	}{
		{"the chrome gets the token and the channel's prefix", guarded, "GET", "/shell/token", "", 200, `{"channel":"pr3fix","token":"t0k"}`},
		{"nothing while the channel is open to pages", open, "GET", "/shell/token", "", 503, ""},
		{"the token only by GET", guarded, "POST", "/shell/token", "", 405, ""},
		{"an endpoint with the token is reached", guarded, "POST", "/shell/install", "t0k", 418, ""},
		{"an endpoint without the token is refused", guarded, "POST", "/shell/install", "", 401, ""},
		{"an endpoint with a wrong token is refused", guarded, "POST", "/shell/install", "t0K", 401, ""},
		{"a GET without the token is refused too", guarded, "GET", "/shell/view", "", 401, ""},
		{"what is not under /shell/ passes", guarded, "GET", "/pmapi/version", "", 418, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest(tt.method, tt.path, nil)
			if tt.token != "" {
				r.Header.Set(KeyHeader, tt.token)
			}
			w := httptest.NewRecorder()
			tt.h.ServeHTTP(w, r)
			if w.Code != tt.want || (tt.body != "" && strings.TrimSpace(w.Body.String()) != tt.body) {
				t.Errorf("%s %s = %d %s, want %d %s", tt.method, tt.path, w.Code, w.Body, tt.want, tt.body)
			}
			if w.Code == 503 && strings.Contains(w.Body.String(), "t0k") {
				t.Errorf("the refusal handed out the token: %s", w.Body)
			}
		})
	}
}
