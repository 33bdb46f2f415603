package gateway

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestTokenEndpoint(t *testing.T) {
	t.Parallel()
	h := withToken(http.NotFoundHandler(), "t0k")
	for _, tt := range []struct {
		method, path string
		want         int
		body         string
	}{
		{"GET", "/shell/token", 200, `{"token":"t0k"}`},
		{"POST", "/shell/token", 405, ""},
		{"GET", "/shell/view", 404, ""},
	} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(tt.method, tt.path, nil))
		if w.Code != tt.want || (tt.body != "" && strings.TrimSpace(w.Body.String()) != tt.body) {
			t.Errorf("%s %s = %d %s, want %d %s", tt.method, tt.path, w.Code, w.Body, tt.want, tt.body)
		}
	}
}
