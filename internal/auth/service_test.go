package auth_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"loginshell/internal/auth"
	"loginshell/internal/user"
)

func TestNewRefusesMissingDependencies(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	full := func() auth.Options {
		return auth.Options{Vault: e.kc, Online: e.online, Network: e.online, Pages: pagesFunc(nil), Presenter: e.pres,
			Users: e.users, LastUser: e.last, Now: time.Now}
	}
	if _, err := auth.New(full()); err != nil {
		t.Fatalf("New with every dependency: %v", err)
	}
	tests := []struct {
		name string
		drop func(*auth.Options)
	}{
		{"without a vault", func(o *auth.Options) { o.Vault = nil }},
		{"without an identity provider", func(o *auth.Options) { o.Online = nil }},
		{"without a network check", func(o *auth.Options) { o.Network = nil }},
		{"without pages", func(o *auth.Options) { o.Pages = nil }},
		{"without a presenter", func(o *auth.Options) { o.Presenter = nil }},
		{"without a user service", func(o *auth.Options) { o.Users = nil }},
		{"without a last-user store", func(o *auth.Options) { o.LastUser = nil }},
		{"without a clock", func(o *auth.Options) { o.Now = nil }},
	}
	for _, tt := range tests {
		t.Run("New refuses options "+tt.name, func(t *testing.T) {
			t.Parallel()
			o := full()
			tt.drop(&o)
			if s, err := auth.New(o); err == nil || s != nil {
				t.Errorf("New = %v, %v; want an error", s, err)
			}
		})
	}
}

// pagesFunc adapts a function to auth.Pages.
type pagesFunc func(cmd auth.Command, token, username string) (string, error)

func (f pagesFunc) OfflinePage(cmd auth.Command, token, username string) (string, error) {
	return f(cmd, token, username)
}

func TestLogoutCancelsAndSignsOut(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{online: onlineOK()})
	e.signInOnline(t)
	running := e.goSetup(context.Background())
	e.waitPage(t, running)
	e.svc.Logout(context.Background())
	if o := <-running; !errors.Is(o.err, auth.ErrCancelled) {
		t.Errorf("Setup after Logout = %v, want ErrCancelled", o.err)
	}
	if p, _, ok := e.users.Current(); ok {
		t.Errorf("still signed in as %+v", p)
	}
	if len(e.users.All()) != 0 {
		t.Errorf("user service not cleared: %v", e.users.All())
	}
	if _, logouts := e.online.counts(); logouts != 1 {
		t.Errorf("identity provider logouts = %d, want 1 after an online sign-in", logouts)
	}
	if e.svc.InProgress() {
		t.Error("still in progress after Logout")
	}
}

func TestLogoutAfterOfflineLoginSkipsTheProvider(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{vault: true})
	running := e.goLogin(context.Background())
	pg := e.waitPage(t, running)
	if err := e.svc.Authenticate(pg.token, goodPassword); err != nil {
		t.Fatal(err)
	}
	<-running
	e.svc.Logout(context.Background())
	if _, _, ok := e.users.Current(); ok {
		t.Error("still signed in after Logout")
	}
	if _, logouts := e.online.counts(); logouts != 0 {
		t.Errorf("identity provider logouts = %d, want none after an offline sign-in", logouts)
	}
}

// A page that fails to resolve ends the flow with nothing left running.
func TestLoginPageMissing(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{vault: true})
	svc, err := auth.New(auth.Options{Vault: e.kc, Online: e.online, Network: e.online, Presenter: e.pres, Users: e.users,
		LastUser: e.last, Now: time.Now,
		Pages: pagesFunc(func(auth.Command, string, string) (string, error) { return "", auth.ErrNoPage }),
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = svc.Login(context.Background())
	if !errors.Is(err, auth.ErrNotAttempted) || !errors.Is(err, auth.ErrNoPage) {
		t.Errorf("Login = %v, want ErrNotAttempted wrapping ErrNoPage", err)
	}
	if svc.InProgress() {
		t.Error("still in progress")
	}
}

func TestLastUser(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		content string // "" = no file
		want    string
		wantErr bool
	}{
		{name: "a missing file means nobody", want: ""},
		{name: "the file names the last user", content: `{"last_user":"bob"}`, want: "bob"},
		{name: "a damaged file is refused, naming it", content: `{"last_user":`, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "state.json")
			if tt.content != "" {
				if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			l, err := auth.OpenLastUser(path)
			if tt.wantErr {
				if err == nil || !strings.Contains(err.Error(), path) {
					t.Errorf("OpenLastUser = %v, want an error naming %s", err, path)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := l.Get(); got != tt.want {
				t.Errorf("Get = %q, want %q", got, tt.want)
			}
			if err := l.Set("carol"); err != nil {
				t.Fatal(err)
			}
			again, err := auth.OpenLastUser(path)
			if err != nil || again.Get() != "carol" {
				t.Errorf("reopened = %v, %v; want carol", again, err)
			}
		})
	}
}

// The first outcome wins: a completion racing a cancel never leaves a
// half-signed-in user (signed in, yet Login reporting a cancel).
func TestAuthenticateRacingCancel(t *testing.T) {
	t.Parallel()
	for i := range 20 {
		e := newEnv(t, envOptions{vault: true})
		running := e.goLogin(context.Background())
		pg := e.waitPage(t, running)
		authErr := make(chan error, 1)
		go func() { authErr <- e.svc.Authenticate(pg.token, goodPassword) }()
		cancelErr := e.svc.Cancel()
		o := <-running
		aerr := <-authErr
		_, m, ok := e.users.Current()
		switch {
		case o.err == nil:
			if aerr != nil || !ok || m != user.Offline {
				t.Fatalf("run %d: Login succeeded but Authenticate = %v, signed in = %v", i, aerr, ok)
			}
		case errors.Is(o.err, auth.ErrCancelled):
			if cancelErr != nil || ok || aerr == nil {
				t.Fatalf("run %d: Login cancelled but Cancel = %v, Authenticate = %v, signed in = %v", i, cancelErr, aerr, ok)
			}
		default:
			t.Fatalf("run %d: Login = %v", i, o.err)
		}
	}
}
