package signature_test

import (
	"context"
	"errors"
	"testing"

	"loginshell/internal/audit"
	"loginshell/internal/signature"
)

// TestBothComponentsEveryTime: a signature with a password takes both of
// its components, the user ID and the password, at every signing, the
// next one by the same person moments later included (21 CFR 11.200(a):
// no signing on the strength of an earlier one).
func TestBothComponentsEveryTime(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t, "")
	for round := range 2 {
		ids := e.queue(t)
		if err := e.eng.Trigger(ctx, ids[0], e.screen.Session(), e.page, true, signature.Plant); err != nil {
			t.Fatal(err)
		}
		c := e.screen.Current().Challenge
		for _, tt := range []struct{ name, user, password string }{
			{"no password", "operator", ""},
			{"no user ID", "", "operator-pass-1"},
			{"a user ID of spaces", "  ", "operator-pass-1"},
		} {
			if o, err := e.eng.Answer(ctx, c.ID, tt.user, tt.password, ""); !errors.Is(err, signature.ErrMissingCredentials) || o.Kind != "" {
				t.Errorf("round %d, %s: %+v, %v; want ErrMissingCredentials and nothing signed", round, tt.name, o, err)
			}
		}
		if o, err := e.eng.Answer(ctx, c.ID, "operator", "operator-pass-1", ""); err != nil || o.Kind != signature.OutcomeSigned {
			t.Fatalf("round %d: both components = %+v, %v; want the slot signed", round, o, err)
		}
	}
}

// TestLockoutAtTheDialogIsInTheTrail: ten wrong passwords at the signature
// dialog lock the person out (the keychain's lockout); every attempt,
// every failure and the try refused as locked out are audit entries naming
// the person, and while locked out the right password signs nothing
// (21 CFR 11.300(d)).
func TestLockoutAtTheDialogIsInTheTrail(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t, "")
	ids := e.queue(t)
	if err := e.eng.Trigger(ctx, ids[0], e.screen.Session(), e.page, true, signature.Plant); err != nil {
		t.Fatal(err)
	}
	c := e.screen.Current().Challenge
	for range 10 {
		if _, err := e.eng.Answer(ctx, c.ID, "operator", "not-the-password", ""); err == nil {
			t.Fatal("a wrong password signed")
		}
	}
	if o, err := e.eng.Answer(ctx, c.ID, "operator", "operator-pass-1", ""); err == nil || o.Kind != signature.OutcomeError {
		t.Errorf("the right password while locked out = %+v, %v; want refused", o, err)
	}
	counts := map[string]int{}
	err := e.store.AuditEntries(ctx, func(en audit.Entry) error {
		if en.Slot == ids[0].String() && en.UserID == "operator" {
			counts[en.Event]++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if counts[audit.EventAttempt] != 11 || counts[audit.EventFailure] != 10 || counts[audit.EventLockout] != 1 || counts[audit.EventSuccess] != 0 {
		t.Errorf("the trail of operator's attempts: %v; want 11 attempts, 10 failures, the try while locked out a lockout, no success", counts)
	}
}
