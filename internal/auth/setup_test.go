package auth_test

import (
	"context"
	"errors"
	"testing"

	"loginshell/internal/auth"
	"loginshell/internal/keychain"
)

// Setup and Update refuse to start, with nothing left running.
func TestOfflineFlowRefused(t *testing.T) {
	t.Parallel()
	noOffline := []byte(`{"name":"x","version":"1","starter":"lineapp"}`)
	missingOffline := []byte(`{"name":"x","version":"1","starter":"lineapp","offlineName":"nosuch"}`)
	tests := []struct {
		name    string
		o       envOptions
		online  bool // sign alice in online first
		offline bool // sign alice in offline first
		update  bool // Update instead of Setup
		wantErr error
	}{
		{name: "setup needs someone signed in", o: envOptions{online: onlineOK()}, wantErr: auth.ErrNotOnline},
		{name: "setup needs an online sign-in, not an offline one", o: envOptions{vault: true}, offline: true, wantErr: auth.ErrNotOnline},
		{name: "setup refuses a user who has a vault", o: envOptions{online: onlineOK(), vault: true}, online: true, wantErr: auth.ErrVaultExists},
		{name: "setup needs an offline package in the boot document", o: envOptions{online: onlineOK(), bootDoc: noOffline}, online: true, wantErr: auth.ErrNoOfflinePackage},
		{name: "setup needs the offline package installed", o: envOptions{online: onlineOK(), bootDoc: missingOffline}, online: true, wantErr: auth.ErrNoOfflinePackage},
		{name: "update needs someone signed in", o: envOptions{online: onlineOK(), vault: true}, update: true, wantErr: auth.ErrNotOnline},
		{name: "update refuses a user without a vault", o: envOptions{online: onlineOK()}, online: true, update: true, wantErr: auth.ErrNoVault},
		{name: "update needs an offline package in the boot document", o: envOptions{online: onlineOK(), vault: true, bootDoc: noOffline}, online: true, update: true, wantErr: auth.ErrNoOfflinePackage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, tt.o)
			if tt.online {
				e.signInOnline(t)
			}
			if tt.offline {
				running := e.goLogin(context.Background())
				pg := e.waitPage(t, running)
				if err := e.svc.Authenticate(pg.token, goodPassword); err != nil {
					t.Fatalf("Authenticate: %v", err)
				}
				if o := <-running; o.err != nil {
					t.Fatalf("offline Login: %v", o.err)
				}
			}
			var err error
			if tt.update {
				err = e.svc.Update(context.Background())
			} else {
				err = e.svc.Setup(context.Background())
			}
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("error = %v, want %v", err, tt.wantErr)
			}
			if e.svc.InProgress() {
				t.Error("a refused flow left something in progress")
			}
		})
	}
}

func TestSetup(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{online: onlineOK()})
	e.signInOnline(t)
	running := e.goSetup(context.Background())
	pg := e.waitPage(t, running)
	if pg.path != "/webapps/offline-login/setup.html" || pg.username != "alice" {
		t.Fatalf("page = %+v, want setup.html for alice", pg)
	}
	steps := []struct {
		name    string
		call    func() error
		wantErr error
	}{
		{"a password that breaks the rules is refused", func() error { return e.svc.CompleteSetup(pg.token, "short") }, keychain.ErrWeakPassword},
		{"a missing password is a bad query", func() error { return e.svc.CompleteSetup(pg.token, "") }, auth.ErrBadQuery},
		{"the setup token does not authenticate", func() error { return e.svc.Authenticate(pg.token, goodPassword) }, auth.ErrTokenUnknown},
		{"a second setup is refused while this one runs", func() error { return e.svc.Setup(context.Background()) }, auth.ErrInProgress},
		{"a login is refused while setup runs", func() error { _, err := e.svc.Login(context.Background()); return err }, auth.ErrInProgress},
		{"a good password is saved", func() error { return e.svc.CompleteSetup(pg.token, goodPassword) }, nil},
		{"the token is single-use", func() error { return e.svc.CompleteSetup(pg.token, goodPassword) }, auth.ErrNotInProgress},
	}
	for _, st := range steps {
		if err := st.call(); !errors.Is(err, st.wantErr) {
			t.Fatalf("%s: error = %v, want %v", st.name, err, st.wantErr)
		}
	}
	if o := <-running; o.err != nil {
		t.Fatalf("Setup = %v", o.err)
	}
	p, err := e.kc.Unlock("alice", goodPassword)
	if err != nil || p.Email != "alice@example.com" {
		t.Errorf("Unlock after setup = %+v, %v; want the online profile sealed", p, err)
	}
}

func TestSetupRefusedAfterSignOut(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{online: onlineOK()})
	e.signInOnline(t)
	running := e.goSetup(context.Background())
	pg := e.waitPage(t, running)
	e.users.SignOut()
	if err := e.svc.CompleteSetup(pg.token, goodPassword); !errors.Is(err, auth.ErrNotOnline) {
		t.Fatalf("CompleteSetup after sign-out = %v, want ErrNotOnline", err)
	}
	if e.kc.Exists("alice") {
		t.Error("a vault was written for a user no longer signed in")
	}
	if err := e.svc.Cancel(); err != nil {
		t.Fatalf("Cancel: %v", err)
	}
	if o := <-running; !errors.Is(o.err, auth.ErrCancelled) {
		t.Errorf("Setup = %v, want ErrCancelled", o.err)
	}
}

func TestUpdate(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{online: onlineOK(), vault: true})
	e.signInOnline(t)
	running := e.goUpdate(context.Background())
	pg := e.waitPage(t, running)
	if pg.path != "/webapps/offline-login/manage.html" || pg.username != "alice" {
		t.Fatalf("page = %+v, want manage.html for alice", pg)
	}
	const newPassword = "a brand new passphrase"
	steps := []struct {
		name    string
		call    func() error
		wantErr error
	}{
		{"a missing old password is a bad query", func() error { return e.svc.CompleteUpdate(pg.token, "", newPassword) }, auth.ErrBadQuery},
		{"a missing new password is a bad query", func() error { return e.svc.CompleteUpdate(pg.token, goodPassword, "") }, auth.ErrBadQuery},
		{"a wrong old password is refused", func() error { return e.svc.CompleteUpdate(pg.token, otherPassword, newPassword) }, keychain.ErrWrongPassword},
		{"the update token does not complete setup", func() error { return e.svc.CompleteSetup(pg.token, newPassword) }, auth.ErrTokenUnknown},
		{"the right old password changes it", func() error { return e.svc.CompleteUpdate(pg.token, goodPassword, newPassword) }, nil},
		{"the token is single-use", func() error { return e.svc.CompleteUpdate(pg.token, newPassword, goodPassword) }, auth.ErrNotInProgress},
	}
	for _, st := range steps {
		if err := st.call(); !errors.Is(err, st.wantErr) {
			t.Fatalf("%s: error = %v, want %v", st.name, err, st.wantErr)
		}
	}
	if o := <-running; o.err != nil {
		t.Fatalf("Update = %v", o.err)
	}
	if _, err := e.kc.Unlock("alice", goodPassword); !errors.Is(err, keychain.ErrWrongPassword) {
		t.Errorf("the old password still opens the vault: %v", err)
	}
	if _, err := e.kc.Unlock("alice", newPassword); err != nil {
		t.Errorf("the new password does not open the vault: %v", err)
	}
}
