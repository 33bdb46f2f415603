package gateway

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/fstest"

	"loginshell/internal/fault"
	"loginshell/internal/keychain"
	"loginshell/internal/screen"
	"loginshell/internal/signature"
)

// fixture is a gateway over tagging handlers and a real screen.
type fixture struct {
	h       http.Handler
	screen  *screen.Screen
	retries atomic.Int32
	idle    atomic.Bool // Cancel finds nothing running
}

func newFixture(t *testing.T, assets fstest.MapFS) *fixture {
	t.Helper()
	f := &fixture{screen: screen.New("9.9", "", nil, nil)}
	f.idle.Store(true)
	o := Options{
		Screen: f.screen,
		Retry:  func() { f.retries.Add(1) },
		Cancel: func() error {
			if f.idle.Load() {
				return errors.New("nothing running")
			}
			return nil
		},
	}
	if assets != nil {
		o.Assets = assets
	}
	h, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	f.h = h
	return f
}

func (f *fixture) do(method, target string) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	f.h.ServeHTTP(w, httptest.NewRequest(method, target, nil))
	return w
}

func TestNewRefusesMissingParts(t *testing.T) {
	t.Parallel()
	full := Options{Screen: screen.New("", "", nil, nil), Retry: func() {}, Cancel: func() error { return nil }}
	tests := []struct {
		name string
		drop func(*Options)
	}{
		{"without a screen", func(o *Options) { o.Screen = nil }},
		{"without retry", func(o *Options) { o.Retry = nil }},
		{"without cancel", func(o *Options) { o.Cancel = nil }},
	}
	for _, tt := range tests {
		t.Run("New refuses options "+tt.name, func(t *testing.T) {
			t.Parallel()
			o := full
			tt.drop(&o)
			if _, err := New(o); err == nil {
				t.Error("New accepted them")
			}
		})
	}
}

func TestRoutes(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fstest.MapFS{
		"index.html":    {Data: []byte("<html>shell</html>")},
		"assets/app.js": {Data: []byte("console.log(1)")},
	})
	tests := []struct {
		name     string
		method   string
		target   string
		wantBody string
		wantType string
	}{
		{"the root is index.html", "GET", "/", "<html>shell</html>", "text/html; charset=utf-8"},
		{"an asset is served with its type", "GET", "/assets/app.js", "console.log(1)", "text/javascript; charset=utf-8"},
		{"an unknown path falls back to index.html", "GET", "/some/route", "<html>shell</html>", "text/html; charset=utf-8"},
		// A missing asset is not found, not the index: TestTheIndexNeedsTheKey.
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := f.do(tt.method, tt.target)
			if w.Code != 200 || w.Body.String() != tt.wantBody {
				t.Errorf("%s %s = %d %q, want 200 %q", tt.method, tt.target, w.Code, w.Body, tt.wantBody)
			}
			if tt.wantType != "" {
				if got := w.Header().Get("Content-Type"); got != tt.wantType {
					t.Errorf("Content-Type = %q, want %q", got, tt.wantType)
				}
				if got := w.Header().Get("X-Content-Type-Options"); got != "nosniff" {
					t.Errorf("X-Content-Type-Options = %q, want nosniff", got)
				}
			}
		})
	}
}

func TestAssetsWithoutIndex(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fstest.MapFS{})
	w := f.do("GET", "/")
	if w.Code != http.StatusNotFound || !strings.Contains(w.Body.String(), "make build") {
		t.Errorf("GET / = %d %q, want 404 saying how to build the frontend", w.Code, w.Body)
	}
}

func TestNoAssetsLeavesOtherPathsUnrouted(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	if w := f.do("GET", "/index.html"); w.Code != http.StatusNotFound {
		t.Errorf("GET /index.html without assets = %d, want 404", w.Code)
	}
}

