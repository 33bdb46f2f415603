package auth_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"loginshell/internal/auth"
	"loginshell/internal/fault"
	"loginshell/internal/keychain"
	"loginshell/internal/user"
)

// errNotOpenID stands for online.ErrNotOpenID: what the provider says of an
// address that answered 401.
var errNotOpenID = fault.New(fault.Unavailable, "that address is not an OpenID login server (it answered 401)")

// Logins that end without showing a page: an online sign-in, or a refusal.
func TestLoginWithoutPage(t *testing.T) {
	t.Parallel()
	failing := idp{configured: true, reachable: true, err: errIdP}
	tests := []struct {
		name         string
		online       idp
		forceOffline bool
		fallback     bool
		vault        bool
		wantErr      error
		wantWrapped  error // also matched, when set
	}{
		{name: "an online login fills the user service", online: onlineOK()},
		{name: "an online login is preferred over an existing vault", online: onlineOK(), vault: true},
		{name: "an online failure is ErrFailed wrapping the provider's error", online: failing,
			wantErr: auth.ErrFailed, wantWrapped: errIdP},
		{name: "an online failure without a vault does not fall back", online: failing, fallback: true,
			wantErr: auth.ErrFailed},
		{name: "no login server and no vault is ErrNotConfigured", wantErr: auth.ErrNotConfigured},
		{name: "forced offline without a vault is ErrNotAttempted", online: onlineOK(), forceOffline: true,
			wantErr: auth.ErrNotAttempted},
		{name: "an unreachable server without a vault is ErrNotAttempted",
			online: idp{configured: true}, wantErr: auth.ErrNotAttempted},
		{name: "an address that answers as no login server, without a vault, is ErrFailed saying so",
			online: idp{configured: true, notLoginServer: errNotOpenID}, wantErr: auth.ErrNotLoginServer, wantWrapped: errNotOpenID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, envOptions{online: tt.online, forceOffline: tt.forceOffline, fallback: tt.fallback, vault: tt.vault})
			p, err := e.svc.Login(context.Background())
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Login error = %v, want %v", err, tt.wantErr)
			}
			if errors.Is(err, errNotOpenID) && fault.Text(err) != fault.Text(errNotOpenID) {
				t.Errorf("Login error text = %q, want the login server's own words %q", fault.Text(err), fault.Text(errNotOpenID))
			}
			if errors.Is(err, auth.ErrNotLoginServer) && !errors.Is(err, auth.ErrFailed) {
				t.Errorf("Login error = %v, want it to be a failed sign-in (ErrFailed) too", err)
			}
			if tt.wantErr != auth.ErrNotLoginServer && errors.Is(err, auth.ErrNotLoginServer) {
				t.Errorf("Login error = %v says the address is no login server", err)
			}
			if tt.wantWrapped != nil && !errors.Is(err, tt.wantWrapped) {
				t.Errorf("Login error = %v, want it to wrap %v", err, tt.wantWrapped)
			}
			if e.svc.InProgress() {
				t.Error("a flow is still in progress after Login returned")
			}
			cur, m, ok := e.users.Current()
			if tt.wantErr != nil {
				if ok {
					t.Errorf("signed in as %+v after a refused login", cur)
				}
				return
			}
			if p.Username != "alice" || cur.Username != "alice" || m != user.Online {
				t.Errorf("Login = %+v, current = %+v (%s), want alice online", p, cur, m)
			}
			if got, _ := e.users.Get("isauthenticated"); got != true {
				t.Errorf("user service isauthenticated = %v, want true", got)
			}
			if got := e.last.Get(); got != "alice" {
				t.Errorf("last user = %q, want alice", got)
			}
			reread, err := auth.OpenLastUser(filepath.Join(e.dir, "state.json"))
			if err != nil || reread.Get() != "alice" {
				t.Errorf("last user file reread = %v, %v; want alice saved", reread, err)
			}
			if n := len(e.pres.shown); n != 0 {
				t.Errorf("%d pages shown for an online login", n)
			}
		})
	}
}

