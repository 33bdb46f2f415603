package online

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// stub is a deliberately minimal, misbehaving-on-demand provider for the
// failures a real provider will not produce: broken discovery, a refusing
// token endpoint. Its /authorize approves at once and its /token always
// refuses the code.
type stub struct {
	srv        *httptest.Server
	discovery  func(issuer string) string // body of the discovery document
	status     atomic.Int32               // discovery status; 0 = 200
	tokenCalls atomic.Int32

	discoveryCalls atomic.Int32
}

func validDiscovery(endSession bool) func(string) string {
	return func(iss string) string {
		m := map[string]string{
			"issuer":                 iss,
			"authorization_endpoint": iss + "/authorize",
			"token_endpoint":         iss + "/token",
			"jwks_uri":               iss + "/jwks",
		}
		if endSession {
			m["end_session_endpoint"] = iss + "/logout?tenant=a"
		}
		b, _ := json.Marshal(m)
		return string(b)
	}
}

func startStub(t *testing.T, discovery func(string) string) *stub {
	t.Helper()
	s := &stub{discovery: discovery}
	mux := http.NewServeMux()
	mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		s.discoveryCalls.Add(1)
		if st := s.status.Load(); st != 0 {
			w.WriteHeader(int(st))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(s.discovery(s.srv.URL)))
	})
	mux.HandleFunc("/authorize", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		to, _ := url.Parse(q.Get("redirect_uri"))
		to.RawQuery = url.Values{"code": {"stub-code-SECRET"}, "state": {q.Get("state")}}.Encode()
		http.Redirect(w, r, to.String(), http.StatusFound)
	})
	mux.HandleFunc("/token", func(w http.ResponseWriter, r *http.Request) {
		s.tokenCalls.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		w.Write([]byte(`{"error":"invalid_grant","error_description":"echo stub-code-SECRET"}`))
	})
	s.srv = httptest.NewServer(mux)
	t.Cleanup(s.srv.Close)
	return s
}

var t0 = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

func testConfig(issuer string) Config {
	return Config{
		Issuer:     issuer,
		ClientID:   "loginshell",
		HTTPClient: &http.Client{Timeout: 10 * time.Second},
		Now:        func() time.Time { return t0 },
		Log:        slog.New(slog.DiscardHandler),
		Timeout:    30 * time.Second,
	}
}

