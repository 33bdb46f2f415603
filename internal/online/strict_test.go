package online

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"loginshell/internal/demoidp/strict"
	"loginshell/internal/logtest"
	"loginshell/internal/settings"
)

// The strict provider (internal/demoidp/strict) is what plants run, unlike
// the permissive demo provider: exact redirect URIs, cookie sessions,
// logout only through the browser, no Basic header for a public client.

func startStrict(t *testing.T, opts strict.Options) *strict.Server {
	t.Helper()
	srv, err := strict.Start(opts)
	if err != nil {
		t.Fatalf("start the strict provider: %v", err)
	}
	t.Cleanup(srv.Close)
	return srv
}

// freePort is a loopback port nobody listens on now (the system's pick).
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// registration is what a person registers for a fixed port.
func registration(port int) (redirects, postLogout []string) {
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	return []string{base + callbackPath}, []string{base + loggedOutPath}
}

func alice() *browser {
	a := strict.Alice()
	return &browser{username: a.Username, password: a.Password, done: make(chan struct{})}
}

func TestLoginAgainstAStrictProvider(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		idp  strict.Options
		// port is the redirect_port: -1 a free fixed port, registered
		// exactly; -2 a free fixed port not registered; 0 random.
		port     int
		edit     func(*Config)
		wantErr  error
		wantText []string
		// wantShown: the provider's page reached the browser.
		wantShown bool
	}{
		{
			name: "a fixed redirect port registered exactly signs in", port: -1, wantShown: true,
		},
		{
			name: "a random port is refused before any page, with what to register", port: 0,
			wantErr: ErrRequestRefused,
			wantText: []string{"refused the sign-in request (HTTP 403)", "on a port chosen at random",
				"Set redirect_port", "http://127.0.0.1:<that port>/callback", `client "loginshell"`},
		},
		{
			name: "a fixed port the provider does not know is refused, naming its redirect URI", port: -2,
			wantErr:  ErrRequestRefused,
			wantText: []string{"(HTTP 403)", "/callback must be one of its redirect URIs, exactly"},
		},
		{
			name: "max_age against a provider that reports auth_time 0 fails clearly", port: -1,
			idp:       strict.Options{ZeroAuthTime: true},
			edit:      func(c *Config) { c.MaxAge = 10 * time.Minute },
			wantErr:   ErrTokenRejected,
			wantText:  []string{"reused a sign-in older than 10m0s; sign in again"},
			wantShown: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := startStrict(t, tt.idp)
			cfg := testConfig(srv.Issuer())
			cfg.Now = time.Now
			switch tt.port {
			case -1:
				cfg.RedirectPort = freePort(t)
				srv.Register(registration(cfg.RedirectPort))
			case -2:
				cfg.RedirectPort = freePort(t)
				srv.Register(registration(1))
			default:
				srv.Register([]string{"http://127.0.0.1/callback"}, nil) // what the issue tried
			}
			if tt.edit != nil {
				tt.edit(&cfg)
			}
			c := newClient(t, cfg)
			b := alice()
			var shown atomic.Bool
			s, err := c.Login(context.Background(), func(ctx context.Context, u string) error {
				shown.Store(true)
				return b.open(ctx, u)
			})
			if shown.Load() {
				<-b.done
			}
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Login error = %v, want %v", err, tt.wantErr)
			}
			for _, want := range tt.wantText {
				if !strings.Contains(fmt.Sprint(err), want) {
					t.Errorf("error %q does not say %q", err, want)
				}
			}
			if shown.Load() != tt.wantShown {
				t.Errorf("the provider's page was shown: %v, want %v", shown.Load(), tt.wantShown)
			}
			if err == nil && (s.Profile.Username != "alice" || s.Profile.Name != "Alice Example") {
				t.Errorf("profile = %+v", s.Profile)
			}
			if errors.Is(tt.wantErr, ErrRequestRefused) {
				authz := srv.Authorizations()
				if len(authz) != 1 || authz[0].Outcome != "refused" {
					t.Errorf("the provider saw %+v, want one refused request (the shell's own)", authz)
				}
				if n := len(srv.TokenRequests()); n != 0 {
					t.Errorf("%d token requests after a refusal", n)
				}
			}
		})
	}
}

