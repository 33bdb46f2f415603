package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"loginshell/internal/screen"
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

// The token's answer carries the view as the window shows it when the
// chrome asks (read after the channel is guarded, not when the handler
// was built), and a refusal carries neither.
func TestTokenCarriesTheView(t *testing.T) {
	t.Parallel()
	sc := screen.New("", "http://p0.localhost:1/", nil, nil)
	reached := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusTeapot) })
	guarded := withToken(reached, WindowChrome{Token: "t0k", Channel: channelOf("pr3fix", nil), View: sc.Current})
	open := withToken(reached, WindowChrome{Token: "t0k", Channel: channelOf("", errors.New("no web view")), View: sc.Current})
	sc.ShowPage("http://p0.localhost:1/webapps/offline-login/login.html", "Offline sign-in")

	w := httptest.NewRecorder()
	guarded.ServeHTTP(w, httptest.NewRequest("GET", "/shell/token", nil))
	var answer struct {
		Token, Channel string
		View           *screen.View
	}
	if err := json.Unmarshal(w.Body.Bytes(), &answer); err != nil || w.Code != 200 {
		t.Fatalf("GET /shell/token = %d %s (%v)", w.Code, w.Body, err)
	}
	if answer.Token != "t0k" || answer.Channel != "pr3fix" || answer.View == nil {
		t.Fatalf("answer = %+v, want the token, the prefix and the view", answer)
	}
	if want := sc.Current(); answer.View.Seq != want.Seq || answer.View.Kind != screen.Page || answer.View.URL != want.URL {
		t.Errorf("view = %+v, want the screen's %+v", *answer.View, want)
	}

	w = httptest.NewRecorder()
	open.ServeHTTP(w, httptest.NewRequest("GET", "/shell/token", nil))
	if w.Code != 503 || strings.Contains(w.Body.String(), "view") || strings.Contains(w.Body.String(), "login.html") {
		t.Errorf("the refusal = %d %s, want a 503 without the view", w.Code, w.Body)
	}
}
