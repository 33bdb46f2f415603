package demoidp

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestOnceDocument(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		answers   []int // the status next gives at each call
		wantCalls int
		want      []int // the status each of three requests gets
	}{
		{"a 200 is kept", []int{200}, 1, []int{200, 200, 200}},
		{"a failure is not kept", []int{500, 200}, 2, []int{500, 200, 200}},
		{"nor is a 304 or a 404", []int{304, 404, 200}, 3, []int{304, 404, 200}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			calls := 0
			next := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				status := tt.answers[min(calls, len(tt.answers)-1)]
				calls++
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(status)
				_, _ = io.WriteString(w, `{"n":`+string(rune('0'+calls))+`}`)
			})
			d := &onceDocument{next: next}
			var first string
			for i, want := range tt.want {
				rec := httptest.NewRecorder()
				d.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, pathDiscovery, nil))
				if rec.Code != want {
					t.Errorf("request %d: status %d, want %d", i+1, rec.Code, want)
				}
				if got := rec.Header().Get("Content-Type"); got != "application/json" {
					t.Errorf("request %d: Content-Type %q", i+1, got)
				}
				if rec.Code == http.StatusOK {
					if first == "" {
						first = rec.Body.String()
					} else if rec.Body.String() != first {
						t.Errorf("request %d: body %q, want the kept %q", i+1, rec.Body.String(), first)
					}
				}
			}
			if calls != tt.wantCalls {
				t.Errorf("the provider was asked %d times, want %d", calls, tt.wantCalls)
			}
		})
	}
}

// The document served from memory is the provider's own, byte for byte
// and header for header, and every later answer is the same.
func TestDiscoveryIsTheProvidersDocument(t *testing.T) {
	t.Parallel()
	srv := startServer(t, Options{})
	handler, ok := srv.http.Handler.(*http.ServeMux)
	if !ok {
		t.Fatalf("the server's handler is a %T", srv.http.Handler)
	}
	h, _ := handler.Handler(httptest.NewRequest(http.MethodGet, pathDiscovery, nil))
	if _, ok := h.(*onceDocument); !ok {
		t.Fatalf("discovery is served by a %T, not from memory", h)
	}
	provider, pattern := handler.Handler(httptest.NewRequest(http.MethodGet, "/", nil))
	if pattern != "/" {
		t.Fatalf("no provider at /: %q", pattern)
	}
	direct := httptest.NewRecorder()
	provider.ServeHTTP(direct, httptest.NewRequest(http.MethodGet, srv.Issuer()+pathDiscovery, nil))
	if direct.Code != http.StatusOK || !strings.Contains(direct.Body.String(), `"issuer":"`+srv.Issuer()+`"`) {
		t.Fatalf("the provider's own answer: %d %s", direct.Code, direct.Body)
	}
	for i := range 3 {
		resp, err := http.Get(srv.Issuer() + pathDiscovery)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusOK || string(body) != direct.Body.String() {
			t.Errorf("request %d: %d %s, want the provider's %s", i+1, resp.StatusCode, body, direct.Body)
		}
		for k := range direct.Header() {
			if got, want := resp.Header.Get(k), direct.Header().Get(k); got != want {
				t.Errorf("request %d: %s %q, want %q", i+1, k, got, want)
			}
		}
	}
}
