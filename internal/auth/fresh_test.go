package auth_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"loginshell/internal/auth"
	"loginshell/internal/user"
)

// freshEnv rebuilds e's service with a freshness window; the rest of
// the environment is kept.
func freshEnv(t *testing.T, online idp) *env {
	t.Helper()
	e := newEnv(t, envOptions{online: online})
	svc, err := auth.New(auth.Options{
		Vault: e.kc, Online: e.online, Network: e.online, Pages: e.pages(t), Presenter: e.pres, Users: e.users,
		LastUser: e.last, Now: time.Now, FreshFor: 15 * time.Minute,
	})
	if err != nil {
		t.Fatal(err)
	}
	e.svc = svc
	return e
}

func TestSetupRenewsAStaleOnlineSignIn(t *testing.T) {
	t.Parallel()
	stale := aliceProfile() // authenticated in 2025
	fresh := aliceProfile()
	fresh.AuthenticatedAt = time.Now()
	tests := []struct {
		name       string
		before     user.Profile
		online     idp
		wantLogins int
		wantErr    error
	}{
		{"a fresh sign-in opens the page at once", fresh, idp{configured: true, reachable: true, profile: fresh}, 0, nil},
		{"a stale sign-in is renewed first", stale, idp{configured: true, reachable: true, profile: fresh}, 1, nil},
		{"a stale sign-in with the server down is refused", stale, idp{configured: true}, 0, auth.ErrNotOnline},
		{"a renewal by another person is refused", stale, idp{configured: true, reachable: true, profile: user.Profile{Username: "mallory", AuthenticatedAt: time.Now()}}, 1, auth.ErrNotOnline},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := freshEnv(t, tt.online)
			e.users.SignIn(tt.before, user.Online)
			running := e.goSetup(context.Background())
			if tt.wantErr != nil {
				if o := <-running; !errors.Is(o.err, tt.wantErr) {
					t.Fatalf("Setup = %v, want %v", o.err, tt.wantErr)
				}
			} else {
				pg := e.waitPage(t, running)
				if err := e.svc.CompleteSetup(pg.token, goodPassword); err != nil {
					t.Fatalf("CompleteSetup: %v", err)
				}
				if o := <-running; o.err != nil {
					t.Fatalf("Setup = %v", o.err)
				}
			}
			if logins, _ := e.online.counts(); logins != tt.wantLogins {
				t.Errorf("online logins = %d, want %d", logins, tt.wantLogins)
			}
		})
	}
}

// A change of the offline password is proved by the old one (DESIGN §4),
// so a stale online sign-in is not renewed for it, whether or not the login
// server answers: a renewal would take the window to the login server and
// the starter app's "Update Offline Password" request would be lost.
func TestUpdateKeepsAStaleOnlineSignIn(t *testing.T) {
	t.Parallel()
	stale := aliceProfile() // authenticated in 2025
	for _, online := range []idp{{configured: true, reachable: true, profile: stale}, {configured: true}} {
		e := freshEnv(t, online)
		if err := e.kc.Create("alice", goodPassword, stale); err != nil {
			t.Fatal(err)
		}
		e.users.SignIn(stale, user.Online)
		running := e.goUpdate(context.Background())
		pg := e.waitPage(t, running)
		if err := e.svc.CompleteUpdate(pg.token, goodPassword, otherPassword); err != nil {
			t.Fatalf("CompleteUpdate: %v", err)
		}
		if o := <-running; o.err != nil {
			t.Fatalf("Update = %v", o.err)
		}
		if logins, _ := e.online.counts(); logins != 0 {
			t.Errorf("reachable=%v: online logins = %d, want none", online.reachable, logins)
		}
	}
}
