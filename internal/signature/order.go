package signature

import (
	"slices"

	"github.com/google/uuid"
	"loginshell/internal/fault"
)

// Ordered reports whether r's slots sign in the order of the expression:
// the template it was queued under (Rules) says ordered. A request queued
// before the store kept its template was queued before templates could
// be ordered, so it is not; today's template never decides it.
func (r Request) Ordered() bool { return r.Rules != nil && r.Rules.Ordered }

// CheckOrder refuses a signature of slot id of r that comes too early:
// when r is Ordered and a slot before it in the expression is still
// pending. The refusal matches ErrNotPosted (the seed's "Could not post
// authorization challenge") and says which signature must come first, in
// words: "signature 1 of 2 (an operator) must be given first".
//
// The engine asks it before it raises a challenge, and store.Settle asks
// it again in the transaction that would record the signature, so a
// dialog raised before the rule applied, or at a station that does not
// know it, still cannot sign out of order. CheckOrder does NOT check that
// id is a slot of r or that it is pending; a slot r does not have is
// never too early.
func (r Request) CheckOrder(id uuid.UUID) error {
	if !r.Ordered() {
		return nil
	}
	i := slices.IndexFunc(r.Slots, func(s Slot) bool { return s.ID == id })
	if i < 0 {
		return nil
	}
	index := r.Slots[i].Index
	var first *Slot
	for k, s := range r.Slots {
		if s.Index < index && s.State == Pending && (first == nil || s.Index < first.Index) {
			first = &r.Slots[k]
		}
	}
	if first == nil {
		return nil
	}
	return fault.Detail(ErrNotPosted, "signature %d of %d (%s) must be given first", first.Index+1, len(r.Slots), ClauseWords(first.Clause))
}
