package auth_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"loginshell/internal/auth"
	"loginshell/internal/user"
)

// Tests written against survivors of `make mutate` in this package: each
// pins a behaviour a one-token change broke without any test noticing.

// TestLastUserFile: the file is private (0600), and a path that cannot be
// read or replaced is an error, never "nobody signed in" or a silent drop.
func TestLastUserFile(t *testing.T) {
	t.Parallel()
	t.Run("the file is written with mode 0600", func(t *testing.T) {
		t.Parallel()
		path := filepath.Join(t.TempDir(), "state.json")
		l, err := auth.OpenLastUser(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := l.Set("alice"); err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode() != 0o600 {
			t.Errorf("mode %v, want 0600", fi.Mode())
		}
	})
	t.Run("a path that cannot be read is an error", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir() // a directory where the file belongs
		if l, err := auth.OpenLastUser(dir); err == nil {
			t.Errorf("OpenLastUser(a directory) = %v, nil; want an error", l)
		}
	})
	t.Run("a path that cannot be replaced fails Set and keeps the old name", func(t *testing.T) {
		t.Parallel()
		path := filepath.Join(t.TempDir(), "state.json")
		l, err := auth.OpenLastUser(path)
		if err != nil {
			t.Fatal(err)
		}
		// As root permissions stop nothing: a non-empty directory in the
		// way makes the rename fail.
		if err := os.MkdirAll(filepath.Join(path, "x"), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := l.Set("alice"); err == nil {
			t.Error("Set succeeded")
		}
		if got := l.Get(); got != "" {
			t.Errorf("Get = %q after a failed Set, want the old value", got)
		}
	})
}

// TestOnlineSuccessNeverFallsBackOffline: with fallback allowed and offline
// login ready, a successful online login is the answer; no offline page.
func TestOnlineSuccessNeverFallsBackOffline(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{online: onlineOK(), fallback: true, vault: true})
	p, err := e.svc.Login(context.Background())
	if err != nil || p.Username != "alice" {
		t.Fatalf("Login = %+v, %v; want alice", p, err)
	}
	if _, m, _ := e.users.Current(); m != user.Online {
		t.Errorf("method = %q, want online", m)
	}
	select {
	case u := <-e.pres.shown:
		t.Errorf("an offline page was shown after a successful online login: %s", u)
	default:
	}
}

// TestFreshnessWindow pins FreshFor: zero accepts any online sign-in of the
// session, and a sign-in exactly FreshFor old is still fresh (the clock is
// fixed, so "exactly" is exact).
func TestFreshnessWindow(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 3, 4, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name       string
		freshFor   time.Duration
		age        time.Duration
		wantLogins int
	}{
		{"zero accepts a sign-in of any age", 0, 24 * time.Hour, 0},
		{"a sign-in exactly the window old is fresh", 15 * time.Minute, 15 * time.Minute, 0},
		{"a sign-in one second older is renewed", 15 * time.Minute, 15*time.Minute + time.Second, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			signedIn := aliceProfile()
			signedIn.AuthenticatedAt = now.Add(-tt.age)
			renewed := aliceProfile()
			renewed.AuthenticatedAt = now
			e := newEnv(t, envOptions{online: idp{configured: true, reachable: true, profile: renewed}})
			svc, err := auth.New(auth.Options{
				Vault: e.kc, Online: e.online, Network: e.online, Pages: e.pages(t), Presenter: e.pres, Users: e.users,
				LastUser: e.last, Now: func() time.Time { return now }, FreshFor: tt.freshFor,
			})
			if err != nil {
				t.Fatal(err)
			}
			e.svc = svc
			e.users.SignIn(signedIn, user.Online)
			running := e.goSetup(context.Background())
			pg := e.waitPage(t, running)
			if err := e.svc.CompleteSetup(pg.token, goodPassword); err != nil {
				t.Fatalf("CompleteSetup: %v", err)
			}
			if o := <-running; o.err != nil {
				t.Fatalf("Setup = %v", o.err)
			}
			if logins, _ := e.online.counts(); logins != tt.wantLogins {
				t.Errorf("online logins = %d, want %d", logins, tt.wantLogins)
			}
		})
	}
}
