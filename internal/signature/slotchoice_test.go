package signature_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"loginshell/internal/audit"
	"loginshell/internal/demoidp"
	"loginshell/internal/fault"
	"loginshell/internal/signature"
)

// TestSlotChoice (issue 22.2): under forceUniqueUser a signer who is about
// to approve one slot and could also give another pending one is asked
// first, since the other then needs a different person and the request
// can never finish if there is none. Nothing is signed and the page hears
// nothing until the same person answers again; the engine never moves the
// signature to another slot (the page triggered this one).
func TestSlotChoice(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const asked = "Supervisor Example could also give signature 2 of 2 (a supervisor). If Supervisor Example signs signature 1, " +
		"a different supervisor must give signature 2, or the request cannot be completed. To sign signature 1 anyway, type your password again."
	for _, tt := range []struct {
		name       string
		expression string
		unique     bool
		ordered    bool
		before     func(t *testing.T, e *env, ids []uuid.UUID) // signatures given first
		signer     string
		approve    bool
		wantAsk    string // the question, "" for none
	}{
		{name: "an operator at the operator's slot is not asked", expression: "{role:Operator} AND {role:Supervisor}", unique: true,
			signer: "operator", approve: true},
		{name: "a supervisor at the operator's slot is asked", expression: "{role:Operator} AND {role:Supervisor}", unique: true,
			signer: "supervisor", approve: true, wantAsk: asked},
		{name: "in an ordered request too", expression: "{role:Operator} AND {role:Supervisor}", unique: true, ordered: true,
			signer: "supervisor", approve: true, wantAsk: asked},
		{name: "without forceUniqueUser they may give both: not asked", expression: "{role:Operator} AND {role:Supervisor}",
			signer: "supervisor", approve: true},
		{name: "a rejection ends the request: not asked", expression: "{role:Operator} AND {role:Supervisor}", unique: true,
			signer: "supervisor", approve: false},
		{name: "two slots of one role are no choice: not asked", expression: "{role:Operator} AND {role:Operator}", unique: true,
			signer: "supervisor", approve: true},
		{name: "a slot that names them is theirs: not asked", expression: "{userName:supervisor} AND {role:Supervisor}", unique: true,
			signer: "supervisor", approve: true},
		{name: "the other slot already given: not asked", expression: "{role:Operator} AND ({role:Supervisor} OR {role:QA})", unique: true,
			before: func(t *testing.T, e *env, ids []uuid.UUID) {
				if _, err := e.sign(t, ids[1], true, "qa", "qa-pass-1", ""); err != nil {
					t.Fatal(err)
				}
			},
			signer: "supervisor", approve: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, "")
			tmpl := lineRelease
			tmpl.Expression, tmpl.ForceUniqueUser, tmpl.Ordered = tt.expression, tt.unique, tt.ordered
			if err := e.eng.PutTemplate(ctx, tmpl); err != nil {
				t.Fatal(err)
			}
			ids := e.queue(t)
			if tt.before != nil {
				tt.before(t, e, ids)
			}
			out := e.outcomes(t)
			o, err := e.sign(t, ids[0], tt.approve, tt.signer, tt.signer+"-pass-1", "")
			if tt.wantAsk == "" {
				if err != nil || o.Kind == signature.OutcomeError {
					t.Fatalf("the signature = %+v, %v; want it signed at once", o, err)
				}
				return
			}
			if !signature.NeedsConfirm(err) || fault.Text(err) != tt.wantAsk {
				t.Fatalf("the answer = %q (%v), want the question %q", fault.Text(err), err, tt.wantAsk)
			}
			if fault.KindOf(err) != fault.Conflict || signature.ChallengeOver(err) {
				t.Errorf("the question is of kind %v and over %v; want a Conflict that keeps the dialog", fault.KindOf(err), signature.ChallengeOver(err))
			}
			slot, _, err := e.store.Slot(ctx, ids[0])
			if err != nil || slot.State != signature.Pending {
				t.Fatalf("the slot is %v, %v; want it still pending", slot.State, err)
			}
			select {
			case o := <-out:
				t.Fatalf("the page heard %+v of a question", o)
			case <-time.After(50 * time.Millisecond):
			}
			c := e.screen.Current().Challenge
			if c == nil {
				t.Fatal("the dialog closed on the question")
			}
			// Another person's answer is asked too (when it must be),
			// and is no confirmation of the first's.
			if _, err := e.eng.Answer(ctx, c.ID, "operator", "operator-pass-1", ""); err != nil {
				// operator may give only the first slot: signed at once.
				t.Fatalf("the operator's answer after the question = %v, want it signed", err)
			}
			slot, _, _ = e.store.Slot(ctx, ids[0])
			if slot.Signature == nil || slot.Signature.Signer.UserID != "operator" {
				t.Fatalf("the slot holds %+v, want the operator's signature", slot.Signature)
			}
			verifyWarned(t, e, "supervisor")
		})
	}
}

