package auth_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"loginshell/internal/auth"
	"loginshell/internal/keychain"
	"loginshell/internal/user"
)

// slowVault is the real keychain whose Create lets the test act while the
// vault is being sealed.
type slowVault struct {
	*keychain.Keychain
	sealing func()
}

func (v slowVault) Create(username, password string, p user.Profile) error {
	err := v.Keychain.Create(username, password, p)
	v.sealing()
	return err
}

func TestSetupCancelledWhileSealingLeavesNoVault(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{online: onlineOK()})
	v := slowVault{Keychain: e.kc}
	svc, err := auth.New(auth.Options{Vault: &v, Online: e.online, Network: e.online, Pages: e.pages(t), Presenter: e.pres,
		Users: e.users, LastUser: e.last, Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	v.sealing = func() { _ = svc.Cancel() }
	e.svc = svc
	e.signInOnline(t)
	running := e.goSetup(context.Background())
	pg := e.waitPage(t, running)
	if err := svc.CompleteSetup(pg.token, goodPassword); !errors.Is(err, auth.ErrTokenUnknown) {
		t.Fatalf("CompleteSetup racing a cancel = %v, want ErrTokenUnknown", err)
	}
	if o := <-running; !errors.Is(o.err, auth.ErrCancelled) {
		t.Errorf("Setup = %v, want ErrCancelled", o.err)
	}
	if e.kc.Exists("alice") {
		t.Error("the cancelled setup left its vault behind")
	}
}
