// The answer to a challenge: the dialog's user ID and password checked,
// the signature committed in time, a failure told without what was typed.

package signature

import (
	"context"
	"errors"
	"strings"

	"loginshell/internal/audit"
	"loginshell/internal/fault"
)

// Answer signs the slot of the open challenge id with the user ID and
// password the dialog took, and comment. A failure (wrong password,
// lockout, a signer the slot does not admit, a second slot by the same
// person under forceUniqueUser) keeps the challenge open for another try,
// fires an error outcome and is returned with a text for the dialog; a
// slot signed meanwhile elsewhere closes it. The password goes no further
// than Identity.Verify: never into an outcome, the audit or a log.
func (e *Engine) Answer(ctx context.Context, id, userID, password, comment string) (Outcome, error) {
	c, ok := e.peek(id)
	if !ok {
		return Outcome{}, ErrNoOpenChallenge
	}
	if strings.TrimSpace(userID) == "" || password == "" {
		return Outcome{}, ErrMissingCredentials
	}
	if c.RequireComment && strings.TrimSpace(comment) == "" {
		return Outcome{}, ErrCommentRequired
	}
	_, req, err := e.o.Store.Slot(ctx, c.Slot)
	if err != nil {
		return Outcome{}, err
	}
	t, err := e.rules(ctx, req)
	if err != nil {
		return Outcome{}, err
	}
	identity := e.o.Identities[strings.ToLower(t.Provider())]
	if identity == nil {
		return Outcome{}, fault.Detail(ErrUnsupported, "identity provider %q", t.Provider())
	}
	typed := known(identity, userID)
	e.audit(ctx, e.entry(c, audit.EventAttempt, typed.Signer, "", typed.unknown()))
	signer, err := identity.Verify(userID, password)
	if err != nil {
		event := audit.EventFailure
		if fault.KindOf(err) == fault.Locked {
			event = audit.EventLockout
		}
		o, err := e.fail(ctx, c, event, typed.Signer, err)
		e.misuse(ctx, c, t, typed.Signer, err)
		return o, err
	}
	return e.sign(ctx, c, t, req, signer, comment)
}