func newClient(t *testing.T, cfg Config) *Client {
	t.Helper()
	c, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

// closedURL is an http URL on a loopback port nobody listens on.
func closedURL(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return "http://" + addr
}

func TestLoginAgainstMisbehavingProviders(t *testing.T) {
	t.Parallel()
	errNoBrowser := errors.New("no browser")
	never := func(ctx context.Context, _ string) error { return nil }
	tests := []struct {
		name      string
		discovery func(string) string // nil: no provider at all (closed port)
		edit      func(*Config)
		open      func(cancel context.CancelFunc) func(context.Context, string) error
		wantErr   error
		wantText  string
	}{
		{
			name:     "a provider on a closed port is unreachable",
			wantErr:  ErrUnreachable,
			wantText: "cannot be reached; check the network or sign in offline",
		},
		{
			name:      "a discovery document that is not JSON is invalid",
			discovery: func(string) string { return "<html>garbage</html>" },
			wantErr:   ErrDiscovery,
		},
		{
			name:      "a discovery document for another issuer is invalid",
			discovery: func(string) string { return validDiscovery(false)("https://evil.example") },
			wantErr:   ErrDiscovery,
		},
		{
			name: "a discovery document without a token endpoint is invalid",
			discovery: func(iss string) string {
				return `{"issuer":"` + iss + `","authorization_endpoint":"` + iss + `/a","jwks_uri":"` + iss + `/k"}`
			},
			wantErr: ErrDiscovery,
		},
		{
			name:      "a token endpoint refusing the code rejects the login",
			discovery: validDiscovery(false),
			open:      func(context.CancelFunc) func(context.Context, string) error { return (&browser{}).open },
			wantErr:   ErrTokenRejected,
			wantText:  "invalid_grant",
		},
		{
			name:      "a redirect with a forged state is refused before any exchange",
			discovery: validDiscovery(false),
			open: func(context.CancelFunc) func(context.Context, string) error {
				return (&browser{callback: func(q url.Values) { q.Set("state", "forged") }}).open
			},
			wantErr: ErrState,
		},
		{
			name:      "a login nobody completes times out",
			discovery: validDiscovery(false),
			edit:      func(c *Config) { c.Timeout = 50 * time.Millisecond },
			open:      func(context.CancelFunc) func(context.Context, string) error { return never },
			wantErr:   ErrTimeout,
			wantText:  "timed out after 50ms",
		},
		{
			name:      "a login whose context is cancelled is cancelled",
			discovery: validDiscovery(false),
			open: func(cancel context.CancelFunc) func(context.Context, string) error {
				return func(context.Context, string) error { cancel(); return nil }
			},
			wantErr: ErrCancelled,
		},
		{
			name:      "a page that cannot be shown fails the login at once",
			discovery: validDiscovery(false),
			open: func(context.CancelFunc) func(context.Context, string) error {
				return func(context.Context, string) error { return errNoBrowser }
			},
			wantErr: errNoBrowser,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			issuer := closedURL(t)
			var s *stub
			if tt.discovery != nil {
				s = startStub(t, tt.discovery)
				issuer = s.srv.URL
			}
			cfg := testConfig(issuer)
			if tt.edit != nil {
				tt.edit(&cfg)
			}
			c := newClient(t, cfg)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			open := never
			if tt.open != nil {
				open = tt.open(cancel)
			}
			_, err := c.Login(ctx, open)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Login error = %v, want %v", err, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantText) {
				t.Errorf("error text %q does not contain %q", err, tt.wantText)
			}
			if strings.Contains(err.Error(), "SECRET") {
				t.Errorf("error text %q leaks the authorization code", err)
			}
			if errors.Is(tt.wantErr, ErrState) && s.tokenCalls.Load() != 0 {
				t.Errorf("the code was exchanged despite a forged state")
			}
		})
	}
}

func TestAccessDeniedRedirect(t *testing.T) {
	t.Parallel()
	s := startStub(t, validDiscovery(false))
	c := newClient(t, testConfig(s.srv.URL))
	b := &browser{skipProvider: true, callback: func(q url.Values) {
		q.Set("error", "access_denied")
		q.Set("error_description", "The user said no\x00<script>")
	}, done: make(chan struct{})}
	_, err := c.Login(context.Background(), b.open)
	<-b.done
	if !errors.Is(err, ErrDenied) {
		t.Fatalf("Login error = %v, want ErrDenied", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "access_denied") || !strings.Contains(msg, "The user said no") || strings.Contains(msg, "\x00") {
		t.Errorf("error text %q should name the error and its description, without control characters", msg)
	}
	if strings.Contains(b.callbackBody, "<script>") {
		t.Errorf("the callback page echoes markup: %q", b.callbackBody)
	}
}

func TestEndSessionURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		endSession bool
		login      bool
		wantOK     bool
	}{
		{name: "a provider with end_session_endpoint gives a logout URL", endSession: true, login: true, wantOK: true},
		{name: "a provider without end_session_endpoint gives none", login: true},
		{name: "no URL before the provider was ever discovered", endSession: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := startStub(t, validDiscovery(tt.endSession))
			c := newClient(t, testConfig(s.srv.URL))
			if tt.login {
				// The stub refuses every code, but discovery is done and cached.
				if _, err := c.Login(context.Background(), (&browser{}).open); !errors.Is(err, ErrTokenRejected) {
					t.Fatalf("Login error = %v, want ErrTokenRejected", err)
				}
			}
			got, ok := c.EndSessionURL(Session{idToken: "the.id.token"}, "http://127.0.0.1:9/bye")
			if ok != tt.wantOK {
				t.Fatalf("EndSessionURL ok = %v, want %v (%q)", ok, tt.wantOK, got)
			}
			if !ok {
				return
			}
			u, err := url.Parse(got)
			if err != nil {
				t.Fatal(err)
			}
			q := u.Query()
			if u.Path != "/logout" || q.Get("tenant") != "a" || q.Get("id_token_hint") != "the.id.token" ||
				q.Get("post_logout_redirect_uri") != "http://127.0.0.1:9/bye" || q.Get("client_id") != "loginshell" {
				t.Errorf("EndSessionURL = %q", got)
			}
		})
	}
}

