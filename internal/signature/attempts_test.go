package signature_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"loginshell/internal/audit"
	"loginshell/internal/fault"
	"loginshell/internal/signature"
)

// TestAPackageHoldsAtMostItsLimit: a page that queues in a loop is refused
// at the limit, naming it; the plant's own requests do not count, and
// another package is not affected (issue 20).
func TestAPackageHoldsAtMostItsLimit(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "", func(o *signature.Options) { o.MaxPendingPerPackage = 3 })
	ctx := context.Background()
	q := func(owner string) error {
		_, err := e.eng.Queue(ctx, signature.Queuing{Template: lineRelease.Name, Name: "flood", Owner: owner})
		return err
	}
	for range 3 {
		if err := q("hostile"); err != nil {
			t.Fatal(err)
		}
	}
	err := q("hostile")
	if !errors.Is(err, signature.ErrTooManyPending) || fault.KindOf(err) != fault.TooMany || !strings.Contains(fault.Text(err), "holds 3 pending requests") {
		t.Errorf("the fourth = %v (%s), want ErrTooManyPending naming the limit", err, fault.Text(err))
	}
	if err := q("lineapp"); err != nil {
		t.Errorf("another package was refused: %v", err)
	}
	if err := q(signature.Plant); err != nil {
		t.Errorf("the plant was refused: %v", err)
	}
	rs := mustPending(t, e)
	if len(rs) != 5 {
		t.Errorf("%d pending, want 5", len(rs))
	}
	// One cancelled: room for one more.
	for _, r := range rs {
		if r.Owner == "hostile" {
			if err := e.eng.Cancel(ctx, r.ID, "hostile"); err != nil {
				t.Fatal(err)
			}
			break
		}
	}
	if err := q("hostile"); err != nil {
		t.Errorf("after a cancel: %v", err)
	}
}

// TestFailedAttemptsSayNoMoreThanNeeded: text typed into User ID (often a
// password) reaches neither the page nor the trail unless it names a
// known user (issue 20).
func TestFailedAttemptsSayNoMoreThanNeeded(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "")
	out := e.outcomes(t)
	ids := e.queue(t)
	const typed = "Hunter2-typed-in-the-wrong-field"
	if _, err := e.sign(t, ids[0], true, typed, "whatever", ""); err == nil {
		t.Fatal("an unknown user signed")
	}
	if o := next(t, out); o.Kind != signature.OutcomeError || o.UserID != "" || strings.Contains(o.Message, typed) {
		t.Errorf("the page heard %+v", o)
	}
	c := e.screen.Current().Challenge
	if _, err := e.eng.Answer(context.Background(), c.ID, "operator", "wrong-password", ""); err == nil {
		t.Fatal("a wrong password signed")
	}
	next(t, out)
	var attempts []audit.Entry
	var all strings.Builder
	err := e.store.AuditEntries(context.Background(), func(en audit.Entry) error {
		all.WriteString(audit.Format(en) + "\n")
		if en.Event == audit.EventAttempt {
			attempts = append(attempts, en)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(all.String(), typed) {
		t.Errorf("the trail holds the typed text:\n%s", all.String())
	}
	if len(attempts) != 2 || attempts[0].UserID != "" || attempts[0].Detail != "unknown user ID" || attempts[1].UserID != "operator" {
		t.Errorf("attempts %+v: want the unknown one without its user ID, the known one with it", attempts)
	}
}

// TestOutcomesReachTheirPackagesOnly: the rule the event streams apply.
func TestOutcomesReachTheirPackagesOnly(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name  string
		o     signature.Outcome
		pkg   string
		hears bool
	}{
		{"the owner hears", signature.Outcome{Owner: "lineapp"}, "lineapp", true},
		{"the page that triggered hears", signature.Outcome{Owner: "lineapp", By: "qa-tool"}, "qa-tool", true},
		{"another package does not", signature.Outcome{Owner: "lineapp", By: "qa-tool"}, "hostile", false},
		{"a plant request's outcome goes to its trigger only", signature.Outcome{By: "lineapp"}, "hostile", false},
		{"the plant hears all", signature.Outcome{Owner: "lineapp"}, signature.Plant, true},
	} {
		if got := tt.o.For(tt.pkg); got != tt.hears {
			t.Errorf("%s: For(%q) = %v", tt.name, tt.pkg, got)
		}
	}
}