// sign checks that the slot of req admits signer and signs it: the
// signature and, when it settles the request, the approval are committed
// with their audit entries; the dialog closes and the page hears the
// outcome. req is the request as read before the signer was verified:
// what the refusals and the warning name; the store decides again.
func (e *Engine) sign(ctx context.Context, c Challenge, t Template, req Request, signer Signer, comment string) (Outcome, error) {
	id := c.ID
	clause, err := ParseClause(c.Clause)
	if err != nil {
		return Outcome{}, err
	}
	if !clause.Admits(signer) {
		refusal := fault.Explain(ErrNotEntitled, "%s", notEntitledWords(signer, slotOf(req, c.Slot).Index, len(req.Slots), WhoWords(c.Clause, e.names(t))))
		o, err := e.fail(ctx, c, audit.EventFailure, signer, refusal)
		e.misuse(ctx, c, t, signer, err)
		return o, err
	}
	switch err := e.choose(req, c, t, signer); {
	case NeedsConfirm(err):
		// Not a failure: who signs is proved and nothing is recorded as
		// signed; the signer decides, and the page hears nothing.
		e.audit(ctx, e.entry(c, audit.EventSuccess, signer, "", "not signed yet: "+fault.Text(err)))
		return Outcome{}, err
	case err != nil:
		return e.fail(ctx, c, audit.EventFailure, signer, err)
	}
	// From here the answer counts only if it is in time, and the timeout
	// cannot end the challenge under it (TestTimeIsFinal races the two).
	if err := e.begin(id); err != nil {
		return Outcome{}, err
	}
	e.audit(ctx, e.entry(c, audit.EventSuccess, signer, "", ""))
	sig := Signature{Signer: signer, Approve: c.Approve, Meaning: c.Meaning, Comment: comment, SignedAt: e.o.Now().UTC(), Station: e.o.Station}
	event := audit.EventApprove
	if !c.Approve {
		event = audit.EventReject
	}
	// The slot's signature and, when it settles the request, the request's
	// approval go into the trail in the same transaction as the signature.
	settled, _, err := e.o.Store.SignAudited(ctx, c.Slot, sig, t.ForceUniqueUser, func(req Request) []audit.Entry {
		entries := []audit.Entry{e.stamp(ctx, e.entry(c, event, signer, comment, "slot signed"))}
		if req.State == Approved {
			entries = append(entries, e.stamp(ctx, audit.Entry{Event: audit.EventApprove, Request: req.ID.String(), RequestName: req.Name, Content: c.Content,
				Template: req.Template, Meaning: c.Meaning, Detail: "request approved"}))
		}
		return entries
	})
	expired := e.end(id)
	if errors.Is(err, ErrSameSigner) {
		// Signed by the same person at another slot meanwhile: name it.
		if _, now, rerr := e.o.Store.Slot(ctx, c.Slot); rerr == nil {
			if refusal := e.sameSigner(now, c, t, signer); refusal != nil {
				err = refusal
			}
		}
	}
	if ChallengeOver(err) {
		// Signed elsewhere meanwhile, or the request settled or was
		// cancelled there: no answer to this challenge can count.
		e.take(id)
		e.o.Poster.Close(id)
	}
	if err != nil {
		o, err := e.fail(ctx, c, audit.EventFailure, signer, err)
		if expired {
			e.expire(id) // its time ran out while this answer failed
		}
		return o, err
	}
	e.take(id)
	e.o.Poster.Close(id)
	e.forgetFailures(c.Slot)
	var o Outcome
	switch settled.State {
	case Approved:
		o = e.outcome(c, OutcomeApprove, signer, comment, "Every slot is approved.")
	case Rejected:
		o = e.outcome(c, OutcomeReject, signer, comment, "The request was rejected.")
	default:
		o = e.outcome(c, OutcomeSigned, signer, comment, "Signed; other slots are still pending.")
	}
	e.publish(o)
	return o, nil
}

// fail records a failed attempt and tells the page that it failed, and no
// more: the page's outcome carries neither who tried nor the reason (the
// reason can hold what was typed; the dialog shows it to the signer, the
// trail keeps it).
func (e *Engine) fail(ctx context.Context, c Challenge, event string, s Signer, err error) (Outcome, error) {
	text := fault.Text(err)
	// A sign-in at the provider's page is over once it returned: its
	// dialog closes before the page hears why, as a signature's does.
	e.mu.Lock()
	o, ok := e.challenges[c.ID]
	atProvider := ok && o.cancel != nil
	e.mu.Unlock()
	if atProvider {
		e.take(c.ID)
		e.o.Poster.Close(c.ID)
	}
	e.audit(ctx, e.entry(c, event, s, "", text))
	out := e.outcome(c, OutcomeError, Signer{}, "", failedText)
	e.publish(out)
	return out, err
}

// failedText is what a page hears of a failed attempt.
const failedText = "A sign-in attempt failed; the request is still pending."

// begin marks the open challenge id as being answered, if its time has
// not run out: an answer after the deadline never counts (ErrTimedOut,
// and the challenge ends as timed out), one in time is committed before
// the timeout can end the challenge.
func (e *Engine) begin(id string) error {
	e.mu.Lock()
	o, ok := e.challenges[id]
	switch {
	case !ok:
		e.mu.Unlock()
		return ErrNoOpenChallenge
	case !e.o.Now().Before(o.c.Expires):
		e.mu.Unlock()
		e.expire(id)
		return ErrTimedOut
	}
	o.signing = true
	e.mu.Unlock()
	return nil
}

// end clears begin's mark and says whether the timeout passed meanwhile.
func (e *Engine) end(id string) (expired bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	o, ok := e.challenges[id]
	if !ok {
		return false
	}
	o.signing = false
	return o.expired
}