// A fixed port held by another program stops the sign-in at once, saying
// which port and what to do; nothing is shown and nothing sent.
func TestFixedRedirectPortInUse(t *testing.T) {
	t.Parallel()
	srv := startStrict(t, strict.Options{})
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	port := taken.Addr().(*net.TCPAddr).Port
	cfg := testConfig(srv.Issuer())
	cfg.RedirectPort = port
	srv.Register(registration(port))
	c := newClient(t, cfg)
	_, err = c.Login(context.Background(), func(context.Context, string) error {
		t.Error("the page was shown although the redirect cannot be received")
		return nil
	})
	if !errors.Is(err, ErrRedirectPort) {
		t.Fatalf("Login error = %v, want ErrRedirectPort", err)
	}
	for _, want := range []string{fmt.Sprintf("port %d", port), "redirect_port", "Close the program that uses it",
		"register http://127.0.0.1:<that port>/callback"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	if n := len(srv.Authorizations()); n != 0 {
		t.Errorf("the provider got %d authorization requests", n)
	}
}

// The token request authenticates the client the one way discovery
// announces: never a Basic header first for a public client (the refusal a
// strict provider logs at every login), a secret where it is expected.
func TestTokenRequestAuthenticatesAsDiscoverySays(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		idp     strict.Options
		secret  string
		want    strict.TokenRequest // one request, exactly this
		wantErr error
	}{
		{name: "a public client sends its id in the body, no Basic header",
			want: strict.TokenRequest{BodyClientID: "loginshell", Status: http.StatusOK}},
		{name: "a confidential client uses Basic where discovery lists client_secret_basic",
			idp: strict.Options{ClientSecret: "s3cret", AuthMethods: []string{"client_secret_basic", "private_key_jwt"}}, secret: "s3cret",
			want: strict.TokenRequest{BasicAuth: true, Status: http.StatusOK}},
		{name: "a confidential client posts its secret where only client_secret_post is listed",
			idp: strict.Options{ClientSecret: "s3cret", AuthMethods: []string{"client_secret_post"}}, secret: "s3cret",
			want: strict.TokenRequest{BodyClientID: "loginshell", BodySecret: true, Status: http.StatusOK}},
		{name: "a confidential client the provider cannot authenticate is refused before anything is sent",
			idp: strict.Options{ClientSecret: "s3cret", AuthMethods: []string{"private_key_jwt"}}, secret: "s3cret",
			wantErr: ErrConfig},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := startStrict(t, tt.idp)
			cfg := testConfig(srv.Issuer())
			cfg.Now = time.Now
			cfg.ClientSecret = tt.secret
			cfg.RedirectPort = freePort(t)
			srv.Register(registration(cfg.RedirectPort))
			b := alice()
			var shown atomic.Bool
			_, err := newClient(t, cfg).Login(context.Background(), func(ctx context.Context, u string) error {
				shown.Store(true)
				return b.open(ctx, u)
			})
			if shown.Load() {
				<-b.done
			}
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Login error = %v, want %v", err, tt.wantErr)
			}
			got := srv.TokenRequests()
			if tt.wantErr != nil {
				if len(got) != 0 || shown.Load() {
					t.Errorf("token requests %+v, page shown %v: want nothing sent", got, shown.Load())
				}
				if !strings.Contains(err.Error(), "public client") {
					t.Errorf("error %q does not say what to register", err)
				}
				return
			}
			if len(got) != 1 || got[0] != tt.want {
				t.Errorf("the provider received %+v, want exactly [%+v]", got, tt.want)
			}
		})
	}
}