// TestSlotChoiceConfirmed: the person asked answers again and signs the
// slot the page triggered; a new challenge asks again.
func TestSlotChoiceConfirmed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t, "")
	ids := e.queue(t)
	if _, err := e.sign(t, ids[0], true, "supervisor", "supervisor-pass-1", ""); !signature.NeedsConfirm(err) {
		t.Fatalf("the first answer = %v, want the question", err)
	}
	// Cancelled and triggered again: a new challenge, asked again.
	if err := e.eng.Dismiss(ctx, e.screen.Current().Challenge.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.sign(t, ids[0], true, "supervisor", "supervisor-pass-1", ""); !signature.NeedsConfirm(err) {
		t.Fatalf("the answer in a new challenge = %v, want the question again", err)
	}
	// A wrong password in between proves nothing and signs nothing.
	c := e.screen.Current().Challenge
	if _, err := e.eng.Answer(ctx, c.ID, "supervisor", "wrong-password", ""); err == nil || signature.NeedsConfirm(err) {
		t.Fatalf("a wrong password after the question = %v, want it refused", err)
	}
	o, err := e.eng.Answer(ctx, c.ID, "supervisor", "supervisor-pass-1", "")
	if err != nil || o.Kind != signature.OutcomeSigned || o.Slot != ids[0] || o.UserID != "supervisor" {
		t.Fatalf("the answer again = %+v, %v; want the first slot signed by supervisor", o, err)
	}
	// The second slot now needs another supervisor, as the signer was told.
	if _, err := e.sign(t, ids[1], true, "supervisor", "supervisor-pass-1", ""); fault.Text(err) != "Supervisor Example already signed signature 1; a different supervisor must sign." {
		t.Errorf("the supervisor at the second slot = %q", fault.Text(err))
	}
}

// verifyWarned checks that the trail says who was asked, and that nothing
// was signed by them.
func verifyWarned(t *testing.T, e *env, user string) {
	t.Helper()
	var warned, signed int
	err := e.store.AuditEntries(context.Background(), func(en audit.Entry) error {
		if en.UserID != user {
			return nil
		}
		switch {
		case en.Event == audit.EventSuccess && strings.HasPrefix(en.Detail, "not signed yet: ") && strings.Contains(en.Detail, "could also give signature 2 of 2"):
			warned++
		case en.Event == audit.EventApprove || en.Event == audit.EventReject:
			signed++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if warned != 1 || signed != 0 {
		t.Errorf("the trail holds %d questions to %s and %d signatures by them, want 1 and 0", warned, user, signed)
	}
}

// TestSlotChoiceWithARoster: an identity that knows everybody who may
// sign (the demo's users) lets the engine decide: a signature that would
// leave another slot with nobody to give it is refused, saying which to
// give instead; one that leaves the request completable is signed at
// once, without a question.
func TestSlotChoiceWithARoster(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	second := demoidp.User{Username: "sofia", Password: "sofia-demo", Name: "Sofia Second", Roles: []string{"Supervisor", "Operator"}}
	for _, tt := range []struct {
		name       string
		expression string
		extra      []demoidp.User
		signer     string
		slot       int
		wantErr    error
		want       string
	}{
		{name: "the only supervisor at the operator's slot is refused, told which to give",
			expression: "{role:Operator} AND {role:Supervisor}", signer: "supervisor", slot: 0, wantErr: signature.ErrLeavesUnsignable,
			want: "Sam Supervisor may not give signature 1 of 2: nobody else could then give signature 2 (a supervisor), and each signature needs a different person. " +
				"Sign signature 2 instead, and let a different operator give signature 1."},
		{name: "the supervisor at the supervisor's slot signs at once", expression: "{role:Operator} AND {role:Supervisor}", signer: "supervisor", slot: 1},
		{name: "the operator at the operator's slot signs at once", expression: "{role:Operator} AND {role:Supervisor}", signer: "operator", slot: 0},
		{name: "with a second supervisor the first may give the operator's slot", expression: "{role:Operator} AND {role:Supervisor}",
			extra: []demoidp.User{second}, signer: "supervisor", slot: 0},
		{name: "a request nobody can finish is not made worse: signed", expression: "{role:Supervisor} AND {role:Supervisor}", signer: "supervisor", slot: 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			demo, err := demoidp.NewIdentity(append(demoidp.DemoUsers(), tt.extra...), time.Now)
			if err != nil {
				t.Fatal(err)
			}
			e := newEnv(t, "", func(o *signature.Options) { o.Identities = map[string]signature.Identity{"local": demo} })
			tmpl := lineRelease
			tmpl.Expression = tt.expression
			if err := e.eng.PutTemplate(ctx, tmpl); err != nil {
				t.Fatal(err)
			}
			ids := e.queue(t)
			o, err := e.sign(t, ids[tt.slot], true, tt.signer, tt.signer+"-demo", "")
			if tt.wantErr == nil {
				if err != nil || o.Kind == signature.OutcomeError {
					t.Fatalf("the signature = %+v, %v; want it signed at once", o, err)
				}
				return
			}
			if !errors.Is(err, tt.wantErr) || fault.Text(err) != tt.want {
				t.Fatalf("the answer = %q (%v), want %q", fault.Text(err), err, tt.want)
			}
			// Refused, not asked: answering again changes nothing.
			if _, err := e.eng.Answer(ctx, e.screen.Current().Challenge.ID, tt.signer, tt.signer+"-demo", ""); !errors.Is(err, tt.wantErr) {
				t.Errorf("the same answer again = %v, want %v", err, tt.wantErr)
			}
			if slot, _, err := e.store.Slot(ctx, ids[tt.slot]); err != nil || slot.State != signature.Pending {
				t.Errorf("the slot is %v, %v; want it pending", slot.State, err)
			}
		})
	}
}