// The offline login page goes through wrong, malformed and foreign
// completions before the right password ends it.
func TestOfflineLogin(t *testing.T) {
	t.Parallel()
	for _, why := range []struct {
		name string
		o    envOptions
	}{
		{"offline login runs when no login server is configured", envOptions{vault: true}},
		{"offline login runs when the shell is forced offline", envOptions{online: onlineOK(), forceOffline: true, vault: true}},
		{"offline login runs when the login server is unreachable", envOptions{online: idp{configured: true}, vault: true}},
		{"offline login runs when the address answers as no login server, with a vault",
			envOptions{online: idp{configured: true, notLoginServer: errNotOpenID}, vault: true}},
		{"offline login runs after an online failure when fallback is allowed",
			envOptions{online: idp{configured: true, reachable: true, err: errIdP}, fallback: true, vault: true}},
	} {
		t.Run(why.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, why.o)
			running := e.goLogin(context.Background())
			pg := e.waitPage(t, running)
			if pg.path != "/webapps/offline-login/login.html" || pg.username != "alice" {
				t.Fatalf("page = %+v, want the offline package's login.html for alice", pg)
			}
			if !e.svc.InProgress() {
				t.Fatal("InProgress = false while the login page is shown")
			}
			steps := []struct {
				name    string
				call    func() error
				wantErr error
			}{
				{"a wrong password is refused and the flow stays open",
					func() error { return e.svc.Authenticate(pg.token, otherPassword) }, keychain.ErrWrongPassword},
				{"a missing password is a bad query",
					func() error { return e.svc.Authenticate(pg.token, "") }, auth.ErrBadQuery},
				{"the token does not open the setup command",
					func() error { return e.svc.CompleteSetup(pg.token, goodPassword) }, auth.ErrTokenUnknown},
				{"the token does not open the update command",
					func() error { return e.svc.CompleteUpdate(pg.token, goodPassword, otherPassword) }, auth.ErrTokenUnknown},
				{"another token is unknown",
					func() error { return e.svc.Authenticate("8c1d7e53-2b0f-4c53-9a51-3c3a36c1d1f0", goodPassword) }, auth.ErrTokenUnknown},
				{"an empty token is unknown",
					func() error { return e.svc.Authenticate("", goodPassword) }, auth.ErrTokenUnknown},
				{"a new login is refused while this one runs",
					func() error { _, err := e.svc.Login(context.Background()); return err }, auth.ErrInProgress},
				{"the right password completes the login",
					func() error { return e.svc.Authenticate(pg.token, goodPassword) }, nil},
				{"the token is single-use",
					func() error { return e.svc.Authenticate(pg.token, goodPassword) }, auth.ErrNotInProgress},
			}
			for _, st := range steps {
				if err := st.call(); !errors.Is(err, st.wantErr) {
					t.Fatalf("%s: error = %v, want %v", st.name, err, st.wantErr)
				}
				if st.wantErr != nil && st.wantErr != auth.ErrNotInProgress && !e.svc.InProgress() {
					t.Fatalf("%s: the flow ended", st.name)
				}
			}
			o := <-running
			if o.err != nil || o.p.Username != "alice" || o.p.Name != "Alice Martin" {
				t.Fatalf("Login = %+v, %v; want the cached profile of alice", o.p, o.err)
			}
			if _, m, _ := e.users.Current(); m != user.Offline {
				t.Errorf("method = %q, want offline", m)
			}
			if got, _ := e.users.Get("method"); got != "offline" {
				t.Errorf("user service method = %v, want offline", got)
			}
			// Once per flow that ended: the failed online one (the window
			// leaves the provider's page) and the offline one.
			want := 1
			if why.o.online.reachable && !why.o.forceOffline {
				want = 2
			}
			if n := e.pres.closedCount(); n != want {
				t.Errorf("CloseAuthPage called %d times, want %d", n, want)
			}
		})
	}
}

func TestCompletionWithNothingRunning(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{vault: true})
	tok := "8c1d7e53-2b0f-4c53-9a51-3c3a36c1d1f0"
	tests := []struct {
		name string
		call func() error
	}{
		{"authenticate", func() error { return e.svc.Authenticate(tok, goodPassword) }},
		{"complete setup", func() error { return e.svc.CompleteSetup(tok, goodPassword) }},
		{"complete update", func() error { return e.svc.CompleteUpdate(tok, goodPassword, otherPassword) }},
		{"cancel", e.svc.Cancel},
	}
	for _, tt := range tests {
		t.Run(tt.name+" with nothing running is ErrNotInProgress", func(t *testing.T) {
			if err := tt.call(); !errors.Is(err, auth.ErrNotInProgress) {
				t.Errorf("error = %v, want ErrNotInProgress", err)
			}
		})
	}
}

// A page's flow ends with ErrCancelled whichever way it is cancelled.
func TestLoginCancelled(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		online idp
		page   bool // the flow shows the offline page (else it blocks online)
		cancel func(e *env, stop context.CancelFunc)
	}{
		{"Cancel ends an offline login", idp{}, true,
			func(e *env, _ context.CancelFunc) {
				if err := e.svc.Cancel(); err != nil {
					panic(err)
				}
			}},
		{"the context ends an offline login", idp{}, true, func(_ *env, stop context.CancelFunc) { stop() }},
		{"Logout ends an offline login", idp{}, true, func(e *env, _ context.CancelFunc) { e.svc.Logout(context.Background()) }},
		{"Cancel ends an online login", idp{configured: true, reachable: true, block: true}, false,
			func(e *env, _ context.CancelFunc) {
				if err := e.svc.Cancel(); err != nil {
					panic(err)
				}
			}},
		{"the context ends an online login", idp{configured: true, reachable: true, block: true}, false,
			func(_ *env, stop context.CancelFunc) { stop() }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			started := make(chan struct{}, 1)
			tt.online.started = started
			e := newEnv(t, envOptions{online: tt.online, vault: true})
			ctx, stop := context.WithCancel(context.Background())
			defer stop()
			running := e.goLogin(ctx)
			var pg page
			if tt.page {
				pg = e.waitPage(t, running)
			} else {
				<-started
			}
			tt.cancel(e, stop)
			o := <-running
			if !errors.Is(o.err, auth.ErrCancelled) {
				t.Fatalf("Login error = %v, want ErrCancelled", o.err)
			}
			if e.svc.InProgress() {
				t.Error("still in progress after the cancel")
			}
			if _, _, ok := e.users.Current(); ok {
				t.Error("someone is signed in after a cancelled login")
			}
			if tt.page {
				if err := e.svc.Authenticate(pg.token, goodPassword); !errors.Is(err, auth.ErrNotInProgress) {
					t.Errorf("Authenticate after the cancel = %v, want ErrNotInProgress", err)
				}
				if n := e.pres.closedCount(); n != 1 {
					t.Errorf("CloseAuthPage called %d times, want 1", n)
				}
			}
		})
	}
}