// newStrictProvider is the Provider over settings naming srv, with a fixed
// redirect port registered there, showing pages in b.
func newStrictProvider(t *testing.T, srv *strict.Server, open func(context.Context, string) error, returned func(), log *slog.Logger) *Provider {
	t.Helper()
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	st, err := settings.Open("")
	if err != nil {
		t.Fatal(err)
	}
	port := freePort(t)
	redirects, postLogout := registration(port)
	srv.Register(redirects, postLogout)
	if err := st.Merge(map[string]any{settings.LoginURL: srv.Issuer(), settings.RedirectPort: float64(port)}); err != nil {
		t.Fatal(err)
	}
	p, err := NewProvider(ProviderOptions{Settings: st, HTTPClient: &http.Client{Timeout: 10 * time.Second}, Now: time.Now,
		Log: log, DefaultClientID: "loginshell", Open: open, Returned: returned})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// After Log out the next person types a password: the provider's session
// (a cookie in the shell's browser) is ended through that browser, or,
// where it cannot be, the sign-in asks for prompt=login.
func TestLogoutThenSignInAsksForThePassword(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		idp  strict.Options
		// unregister drops the post-logout URI from the registration: the
		// provider refuses the end-session request with an error page.
		unregister bool
		// wantLogout is how the provider saw the end-session request, ""
		// when none was made.
		wantLogout string
		// wantPrompt is the prompt of the sign-in after the logout.
		wantPrompt string
	}{
		{name: "a provider with end-session ends its session in the browser", wantLogout: "redirected"},
		{name: "a provider without end-session gets prompt=login", idp: strict.Options{NoEndSession: true}, wantPrompt: "login"},
		{name: "a provider refusing the post-logout URI gets prompt=login at the next sign-in",
			unregister: true, wantLogout: "refused", wantPrompt: "login"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := startStrict(t, tt.idp)
			jar, _ := cookiejar.New(nil)
			b := &browser{username: "alice", password: "alice-password", jar: jar, opens: &sync.WaitGroup{}}
			var returned atomic.Int32
			p := newStrictProvider(t, srv, b.open, func() { returned.Add(1) }, nil)
			login := func(step string) error {
				t.Helper()
				_, err := p.Login(context.Background())
				b.wait()
				return err
			}
			// 1: Alice types her password; 2: the provider's session lets
			// her in again without it (the cookie session is real).
			for _, step := range []string{"first sign-in", "sign-in on the provider's session"} {
				if err := login(step); err != nil {
					t.Fatalf("%s: %v", step, err)
				}
			}
			if b.passwords != 1 {
				t.Fatalf("passwords typed in two sign-ins = %d, want 1 (the provider's session must let the second in)", b.passwords)
			}
			p.Logout(context.Background())
			if len(srv.Logouts()) != 0 {
				t.Errorf("Logout sent %+v from the back channel", srv.Logouts())
			}
			if tt.unregister {
				redirects, _ := registration(p.client.cfg.RedirectPort)
				srv.Register(redirects, nil)
				// The refusal strands the browser on the provider's error
				// page: the person goes back to the shell and signs in
				// again.
				if err := login("sign-in after the logout"); err == nil {
					t.Fatal("the sign-in through a refused end-session page succeeded")
				}
			}
			if err := login("sign-in of the next person"); err != nil {
				t.Fatalf("sign-in after the logout: %v", err)
			}
			if b.passwords != 2 {
				t.Errorf("passwords typed = %d, want 2: the next person must type a password", b.passwords)
			}
			authz := srv.Authorizations()
			last := authz[len(authz)-1]
			if last.Outcome != "password" || last.Prompt != tt.wantPrompt {
				t.Errorf("the last authorization request = %+v, want the password asked with prompt %q", last, tt.wantPrompt)
			}
			logouts := srv.Logouts()
			switch {
			case tt.wantLogout == "" && len(logouts) != 0:
				t.Errorf("end-session requests %+v, want none", logouts)
			case tt.wantLogout != "" && (len(logouts) != 1 || logouts[0].Outcome != tt.wantLogout || !logouts[0].Cookie || !logouts[0].IDTokenHint):
				t.Errorf("end-session requests %+v, want one %q from the browser with its cookie and id_token_hint", logouts, tt.wantLogout)
			}
			if tt.wantLogout == "redirected" && len(logouts) == 1 && !logouts[0].Ended {
				t.Errorf("the end-session request ended no session: %+v", logouts[0])
			}
			if first := b.opened[2]; tt.wantLogout != "" && !strings.HasPrefix(first, srv.Issuer()+"/end_session?") {
				t.Errorf("after the logout the browser was sent to %q, want the end-session page first", first)
			}
			// Once a sign-in succeeded, the one after it needs no prompt.
			if err := login("sign-in after that"); err != nil {
				t.Fatal(err)
			}
			if last := srv.Authorizations()[len(srv.Authorizations())-1]; last.Prompt != "" || last.Outcome != "session" {
				t.Errorf("the sign-in after a successful one = %+v, want the provider's session, no prompt", last)
			}
			if n, want := returned.Load(), int32(len(b.opened)); n != want {
				t.Errorf("Returned ran %d times for %d pages shown", n, want)
			}
		})
	}
}

// Cancelling a sign-in while the provider's page is shown (the shell's way
// back) ends it as cancelled at once, brings the shell back (Returned) and
// sends nothing to the token endpoint.
func TestCancelWhileTheProviderPageIsShown(t *testing.T) {
	t.Parallel()
	srv := startStrict(t, strict.Options{})
	shown := make(chan struct{})
	var returned atomic.Int32
	var logged logtest.Buffer
	p := newStrictProvider(t, srv, func(context.Context, string) error { close(shown); return nil },
		func() { returned.Add(1) }, slog.New(slog.NewTextHandler(&logged, nil)))
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-shown; cancel() }()
	_, err := p.Login(ctx)
	if !errors.Is(err, ErrCancelled) {
		t.Fatalf("Login error = %v, want ErrCancelled", err)
	}
	if returned.Load() != 1 {
		t.Errorf("Returned ran %d times, want once", returned.Load())
	}
	if n := len(srv.TokenRequests()); n != 0 {
		t.Errorf("%d token requests after a cancel", n)
	}
	// A cancel is the person's choice (or the shell closing): information,
	// not a warning an operator's log reader chases.
	if text := logged.String(); !strings.Contains(text, `level=INFO msg="online login failed"`) || strings.Contains(text, "level=WARN") {
		t.Errorf("a cancelled sign-in logged %q, want it at INFO and no warning", text)
	}
}