func TestShellEndpoints(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	f.screen.ShowError("it broke")

	w := f.do("GET", "/shell/view")
	var v screen.View
	if err := json.Unmarshal(w.Body.Bytes(), &v); err != nil || w.Code != 200 {
		t.Fatalf("GET /shell/view = %d %s (%v)", w.Code, w.Body, err)
	}
	if v.Kind != screen.Error || v.Message != "it broke" || v.Version != "9.9" {
		t.Errorf("view = %+v, want the error view", v)
	}

	if w := f.do("POST", "/shell/retry"); w.Code != 200 || strings.TrimSpace(w.Body.String()) != `{"ok":true}` {
		t.Errorf("POST /shell/retry = %d %s", w.Code, w.Body)
	}
	if n := f.retries.Load(); n != 1 {
		t.Errorf("Retry called %d times, want 1", n)
	}

	w = f.do("POST", "/shell/cancel")
	var res struct {
		OK    bool   `json:"ok"`
		Error string `json:"error"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &res); err != nil || res.OK || !strings.Contains(res.Error, "Nothing to cancel") {
		t.Errorf("POST /shell/cancel with nothing running = %s (%v)", w.Body, err)
	}
	if strings.Contains(w.Body.String(), "nothing running") {
		t.Errorf("the engine's error text leaked: %s", w.Body)
	}
	f.idle.Store(false)
	if w := f.do("POST", "/shell/cancel"); strings.TrimSpace(w.Body.String()) != `{"ok":true}` {
		t.Errorf("POST /shell/cancel = %s, want ok", w.Body)
	}
}

func TestEventsStreamViews(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	srv := httptest.NewServer(f.h)
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/shell/events", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("Content-Type = %q", ct)
	}
	r := bufio.NewReader(resp.Body)
	next := func() screen.View {
		t.Helper()
		var event string
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				t.Fatalf("read event: %v", err)
			}
			line = strings.TrimRight(line, "\n")
			switch {
			case strings.HasPrefix(line, "event: "):
				event = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				if event != "view" {
					t.Fatalf("event %q, want view", event)
				}
				var v screen.View
				if err := json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &v); err != nil {
					t.Fatal(err)
				}
				return v
			}
		}
	}
	first := next()
	if first.Kind != screen.Loading {
		t.Fatalf("first event = %+v, want the current (loading) view", first)
	}
	f.screen.ShowPage("/webapps/lineapp/index.html", "lineapp")
	second := next()
	if second.Kind != screen.Page || second.URL != "/webapps/lineapp/index.html" || second.Seq <= first.Seq {
		t.Errorf("second event = %+v, want the new page view after %d", second, first.Seq)
	}
	cancel()
}

// fakeChallenges answers as the engine would: "right" signs, anything else
// is a wrong password.
type fakeChallenges struct {
	mu        sync.Mutex
	answered  []string
	dismissed []string
	exposed   []string
}

func (f *fakeChallenges) Exposed(_ context.Context, id string, x signature.Exposure) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if id != "c1" {
		return signature.ErrNoOpenChallenge
	}
	if _, ok := signature.ExposedFields[x.Field]; !ok {
		return signature.ErrBadExposure
	}
	f.exposed = append(f.exposed, fmt.Sprintf("%s %s %s %t", id, x.UserID, x.Field, x.Whole))
	return nil
}

func (f *fakeChallenges) Answer(_ context.Context, id, user, password, comment string) (signature.Outcome, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.answered = append(f.answered, id+" "+user+" "+comment)
	if password != "right" {
		return signature.Outcome{}, keychain.ErrWrongPassword
	}
	return signature.Outcome{Kind: signature.OutcomeApprove}, nil
}

func (f *fakeChallenges) Dismiss(_ context.Context, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.dismissed = append(f.dismissed, id)
	if id != "c1" {
		return signature.ErrNoOpenChallenge
	}
	return nil
}

// The browser's dialog answers through the chrome's endpoints: a refused
// signature is 200 with the text to show; the body is only what it must be.
func TestChallengeEndpoints(t *testing.T) {
	t.Parallel()
	fc := &fakeChallenges{}
	h, err := New(Options{Screen: screen.New("", "", nil, nil), Retry: func() {}, Cancel: func() error { return nil }, Challenges: fc})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, method, target, body string
		wantStatus                 int
		want                       string
	}{
		{"a right password signs", "POST", "/shell/challenge/c1", `{"userId":"op","password":"right","comment":"ok"}`, 200, `{"ok":true}`},
		{"a wrong one says why", "POST", "/shell/challenge/c1", `{"userId":"op","password":"nope"}`, 200, `{"ok":false,"error":"wrong offline password"}`},
		{"an unknown field is refused", "POST", "/shell/challenge/c1", `{"userId":"op","password":"x","extra":1}`, 400, ""},
		{"Cancel closes it", "DELETE", "/shell/challenge/c1", ``, 200, `{"ok":true}`},
		{"Cancel of a closed one says so", "DELETE", "/shell/challenge/gone", ``, 200, `{"ok":false,"error":"this sign-in is no longer open; trigger it again"}`},
		{"a page that took the keyboard is reported", "POST", "/shell/challenge/c1/exposed", `{"userId":"op","field":"password","whole":true}`, 200, `{"ok":true}`},
		{"a report names a field the dialog has", "POST", "/shell/challenge/c1/exposed", `{"field":"cookie"}`, 200, `{"ok":false,"error":"the field must be user, password, comment, phrase or empty"}`},
		{"a report carries nothing else", "POST", "/shell/challenge/c1/exposed", `{"field":"user","password":"x"}`, 400, ""},
		{"a report of a closed one says so", "POST", "/shell/challenge/gone/exposed", `{}`, 200, `{"ok":false,"error":"this sign-in is no longer open; trigger it again"}`},
		{"a report is posted, never read", "GET", "/shell/challenge/c1/exposed", ``, 405, ""},
	}
	for _, tt := range tests {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(tt.method, tt.target, strings.NewReader(tt.body)))
		if w.Code != tt.wantStatus || (tt.want != "" && strings.TrimSpace(w.Body.String()) != tt.want) {
			t.Errorf("%s: %d %s, want %d %s", tt.name, w.Code, w.Body, tt.wantStatus, tt.want)
		}
	}
	if len(fc.answered) != 2 || fc.answered[0] != "c1 op ok" {
		t.Errorf("answers = %v", fc.answered)
	}
	if len(fc.exposed) != 1 || fc.exposed[0] != "c1 op password true" {
		t.Errorf("reports = %v", fc.exposed)
	}
}

// The chrome reports a page that took the keyboard from the sign-in page
// over it: only whole, posted; what the shell answers is shown as it is.
func TestSignInExposedEndpoint(t *testing.T) {
	t.Parallel()
	var got []bool
	behind := true
	h, err := New(Options{Screen: screen.New("", "", nil, nil), Retry: func() {}, Cancel: func() error { return nil },
		SignInExposed: func(_ context.Context, whole bool) error {
			if !behind {
				return fault.New(fault.NotFound, "no sign-in page is shown over a page now")
			}
			got = append(got, whole)
			return nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, method, body string
		over               bool
		wantStatus         int
		want               string
	}{
		{"a whole password may have gone", "POST", `{"whole":true}`, true, 200, `{"ok":true}`},
		{"a few keys", "POST", `{}`, true, 200, `{"ok":true}`},
		{"it carries nothing else", "POST", `{"whole":true,"url":"http://evil"}`, true, 400, `{"ok":false,"error":"Send JSON: {\"whole\": false}."}`},
		{"one object only", "POST", `{"whole":true}{}`, true, 400, ""},
		{"with no sign-in page over a page, says so", "POST", `{"whole":true}`, false, 200, `{"ok":false,"error":"no sign-in page is shown over a page now"}`},
		{"it is posted, never read", "GET", ``, true, 405, ""},
	}
	for _, tt := range tests {
		behind = tt.over
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(tt.method, "/shell/signin/exposed", strings.NewReader(tt.body)))
		if w.Code != tt.wantStatus || (tt.want != "" && strings.TrimSpace(w.Body.String()) != tt.want) {
			t.Errorf("%s: %d %s, want %d %s", tt.name, w.Code, w.Body, tt.wantStatus, tt.want)
		}
	}
	if fmt.Sprint(got) != "[true false]" {
		t.Errorf("reports = %v, want [true false]", got)
	}
}
