package pmapi_test

// The contract of seed 002, one row per status code line of each call,
// driven over HTTP against the real engines. Only the identity provider is
// a test double here (online login against a real provider is tested in
// internal/online and the browser tests); vaults, settings, packages and
// the screen are the real ones.

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"loginshell/internal/auth"
	"loginshell/internal/boot"
	"loginshell/internal/keychain"
	"loginshell/internal/pmapi"
	"loginshell/internal/redact"
	"loginshell/internal/samples"
	"loginshell/internal/screen"
	"loginshell/internal/settings"
	"loginshell/internal/user"
	"loginshell/internal/webapps"
)

// fakeIdP stands in for the organisation's identity provider.
type fakeIdP struct {
	configured, reachable bool
	profile               user.Profile
	err                   error
	block                 bool // Login waits for ctx (a login in progress)
	// loggingIn receives when a blocking Login is called: auth registered
	// the flow before it asked the provider, so GET /auth reports it.
	loggingIn chan struct{}
}

func (f *fakeIdP) Configured() bool           { return f.configured }
func (f *fakeIdP) Check(context.Context) bool { return f.reachable }
func (f *fakeIdP) Logout(context.Context)     {}
func (f *fakeIdP) Login(ctx context.Context) (user.Profile, error) {
	if f.block {
		select {
		case f.loggingIn <- struct{}{}:
		default:
		}
		<-ctx.Done()
		return user.Profile{}, ctx.Err()
	}
	return f.profile, f.err
}

type env struct {
	t      *testing.T
	srv    *httptest.Server
	idp    *fakeIdP
	users  *user.Service
	vault  *keychain.Keychain
	screen *screen.Screen
	views  <-chan screen.View
}

type envOpt struct {
	boot     string      // boot document; "" = the samples'
	manifest string      // replaces offline-login/webapp.json when set
	idp      *fakeIdP    // nil = online, reachable, signs in "op"
	vaultFor string      // create a vault for this user with password "right-password"
	signIn   user.Method // sign "op" in before the test
}

var opProfile = user.Profile{Username: "op", Name: "Olga Operator", Roles: []string{"Operator"}}

func newEnv(t *testing.T, o envOpt) *env {
	t.Helper()
	return newEnvWithLog(t, o, io.Discard)
}

