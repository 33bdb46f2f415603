package signature

import (
	"errors"

	"loginshell/internal/fault"
)

// Errors of the engine and its stores. The texts of the seed's cases are
// the seed's (system.mes.signature.authorization.triggerAuthRequest).
var (
	// ErrNoChallenge: the UUID names no pending sign-in slot. The seed's
	// IllegalArgumentException: "No pending authentication challenge with
	// UUID <uuid>" (refined with the UUID by Detail-free formatting, see
	// noChallenge).
	ErrNoChallenge = fault.New(fault.NotFound, "No pending authentication challenge with UUID")
	// ErrBadUUID: a string that is not a UUID, refused before anything is
	// raised (the seed: UUID parsing raises first).
	ErrBadUUID = fault.New(fault.BadRequest, "not a valid UUID")
	// ErrNotPosted: the page cannot show the challenge (closed, unknown,
	// another session's). The seed's RuntimeException text.
	ErrNotPosted = fault.New(fault.Conflict, "Could not post authorization challenge")
	// ErrUnsupported: the template's identity provider or framing cannot
	// run challenges here (the seed's UnsupportedOperationException).
	ErrUnsupported = fault.New(fault.Unsupported, "authentication challenges are not supported for this identity provider or framing")
	// ErrNoTemplate: no signature template has that name.
	ErrNoTemplate = fault.New(fault.NotFound, "no signature template has that name")
	// ErrBadTemplate: a template (or templates.json) breaks a rule; the
	// text names the entry and the field.
	ErrBadTemplate = fault.New(fault.BadRequest, "the signature template is not valid")
	// ErrBadExpression: an expression does not parse; the text names the
	// position.
	ErrBadExpression = fault.New(fault.BadRequest, "the signature expression is not valid")
	// ErrNoSlot: the store has no slot with that UUID.
	ErrNoSlot = fault.New(fault.NotFound, "no sign-in slot has that UUID")
	// ErrNoRequest: no pending request has that UUID.
	ErrNoRequest = fault.New(fault.NotFound, "no pending authorization request has that UUID")
	// ErrUnknownRequest: no request, in any state, has that UUID (or, to a
	// page, none it may see: Request.VisibleTo).
	ErrUnknownRequest = fault.New(fault.NotFound, "no authorization request has that UUID")
	// ErrSlotTaken: the slot was signed meanwhile, here or at another
	// station; this signature does not count.
	ErrSlotTaken = fault.New(fault.Conflict, "this slot was just signed by someone else; nothing was recorded for this signature")
	// ErrSameSigner: under forceUniqueUser, the signer already signed
	// another slot of the request.
	ErrSameSigner = fault.New(fault.Forbidden, "this person already signed another slot of the request; another person must sign this one")
	// ErrNotEntitled: the signer does not satisfy the slot's clause.
	ErrNotEntitled = fault.New(fault.Forbidden, "this person may not sign this slot")
	// ErrLeavesUnsignable: under forceUniqueUser, the identity's roster
	// shows that nobody else could give another pending slot of the
	// request if this signer gave this one.
	ErrLeavesUnsignable = fault.New(fault.Forbidden, "this signature would leave another signature of the request that nobody else may give")
	// ErrOtherSlot: not a refusal but a question. Under forceUniqueUser the
	// signer, about to approve one slot, could also give another pending
	// one, which they then may not; nothing was signed. The same signer's
	// next answer to the challenge signs (NeedsConfirm).
	ErrOtherSlot = fault.New(fault.Conflict, "this person could also give another signature of the request; answer again to sign this one")
	// ErrUnsettled: a request's state in the store is approved, rejected
	// or cancelled without the signatures that settle it so (set below
	// the engine): it is not given out as an outcome.
	ErrUnsettled = fault.New(fault.Conflict, "the request's state in the signature store is not settled by its signatures")
)

// Errors of the dialog's answers.
var (
	// ErrNoOpenChallenge: the dialog answers a challenge that is no longer
	// open (answered, cancelled or timed out meanwhile).
	ErrNoOpenChallenge = fault.New(fault.NotFound, "this sign-in is no longer open; trigger it again")
	// ErrMissingCredentials: the dialog sent no user ID or no password.
	ErrMissingCredentials = fault.New(fault.BadRequest, "enter your user ID and password")
	// ErrCommentRequired: the template requires a comment.
	ErrCommentRequired = fault.New(fault.BadRequest, "a comment is required for this signature")
	// ErrBadRecord: queueAuthRequest's record is not a JSON object or
	// string, or too large.
	ErrBadRecord = fault.New(fault.BadRequest, "the request's record is not valid")
	// ErrTooManyPending: a package's pages hold as many pending requests
	// as Options.MaxPendingPerPackage allows.
	ErrTooManyPending = fault.New(fault.TooMany, "too many pending signature requests")
	// ErrTimedOut: the answer came after the challenge's timeout; it does
	// not count, and the slot stays pending.
	ErrTimedOut = fault.New(fault.Conflict, "The sign-in timed out; the request is still pending.")
	// ErrBadRequestName: queueAuthRequest without a request name.
	ErrBadRequestName = fault.New(fault.BadRequest, "the request needs a name")
)

// ChallengeOver says whether err, the answer to a challenge, means the
// challenge has ended and no other answer can count: the slot was signed
// meanwhile (here or at another station), its request is no longer
// pending, or the challenge is no longer open. The dialog then shows the
// text with only a Close, instead of asking again.
func ChallengeOver(err error) bool {
	return errors.Is(err, ErrSlotTaken) || errors.Is(err, ErrNoRequest) || errors.Is(err, ErrNoOpenChallenge)
}

// NeedsConfirm says whether err, the answer to a challenge, asks the
// signer to confirm (ErrOtherSlot): the dialog shows it as a warning and
// a second answer by the same person signs.
func NeedsConfirm(err error) bool { return errors.Is(err, ErrOtherSlot) }
