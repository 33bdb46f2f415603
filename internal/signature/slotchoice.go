// Which slot a signer gives, under forceUniqueUser: a person who could
// give several slots of a request must not give one that leaves another
// with nobody to give it (issue 22.2).

package signature

import (
	"slices"
	"strings"

	"github.com/google/uuid"
	"loginshell/internal/fault"
)

// Roster is an Identity that knows everyone who may sign with it, with
// their roles and groups (the demo's users). With a roster the engine
// decides itself whether a signature would leave another slot with
// nobody to give it; without one (the keychain, which knows its people's
// roles only once they type their password; an OpenID provider) it asks
// the signer, who knows who else is on shift.
type Roster interface {
	People() []Signer
}

// choose checks, under t's forceUniqueUser, that signer may give c's slot
// of req (read before the signer was verified) without making the request
// impossible to finish: nil when they may; ErrSameSigner naming the
// signature they gave already; ErrLeavesUnsignable when the identity's
// roster shows nobody else for another slot they could give; ErrOtherSlot,
// a question, when there is no roster to tell. choose never moves a
// signature to another slot: the page triggered this one, and a slot's
// UUID may be routed elsewhere (seed 000's task routing). A slot no
// longer pending in req is left to the store to refuse.
func (e *Engine) choose(req Request, c Challenge, t Template, signer Signer) error {
	this := slotOf(req, c.Slot)
	if !t.ForceUniqueUser || this.State != Pending {
		return nil
	}
	names, n := e.names(t), len(req.Slots)
	if err := e.sameSigner(req, c, t, signer); err != nil {
		return err
	}
	clause, err := ParseClause(this.Clause)
	// A rejection ends the request; a slot that names the signer is theirs.
	if err != nil || !c.Approve || clause.Admits(Signer{UserID: signer.UserID}) {
		return nil
	}
	// The other pending slots the signer could give; one of the same
	// clause is no choice: whichever they give, the other needs the same.
	var also []Slot
	for _, s := range req.Slots {
		if other, err := ParseClause(s.Clause); err == nil && s.ID != c.Slot && s.State == Pending && other.Admits(signer) && other.String() != clause.String() {
			also = append(also, s)
		}
	}
	if len(also) == 0 {
		return nil
	}
	if roster, ok := e.o.Identities[strings.ToLower(t.Provider())].(Roster); ok {
		people := roster.People()
		// Refused only when the request could finish without this
		// signature and cannot with it.
		if completable(req, people, c.Slot, signer) || !completable(req, people, uuid.Nil, Signer{}) {
			return nil
		}
		for _, s := range also { // a slot they can give instead, if any
			if completable(req, people, s.ID, signer) {
				return fault.Explain(ErrLeavesUnsignable, "%s", unsignableWords(signer, this, s, n, true, names))
			}
		}
		return fault.Explain(ErrLeavesUnsignable, "%s", unsignableWords(signer, this, also[0], n, false, names))
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	o, open := e.challenges[c.ID]
	// A sign-in at the provider's page cannot be answered again: its
	// dialog is over once the provider answered (a known limit).
	if !open || o.cancel != nil || strings.EqualFold(o.warned, signer.UserID) {
		return nil
	}
	o.warned = signer.UserID // their next answer to this challenge signs
	return fault.Explain(ErrOtherSlot, "%s", otherSlotWords(signer, this.Index, also[0].Index, n, also[0].Clause, names))
}

// sameSigner refuses signer at c's slot of req under forceUniqueUser when
// they gave another signature of req already, naming which; nil when they
// did not.
func (e *Engine) sameSigner(req Request, c Challenge, t Template, signer Signer) error {
	for _, s := range req.Slots {
		if s.ID != c.Slot && s.Signature != nil && s.Signature.Signer.UserID == signer.UserID {
			return fault.Explain(ErrSameSigner, "%s", sameSignerWords(signer, s.Index, c.Clause, e.names(t)))
		}
	}
	return nil
}

// slotOf returns the slot id of r (the zero Slot if r has none).
func slotOf(r Request, id uuid.UUID) Slot {
	if i := slices.IndexFunc(r.Slots, func(s Slot) bool { return s.ID == id }); i >= 0 {
		return r.Slots[i]
	}
	return Slot{}
}

// completable reports whether every pending slot of r can be given by a
// different person of people who gave no signature of r yet, with who
// giving slot given (uuid.Nil: nobody is placed). A bipartite matching
// (Kuhn's augmenting paths): a request has a handful of slots.
func completable(r Request, people []Signer, given uuid.UUID, who Signer) bool {
	var free []Signer
	for _, p := range people {
		signed := slices.ContainsFunc(r.Slots, func(s Slot) bool { return s.Signature != nil && s.Signature.Signer.UserID == p.UserID })
		if !signed && (given == uuid.Nil || p.UserID != who.UserID) {
			free = append(free, p)
		}
	}
	var open []Clause
	for _, s := range r.Slots {
		if s.State != Pending || s.ID == given {
			continue
		}
		c, err := ParseClause(s.Clause)
		if err != nil {
			return false
		}
		open = append(open, c)
	}
	holder := make([]int, len(free)) // the open slot each person gives, -1 for none
	for i := range holder {
		holder[i] = -1
	}
	var place func(slot int, seen []bool) bool
	place = func(slot int, seen []bool) bool {
		for p := range free {
			if seen[p] || !open[slot].Admits(free[p]) {
				continue
			}
			seen[p] = true
			if holder[p] < 0 || place(holder[p], seen) {
				holder[p] = slot
				return true
			}
		}
		return false
	}
	for slot := range open {
		if !place(slot, make([]bool, len(free))) {
			return false
		}
	}
	return true
}