// newEnvWithLog is newEnv with every engine logging JSON lines to w through
// the same redacting handler the binary uses.
func newEnvWithLog(t *testing.T, o envOpt, w io.Writer) *env {
	t.Helper()
	log := slog.New(redact.Handler(slog.NewJSONHandler(w, nil)))
	discard := func() *slog.Logger { return log }
	dir := t.TempDir()
	idp := o.idp
	if idp == nil {
		idp = &fakeIdP{configured: true, reachable: true, profile: opProfile}
	}
	if idp.block {
		idp.loggingIn = make(chan struct{}, 1)
	}
	kc, err := keychain.Open(keychain.Options{Dir: dir + "/keychain", Now: time.Now, Log: discard(),
		Params: keychain.Params{Time: 1, MemoryKiB: 64, Threads: 1}, InsecureAllowWeakParams: true})
	if err != nil {
		t.Fatal(err)
	}
	if o.vaultFor != "" {
		if err := kc.Create(o.vaultFor, "right-password", user.Profile{Username: o.vaultFor, Name: "Olga Operator"}); err != nil {
			t.Fatal(err)
		}
	}
	bootDoc := samples.BootDocument()
	if o.boot != "" {
		bootDoc = []byte(o.boot)
	}
	bundled := fs.FS(samples.FS())
	if o.manifest != "" {
		bundled = fstest.MapFS{
			"offline-login/webapp.json": {Data: []byte(o.manifest)},
			"offline-login/login.html":  {Data: []byte("<html><head></head></html>")},
			"offline-login/manage.html": {Data: []byte("<html><head></head></html>")},
			"offline-login/setup.html":  {Data: []byte("<html><head></head></html>")},
			"lineapp/webapp.json":       {Data: []byte(`{"name":"lineapp","version":"1.0.0","main":"index.html"}`)},
			"lineapp/index.html":        {Data: []byte("<html><head></head></html>")},
		}
	}
	pkgs, err := webapps.OpenLibrary(webapps.LibraryOptions{DataDir: dir, Bundled: bundled, BundledBoot: bootDoc})
	if err != nil {
		t.Fatal(err)
	}
	users := user.NewService()
	last, err := auth.OpenLastUser(dir + "/state.json")
	if err != nil {
		t.Fatal(err)
	}
	if o.vaultFor != "" {
		_ = last.Set(o.vaultFor)
	}
	if o.signIn != "" {
		users.SignIn(opProfile, o.signIn)
	}
	scr := screen.New("test", "", nil, nil)
	views, stop := scr.Subscribe()
	t.Cleanup(stop)
	st, _ := settings.Open("")
	// The plant's settings, as the command line or the chrome set them.
	if err := st.Merge(map[string]any{settings.LoginURL: "https://idp.example", settings.ClientSecret: "s3"}); err != nil {
		t.Fatal(err)
	}
	a, err := auth.New(auth.Options{Vault: kc, Online: idp, Network: idp, Pages: boot.OfflinePages(pkgs), Presenter: scr, Users: users,
		LastUser: last, Now: time.Now, Log: discard()})
	if err != nil {
		t.Fatal(err)
	}
	seq, err := boot.New(boot.Options{Auth: a, Screen: scr, Apps: pkgs, Vault: kc, Users: users, Settings: st, Log: discard()})
	if err != nil {
		t.Fatal(err)
	}
	h, err := pmapi.New(pmapi.Options{Auth: a, Users: users, Settings: st, Boot: seq, Windows: seq,
		Connectivity: func(context.Context) []string { return []string{"Online"} }, Version: "test", Log: discard()})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(func() { _ = a.Cancel(); srv.Close() })
	return &env{t: t, srv: srv, idp: idp, users: users, vault: kc, screen: scr, views: views}
}

// do sends one request and returns its status and decoded error text.
func (e *env) do(method, path string) (int, string) {
	e.t.Helper()
	req, _ := http.NewRequest(method, e.srv.URL+path, nil)
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var body struct{ Error string }
	_ = json.Unmarshal(b, &body)
	return resp.StatusCode, body.Error
}

// start sends a blocking POST in the background and waits until the flow
// shows its page; it returns the page's token and a channel with the
// POST's status once it completes.
func (e *env) start(path string) (token string, done <-chan reply) {
	e.t.Helper()
	ch := make(chan reply, 1)
	go func() {
		req, _ := http.NewRequest(http.MethodPost, e.srv.URL+path, nil)
		resp, err := e.srv.Client().Do(req)
		if err != nil {
			ch <- reply{status: -1, msg: err.Error()}
			return
		}
		defer resp.Body.Close()
		var body struct{ Error string }
		_ = json.NewDecoder(resp.Body).Decode(&body)
		ch <- reply{resp.StatusCode, body.Error}
	}()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case v := <-e.views:
			if v.Kind == screen.Page && v.Auth {
				u, err := url.Parse(v.URL)
				if err != nil {
					e.t.Fatal(err)
				}
				return u.Query().Get("t"), ch
			}
		case r := <-ch:
			e.t.Fatalf("POST %s ended with %d (%s) before showing a page", path, r.status, r.msg)
		case <-deadline:
			e.t.Fatalf("POST %s showed no page", path)
		}
	}
}

// waitLoggingIn waits until a blocking online login reaches the identity
// provider (for flows that show no page): from then on the flow is in
// progress.
func (e *env) waitLoggingIn() {
	e.t.Helper()
	select {
	case <-e.idp.loggingIn:
	case <-time.After(10 * time.Second):
		e.t.Fatal("the online login did not reach the identity provider")
	}
	if st, _ := e.do(http.MethodGet, "/pmapi/auth"); st != http.StatusFound {
		e.t.Fatalf("GET /auth = %d while the provider is asked, want 302", st)
	}
}

