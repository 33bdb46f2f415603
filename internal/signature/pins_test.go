package signature_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"loginshell/internal/fault"
	"loginshell/internal/signature"
)

// Behaviours issue 20 found unpinned: each was broken on purpose once and
// no test failed. Each subtest fails when its behaviour breaks.
func TestPins(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	t.Run("one session's outcomes reach that session only", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, "")
		mine := e.outcomes(t)
		other, stop := e.eng.Subscribe("another-session")
		defer stop()
		ids := e.queue(t)
		if _, err := e.sign(t, ids[0], true, "operator", "operator-pass-1", ""); err != nil {
			t.Fatal(err)
		}
		next(t, mine)
		select {
		case o := <-other:
			t.Errorf("another session heard %+v", o)
		default:
		}
	})

	t.Run("an already signed slot of a pending request raises no dialog", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, "")
		ids := e.queue(t)
		if _, err := e.sign(t, ids[0], true, "operator", "operator-pass-1", ""); err != nil {
			t.Fatal(err)
		}
		err := e.eng.Trigger(ctx, ids[0], e.screen.Session(), e.page, true, signature.Plant)
		if !errors.Is(err, signature.ErrNoChallenge) || fault.Text(err) != "No pending authentication challenge with UUID "+ids[0].String() {
			t.Errorf("Trigger of a signed slot = %v, want the seed's IllegalArgumentException text", err)
		}
		if c := e.screen.Current().Challenge; c != nil {
			t.Errorf("a dialog is up: %+v", c)
		}
	})

	t.Run("a cancelled request closes its open dialog", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, "")
		ids := e.queue(t)
		if err := e.eng.Trigger(ctx, ids[0], e.screen.Session(), e.page, true, signature.Plant); err != nil {
			t.Fatal(err)
		}
		c := e.screen.Current().Challenge
		if err := e.eng.Cancel(ctx, c.Request, signature.Plant); err != nil {
			t.Fatal(err)
		}
		if e.screen.Current().Challenge != nil {
			t.Error("the dialog stayed up after its request was cancelled")
		}
		if _, err := e.eng.Answer(ctx, c.ID, "operator", "operator-pass-1", ""); !errors.Is(err, signature.ErrNoOpenChallenge) {
			t.Errorf("an answer after the cancel = %v", err)
		}
	})

	t.Run("a comment of only spaces is no comment", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, "")
		withComment := lineRelease
		withComment.Name, withComment.RequireComment = "Commented", true
		if err := e.eng.PutTemplate(ctx, withComment); err != nil {
			t.Fatal(err)
		}
		ids, err := e.eng.Queue(ctx, signature.Queuing{Template: "Commented", Name: "x", Session: e.screen.Session()})
		if err != nil {
			t.Fatal(err)
		}
		for _, comment := range []string{"", "   ", "\t\n", "\u00a0 \u3000"} {
			if _, err := e.sign(t, ids[0], true, "operator", "operator-pass-1", comment); !errors.Is(err, signature.ErrCommentRequired) {
				t.Errorf("comment %q = %v, want ErrCommentRequired", comment, err)
			}
			e.eng.Dismiss(ctx, e.screen.Current().Challenge.ID)
		}
	})

	t.Run("the template's own timeout sets the deadline, not the default", func(t *testing.T) {
		t.Parallel()
		clk := newClock()
		e := newEnv(t, "", func(o *signature.Options) { o.Now, o.AfterFunc = clk.Now, clk.AfterFunc })
		slow := lineRelease
		slow.Name, slow.Timeout = "Seven minutes", 7
		if err := e.eng.PutTemplate(ctx, slow); err != nil {
			t.Fatal(err)
		}
		ids, err := e.eng.Queue(ctx, signature.Queuing{Template: slow.Name, Name: "x", Session: e.screen.Session()})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.eng.Trigger(ctx, ids[0], e.screen.Session(), e.page, true, signature.Plant); err != nil {
			t.Fatal(err)
		}
		if got := e.screen.Current().Challenge.Expires.Sub(clk.Now()); got != 7*time.Minute {
			t.Errorf("the challenge expires after %v, want the template's 7m (the default is %v)", got, signature.DefaultTimeout)
		}
		clk.advance(signature.DefaultTimeout)
		clk.fire()
		if e.screen.Current().Challenge == nil {
			t.Error("the dialog closed at the default timeout")
		}
	})

	t.Run("a request keeps the template it was queued under", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, "")
		ids := e.queue(t)
		weaker := lineRelease
		weaker.ForceUniqueUser = false
		if err := e.eng.PutTemplate(ctx, weaker); err != nil {
			t.Fatal(err)
		}
		if _, err := e.signAnyway(t, ids[0], true, "supervisor", "supervisor-pass-1", ""); err != nil {
			t.Fatal(err)
		}
		// forceUniqueUser was on when the request was queued: the same
		// person cannot sign the second slot, whatever the template says now.
		if _, err := e.sign(t, ids[1], true, "supervisor", "supervisor-pass-1", ""); !errors.Is(err, signature.ErrSameSigner) {
			t.Errorf("the same person's second signature = %v, want ErrSameSigner", err)
		}
	})
}
