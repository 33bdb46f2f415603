package auth_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"loginshell/internal/auth"
	"loginshell/internal/keychain"
	"loginshell/internal/user"
)

// bobProfile is a second person of the shift.
func bobProfile() user.Profile {
	p := aliceProfile()
	p.Username, p.Name, p.Email = "bob", "Bob Stone", "bob@example.com"
	return p
}

func TestSharedStation(t *testing.T) {
	t.Parallel()
	const bobPassword = "bob offline password"
	e := newEnv(t, envOptions{online: idp{configured: true}, vault: true}) // unreachable: offline
	if err := e.kc.Create("bob", bobPassword, bobProfile()); err != nil {
		t.Fatal(err)
	}
	running := e.goLogin(context.Background())
	pg := e.waitPage(t, running)
	if pg.username != "alice" {
		t.Fatalf("page opened for %q, want the last user alice", pg.username)
	}
	users, err := e.svc.StationUsers(pg.token)
	if err != nil || !slices.Equal(users, []string{"alice", "bob"}) {
		t.Fatalf("StationUsers = %q, %v; want alice and bob", users, err)
	}
	if _, err := e.svc.StationUsers("8c1d7e53-2b0f-4c53-9a51-3c3a36c1d1f0"); !errors.Is(err, auth.ErrTokenUnknown) {
		t.Errorf("StationUsers with another token = %v, want ErrTokenUnknown", err)
	}
	steps := []struct {
		name    string
		call    func() error
		wantErr error
	}{
		{"a user with no offline password here is refused", func() error { return e.svc.AuthenticateAs(pg.token, "carol", bobPassword) }, auth.ErrNoVault},
		{"bob's password does not open alice's vault", func() error { return e.svc.AuthenticateAs(pg.token, "", bobPassword) }, keychain.ErrWrongPassword},
		{"bob signs in with his own", func() error { return e.svc.AuthenticateAs(pg.token, "bob", bobPassword) }, nil},
	}
	for _, st := range steps {
		if err := st.call(); !errors.Is(err, st.wantErr) {
			t.Fatalf("%s: error = %v, want %v", st.name, err, st.wantErr)
		}
	}
	out := <-running
	if out.err != nil || out.p.Username != "bob" {
		t.Fatalf("Login = %+v, %v; want bob", out.p, out.err)
	}
	if p, m, ok := e.users.Current(); !ok || p.Username != "bob" || m != user.Offline {
		t.Errorf("signed in = %+v %v %v, want bob offline", p, m, ok)
	}
	if got := e.last.Get(); got != "bob" {
		t.Errorf("last user = %q, want bob", got)
	}
}

func TestOfflineLoginWithoutTheLastUsersPassword(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{online: idp{configured: true}})
	if err := e.kc.Create("bob", "bob offline password", bobProfile()); err != nil {
		t.Fatal(err)
	}
	if err := e.last.Set("carol"); err != nil { // signed in online, never set up offline
		t.Fatal(err)
	}
	pg := e.waitPage(t, e.goLogin(context.Background()))
	if pg.username != "bob" {
		t.Errorf("page opened for %q, want bob, who has an offline password here", pg.username)
	}
	if err := e.svc.Cancel(); err != nil {
		t.Fatal(err)
	}
}