type reply struct {
	status int
	msg    string
}

func await(t *testing.T, done <-chan reply) (int, string) {
	t.Helper()
	select {
	case r := <-done:
		return r.status, r.msg
	case <-time.After(10 * time.Second):
		t.Fatal("the starting POST did not complete")
		return 0, ""
	}
}

const (
	noSetupManifest  = `{"name":"offline-login","version":"9.0.0","main":"login.html","manage":"manage.html"}`
	noManageManifest = `{"name":"offline-login","version":"9.0.0","main":"login.html","setup":"setup.html"}`
	noOfflineBoot    = `{"name":"b","version":"1","starter":"lineapp"}`
	pinnedBoot       = `{"name":"b","version":"1","starter":"lineapp","offlineName":"offline-login","dependencies":{"offline-login":"9.0.0"}}`
)

func TestSeedContract(t *testing.T) {
	t.Parallel()
	tests := []struct {
		call, line string // the seed's call and status line
		opt        envOpt
		run        func(e *env) (int, string) // returns the status of the call under test
		want       int
	}{
		// POST /auth
		{"POST /auth", "200 authentication completed (online)", envOpt{},
			func(e *env) (int, string) { return e.do("POST", "/pmapi/auth") }, 200},
		{"POST /auth", "200 authentication completed (offline)", envOpt{idp: &fakeIdP{}, vaultFor: "op"},
			func(e *env) (int, string) {
				tok, done := e.start("/pmapi/auth")
				if st, msg := e.do("PUT", "/pmapi/auth/"+tok+"/authenticate?p=right-password"); st != 200 {
					return st, msg
				}
				return await(e.t, done)
			}, 200},
		{"POST /auth", "400 authentication is already in progress", envOpt{idp: &fakeIdP{configured: true, reachable: true, block: true}},
			func(e *env) (int, string) {
				go func() { // no t.Fatal off the test goroutine: the outcome is not under test
					req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/pmapi/auth", nil)
					if resp, err := e.srv.Client().Do(req); err == nil {
						resp.Body.Close()
					}
				}()
				e.waitLoggingIn()
				return e.do("POST", "/pmapi/auth")
			}, 400},
		{"POST /auth", "403 authentication failed", envOpt{idp: &fakeIdP{configured: true, reachable: true, err: errors.New("access_denied")}},
			func(e *env) (int, string) { return e.do("POST", "/pmapi/auth") }, 403},
		{"POST /auth", "403 could not be attempted (offline, no offline password)", envOpt{idp: &fakeIdP{configured: true}},
			func(e *env) (int, string) { return e.do("POST", "/pmapi/auth") }, 403},
		{"POST /auth", "403 cancelled by DELETE /auth", envOpt{idp: &fakeIdP{}, vaultFor: "op"},
			func(e *env) (int, string) {
				_, done := e.start("/pmapi/auth")
				e.do("DELETE", "/pmapi/auth")
				return await(e.t, done)
			}, 403},
		{"POST /auth", "500 basic settings not configured", envOpt{idp: &fakeIdP{}},
			func(e *env) (int, string) { return e.do("POST", "/pmapi/auth") }, 500},

		// POST /auth/setup
		{"POST /auth/setup", "200 setup completed", envOpt{signIn: user.Online},
			func(e *env) (int, string) {
				tok, done := e.start("/pmapi/auth/setup")
				if st, msg := e.do("PUT", "/pmapi/auth/"+tok+"/setup?p=new-password-1"); st != 200 {
					return st, msg
				}
				return await(e.t, done)
			}, 200},
		{"POST /auth/setup", "400 authentication is already in progress", envOpt{signIn: user.Online},
			func(e *env) (int, string) { e.start("/pmapi/auth/setup"); return e.do("POST", "/pmapi/auth/setup") }, 400},
		{"POST /auth/setup", "400 user is not already authenticated online", envOpt{signIn: user.Offline},
			func(e *env) (int, string) { return e.do("POST", "/pmapi/auth/setup") }, 400},
		{"POST /auth/setup", "400 boot document does not contain offline package configuration", envOpt{signIn: user.Online, boot: noOfflineBoot},
			func(e *env) (int, string) { return e.do("POST", "/pmapi/auth/setup") }, 400},
		{"POST /auth/setup", "400 offline package setup element not configured", envOpt{signIn: user.Online, boot: pinnedBoot, manifest: noSetupManifest},
			func(e *env) (int, string) { return e.do("POST", "/pmapi/auth/setup") }, 400},
		{"POST /auth/setup", "400 keychain is already configured for this user", envOpt{signIn: user.Online, vaultFor: "op"},
			func(e *env) (int, string) { return e.do("POST", "/pmapi/auth/setup") }, 400},

		// POST /auth/update
		{"POST /auth/update", "200 update completed", envOpt{signIn: user.Online, vaultFor: "op"},
			func(e *env) (int, string) {
				tok, done := e.start("/pmapi/auth/update")
				if st, msg := e.do("PUT", "/pmapi/auth/"+tok+"/update?o=right-password&p=newer-password"); st != 200 {
					return st, msg
				}
				return await(e.t, done)
			}, 200},
		{"POST /auth/update", "400 authentication is already in progress", envOpt{signIn: user.Online, vaultFor: "op"},
			func(e *env) (int, string) { e.start("/pmapi/auth/update"); return e.do("POST", "/pmapi/auth/update") }, 400},
		{"POST /auth/update", "400 user is not already authenticated online", envOpt{vaultFor: "op"},
			func(e *env) (int, string) { return e.do("POST", "/pmapi/auth/update") }, 400},
		{"POST /auth/update", "400 boot document does not contain offline package configuration", envOpt{signIn: user.Online, vaultFor: "op", boot: noOfflineBoot},
			func(e *env) (int, string) { return e.do("POST", "/pmapi/auth/update") }, 400},
		{"POST /auth/update", "400 offline package manage element not configured", envOpt{signIn: user.Online, vaultFor: "op", boot: pinnedBoot, manifest: noManageManifest},
			func(e *env) (int, string) { return e.do("POST", "/pmapi/auth/update") }, 400},
		{"POST /auth/update", "400 no keychain configured for this user", envOpt{signIn: user.Online},
			func(e *env) (int, string) { return e.do("POST", "/pmapi/auth/update") }, 400},

		// PUT /auth/{token}/authenticate
		{"PUT /auth/{t}/authenticate", "200 password is valid", envOpt{idp: &fakeIdP{}, vaultFor: "op"},
			func(e *env) (int, string) {
				tok, _ := e.start("/pmapi/auth")
				return e.do("PUT", "/pmapi/auth/"+tok+"/authenticate?p=right-password")
			}, 200},
		{"PUT /auth/{t}/authenticate", "200 the user chosen on a shared station (u)", envOpt{idp: &fakeIdP{}, vaultFor: "op"},
			func(e *env) (int, string) {
				tok, _ := e.start("/pmapi/auth")
				return e.do("PUT", "/pmapi/auth/"+tok+"/authenticate?p=right-password&u=op")
			}, 200},
		{"PUT /auth/{t}/authenticate", "400 a user with no offline password here (u)", envOpt{idp: &fakeIdP{}, vaultFor: "op"},
			func(e *env) (int, string) {
				tok, _ := e.start("/pmapi/auth")
				return e.do("PUT", "/pmapi/auth/"+tok+"/authenticate?p=right-password&u=nobody")
			}, 400},
		{"GET /auth/{t}/users", "200 the station's offline users", envOpt{idp: &fakeIdP{}, vaultFor: "op"},
			func(e *env) (int, string) {
				tok, _ := e.start("/pmapi/auth")
				return e.do("GET", "/pmapi/auth/"+tok+"/users")
			}, 200},
		{"GET /auth/{t}/users", "404 another token", envOpt{idp: &fakeIdP{}, vaultFor: "op"},
			func(e *env) (int, string) {
				e.start("/pmapi/auth")
				return e.do("GET", "/pmapi/auth/8c1d7e53-2b0f-4c53-9a51-3c3a36c1d1f0/users")
			}, 404},
		{"PUT /auth/{t}/authenticate", "400 authentication is not already in progress", envOpt{vaultFor: "op"},
			func(e *env) (int, string) { return e.do("PUT", "/pmapi/auth/whatever/authenticate?p=right-password") }, 400},
		{"PUT /auth/{t}/authenticate", "400 query string elements are not as expected", envOpt{idp: &fakeIdP{}, vaultFor: "op"},
			func(e *env) (int, string) {
				tok, _ := e.start("/pmapi/auth")
				return e.do("PUT", "/pmapi/auth/"+tok+"/authenticate?password=right-password")
			}, 400},
		{"PUT /auth/{t}/authenticate", "403 provided password did not validate", envOpt{idp: &fakeIdP{}, vaultFor: "op"},
			func(e *env) (int, string) {
				tok, _ := e.start("/pmapi/auth")
				return e.do("PUT", "/pmapi/auth/"+tok+"/authenticate?p=wrong-password")
			}, 403},
		{"PUT /auth/{t}/authenticate", "404 token is invalid", envOpt{idp: &fakeIdP{}, vaultFor: "op"},
			func(e *env) (int, string) {
				e.start("/pmapi/auth")
				return e.do("PUT", "/pmapi/auth/not-the-token/authenticate?p=right-password")
			}, 404},
		{"PUT /auth/{t}/authenticate", "404 not expecting the authenticate request at this time", envOpt{signIn: user.Online},
			func(e *env) (int, string) {
				tok, _ := e.start("/pmapi/auth/setup")
				return e.do("PUT", "/pmapi/auth/"+tok+"/authenticate?p=right-password")
			}, 404},

		// PUT /auth/{token}/setup
		{"PUT /auth/{t}/setup", "200 the password was saved", envOpt{signIn: user.Online},
			func(e *env) (int, string) {
				tok, _ := e.start("/pmapi/auth/setup")
				return e.do("PUT", "/pmapi/auth/"+tok+"/setup?p=new-password-1")
			}, 200},
		{"PUT /auth/{t}/setup", "400 setup is not already in progress", envOpt{signIn: user.Online},
			func(e *env) (int, string) { return e.do("PUT", "/pmapi/auth/whatever/setup?p=new-password-1") }, 400},
		{"PUT /auth/{t}/setup", "400 query string elements are not as expected", envOpt{signIn: user.Online},
			func(e *env) (int, string) {
				tok, _ := e.start("/pmapi/auth/setup")
				return e.do("PUT", "/pmapi/auth/"+tok+"/setup")
			}, 400},
		{"PUT /auth/{t}/setup", "400 user is no longer authenticated online", envOpt{signIn: user.Online},
			func(e *env) (int, string) {
				tok, _ := e.start("/pmapi/auth/setup")
				e.users.SignOut()
				return e.do("PUT", "/pmapi/auth/"+tok+"/setup?p=new-password-1")
			}, 400},
		{"PUT /auth/{t}/setup", "404 token is invalid", envOpt{signIn: user.Online},
			func(e *env) (int, string) {
				e.start("/pmapi/auth/setup")
				return e.do("PUT", "/pmapi/auth/not-the-token/setup?p=new-password-1")
			}, 404},
		{"PUT /auth/{t}/setup", "404 not expecting the setup request at this time", envOpt{idp: &fakeIdP{}, vaultFor: "op"},
			func(e *env) (int, string) {
				tok, _ := e.start("/pmapi/auth")
				return e.do("PUT", "/pmapi/auth/"+tok+"/setup?p=new-password-1")
			}, 404},

		// PUT /auth/{token}/update
		{"PUT /auth/{t}/update", "200 the password was saved", envOpt{signIn: user.Online, vaultFor: "op"},
			func(e *env) (int, string) {
				tok, _ := e.start("/pmapi/auth/update")
				return e.do("PUT", "/pmapi/auth/"+tok+"/update?o=right-password&p=newer-password")
			}, 200},
		{"PUT /auth/{t}/update", "400 setup is not already in progress", envOpt{signIn: user.Online, vaultFor: "op"},
			func(e *env) (int, string) {
				return e.do("PUT", "/pmapi/auth/whatever/update?o=right-password&p=newer-password")
			}, 400},
		{"PUT /auth/{t}/update", "400 query string elements are not as expected", envOpt{signIn: user.Online, vaultFor: "op"},
			func(e *env) (int, string) {
				tok, _ := e.start("/pmapi/auth/update")
				return e.do("PUT", "/pmapi/auth/"+tok+"/update?p=newer-password")
			}, 400},
		{"PUT /auth/{t}/update", "400 user is no longer authenticated online", envOpt{signIn: user.Online, vaultFor: "op"},
			func(e *env) (int, string) {
				tok, _ := e.start("/pmapi/auth/update")
				e.users.SignOut()
				return e.do("PUT", "/pmapi/auth/"+tok+"/update?o=right-password&p=newer-password")
			}, 400},
		{"PUT /auth/{t}/update", "403 the old password does not match", envOpt{signIn: user.Online, vaultFor: "op"},
			func(e *env) (int, string) {
				tok, _ := e.start("/pmapi/auth/update")
				return e.do("PUT", "/pmapi/auth/"+tok+"/update?o=not-the-password&p=newer-password")
			}, 403},
		{"PUT /auth/{t}/update", "404 token is invalid", envOpt{signIn: user.Online, vaultFor: "op"},
			func(e *env) (int, string) {
				e.start("/pmapi/auth/update")
				return e.do("PUT", "/pmapi/auth/not-the-token/update?o=right-password&p=newer-password")
			}, 404},
		{"PUT /auth/{t}/update", "404 not expecting the update request at this time", envOpt{signIn: user.Online},
			func(e *env) (int, string) {
				tok, _ := e.start("/pmapi/auth/setup")
				return e.do("PUT", "/pmapi/auth/"+tok+"/update?o=right-password&p=newer-password")
			}, 404},

		// DELETE /auth
		{"DELETE /auth", "200 the authentication process was successfully cancelled", envOpt{idp: &fakeIdP{}, vaultFor: "op"},
			func(e *env) (int, string) { e.start("/pmapi/auth"); return e.do("DELETE", "/pmapi/auth") }, 200},
		{"DELETE /auth", "400 authentication is not already in progress", envOpt{},
			func(e *env) (int, string) { return e.do("DELETE", "/pmapi/auth") }, 400},

		// GET /auth
		{"GET /auth", "302 a login or setup is in process", envOpt{signIn: user.Online},
			func(e *env) (int, string) { e.start("/pmapi/auth/setup"); return e.do("GET", "/pmapi/auth") }, 302},
		{"GET /auth", "404 no login or setup in process", envOpt{},
			func(e *env) (int, string) { return e.do("GET", "/pmapi/auth") }, 404},
	}
	for _, tt := range tests {
		t.Run(tt.call+" answers "+tt.line, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, tt.opt)
			got, msg := tt.run(e)
			if got != tt.want {
				t.Fatalf("status = %d (%q), want %d", got, msg, tt.want)
			}
			if got >= 400 && tt.call != "GET /auth" && strings.TrimSpace(msg) == "" {
				t.Errorf("a %d answer carries no error message for a person", got)
			}
		})
	}
}
