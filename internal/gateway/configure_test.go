package gateway

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"loginshell/internal/auth"
	"loginshell/internal/fault"
	"loginshell/internal/loginurl"
	"loginshell/internal/screen"
)

// configurer records what POST /shell/configure applies and answers err.
type configurer struct {
	err error

	mu  sync.Mutex
	got []string
}

func (c *configurer) Configure(u string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.got = append(c.got, u)
	return c.err
}

func configureHandler(t *testing.T, c *configurer) http.Handler {
	t.Helper()
	o := Options{Screen: screen.New("", "", nil, nil), Retry: func() {}, Cancel: func() error { return nil }}
	if c != nil {
		o.Configure = c.Configure
	}
	h, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func postConfigure(h http.Handler, contentType, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, "/shell/configure", strings.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

func TestConfigureEndpoint(t *testing.T) {
	t.Parallel()
	badURL := fault.Detail(loginurl.ErrInvalid, "plain http is allowed only on this machine")
	tests := []struct {
		name       string
		err        error // what the shell's Configure answers
		ctype      string
		body       string
		wantStatus int
		wantOK     bool
		wantText   string   // part of the error text shown
		wantCalls  []string // what reached Configure
	}{
		{"a login server is applied", nil, "application/json", `{"login_url":"https://login.example.com"}`,
			200, true, "", []string{"https://login.example.com"}},
		{"a charset parameter is fine", nil, "application/json; charset=utf-8", `{"login_url":"https://a.example"}`,
			200, true, "", []string{"https://a.example"}},
		{"a refused address answers 200 with the rule", badURL, "application/json", `{"login_url":"http://example.com"}`,
			200, false, "only on this machine", []string{"http://example.com"}},
		{"an empty address goes to the shell, which refuses it", fault.Detail(loginurl.ErrInvalid, "it is empty"),
			"application/json", `{"login_url":""}`, 200, false, "it is empty", []string{""}},
		{"a running sign-in answers 200 with its text", auth.ErrInProgress, "application/json", `{"login_url":"https://a.example"}`,
			200, false, "already in progress", []string{"https://a.example"}},
		{"an internal error is not shown", errors.New("rename /secret/settings.json: disk full"), "application/json",
			`{"login_url":"https://a.example"}`, 200, false, "internal error", []string{"https://a.example"}},
		{"a form post is refused", nil, "application/x-www-form-urlencoded", "login_url=https://a.example",
			415, false, "application/json", nil},
		{"no content type is refused", nil, "", `{"login_url":"https://a.example"}`, 415, false, "application/json", nil},
		{"broken JSON is a bad request", nil, "application/json", `{"login_url":`, 400, false, "login_url", nil},
		{"a missing login_url is a bad request", nil, "application/json", `{}`, 400, false, "login_url", nil},
		{"a login_url that is not a string is a bad request", nil, "application/json", `{"login_url":7}`, 400, false, "login_url", nil},
		{"an unknown field is a bad request", nil, "application/json", `{"login_url":"https://a.example","client_id":"x"}`,
			400, false, "login_url", nil},
		{"trailing data is a bad request", nil, "application/json", `{"login_url":"https://a.example"} {}`, 400, false, "login_url", nil},
		{"an oversized body is a bad request", nil, "application/json", `{"login_url":"https://a.example/` + strings.Repeat("a", 20<<10) + `"}`,
			400, false, "login_url", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := &configurer{err: tt.err}
			w := postConfigure(configureHandler(t, c), tt.ctype, tt.body)
			var res configureAnswer
			if err := json.Unmarshal(w.Body.Bytes(), &res); err != nil || w.Code != tt.wantStatus {
				t.Fatalf("POST /shell/configure = %d %s (%v), want %d", w.Code, w.Body, err, tt.wantStatus)
			}
			if res.OK != tt.wantOK || !strings.Contains(res.Error, tt.wantText) {
				t.Errorf("answer = %+v, want ok %v and an error containing %q", res, tt.wantOK, tt.wantText)
			}
			if strings.Contains(w.Body.String(), "/secret") {
				t.Errorf("the internal cause leaked: %s", w.Body)
			}
			if !slices.Equal(c.got, tt.wantCalls) {
				t.Errorf("Configure got %q, want %q", c.got, tt.wantCalls)
			}
		})
	}
}

func TestConfigureEndpointIsOptional(t *testing.T) {
	t.Parallel()
	w := postConfigure(configureHandler(t, nil), "application/json", `{"login_url":"https://a.example"}`)
	if w.Code != http.StatusNotFound {
		t.Errorf("POST /shell/configure without Configure = %d %s, want 404", w.Code, w.Body)
	}
}