func TestReachable(t *testing.T) {
	t.Parallel()
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name   string
		issuer func(t *testing.T) string
		ctx    context.Context
		want   bool
	}{
		{"a provider answering 200 is reachable", func(t *testing.T) string {
			return startStub(t, validDiscovery(false)).srv.URL
		}, context.Background(), true},
		{"a provider answering 500 is not reachable", func(t *testing.T) string {
			s := startStub(t, validDiscovery(false))
			s.status.Store(http.StatusInternalServerError)
			return s.srv.URL
		}, context.Background(), false},
		{"a closed port is not reachable", closedURL, context.Background(), false},
		{"a provider that does not answer before the caller gives up is not reachable", hangingURL,
			cancelled, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := newClient(t, testConfig(tt.issuer(t))).Reachable(tt.ctx); got != tt.want {
				t.Errorf("Reachable = %v, want %v", got, tt.want)
			}
		})
	}
	t.Run("each call asks the provider again", func(t *testing.T) {
		// Caching belongs to connectivity.Monitor: a cache here would hide a
		// provider that went down from the monitor's next probe.
		t.Parallel()
		s := startStub(t, validDiscovery(false))
		c := newClient(t, testConfig(s.srv.URL))
		if !c.Reachable(context.Background()) {
			t.Fatal("Reachable = false at first")
		}
		s.status.Store(http.StatusServiceUnavailable)
		if c.Reachable(context.Background()) {
			t.Error("Reachable = true right after the provider started answering 503")
		}
		if got := s.discoveryCalls.Load(); got != 2 {
			t.Errorf("discovery requests = %d, want 2", got)
		}
	})
}

// explain tells an address that answers as something else (the issue's
// 401, a web page) from one that gives no answer, which Reachable does not.
func TestExplain(t *testing.T) {
	t.Parallel()
	answering := func(status int, body string) func(t *testing.T) string {
		return func(t *testing.T) string {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(status)
				_, _ = w.Write([]byte(body))
			}))
			t.Cleanup(srv.Close)
			return srv.URL
		}
	}
	tests := []struct {
		name     string
		issuer   func(t *testing.T) string
		wantErr  error
		wantText string
	}{
		{"a provider's configuration is fine", func(t *testing.T) string { return startStub(t, validDiscovery(false)).srv.URL }, nil, ""},
		{"a server answering 401 is no OpenID login server, and says so with the status", answering(http.StatusUnauthorized, "no"),
			ErrNotOpenID, "that address is not an OpenID login server (it answered 401)"},
		{"a server answering 404 likewise", answering(http.StatusNotFound, "not found"),
			ErrNotOpenID, "that address is not an OpenID login server (it answered 404)"},
		{"a web page answering 200 is none either", answering(http.StatusOK, "<!doctype html><title>Intranet</title>"),
			ErrNotOpenID, "that address is not an OpenID login server (its answer is no OpenID configuration)"},
		{"JSON without an issuer is none either", answering(http.StatusOK, `{"status":"up"}`),
			ErrNotOpenID, "that address is not an OpenID login server (its answer is no OpenID configuration)"},
		{"a closed port gave no answer: unreachable, not a wrong address", closedURL, ErrUnreachable, "cannot be reached"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := newClient(t, testConfig(tt.issuer(t))).explain(context.Background())
			if tt.wantErr == nil {
				if err != nil {
					t.Fatalf("explain = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, tt.wantErr) || !strings.Contains(err.Error(), tt.wantText) {
				t.Errorf("explain = %v, want %v saying %q", err, tt.wantErr, tt.wantText)
			}
		})
	}
}

// hangingURL is an http URL whose server accepts the request and answers
// only once the client has gone.
func hangingURL(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}
