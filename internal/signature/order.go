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

// queuedClause is who may give slot of req: the clause its template, as
// queued (req.Rules, in every entry's content hash), made of it. The
// store's own row for the slot must say the same; one that does not was
// edited below the engine (to let someone else sign), and the slot is not
// offered. A request stored before the template was kept with it has only
// the row.
func queuedClause(req Request, slot Slot) (string, error) {
	if req.Rules == nil {
		return slot.Clause, nil
	}
	expr, err := ParseExpression(req.Rules.Expression)
	if err != nil {
		return "", err
	}
	clauses := expr.Slots()
	if len(clauses) != len(req.Slots) || slot.Index < 0 || slot.Index >= len(clauses) || clauses[slot.Index].String() != slot.Clause {
		return "", fault.Explain(ErrNotPosted, "signature %d of request %q is not as its template %q made it when it was queued: the store was changed below loginshell, "+
			"so it is not offered (run `loginshell audit verify`)", slot.Index+1, req.Name, req.Template)
	}
	return slot.Clause, nil
}
