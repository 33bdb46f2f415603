package store

import (
	"github.com/google/uuid"

	"loginshell/internal/fault"
	"loginshell/internal/signature"
)

// Settlement is what one signature changes in its request, as Settle
// decided it. A store writes exactly this, in the transaction that loaded
// the request, and writes nothing when Settle refused the signature.
type Settlement struct {
	// Slot is the signed slot's new state: Approved or Rejected.
	Slot signature.State
	// Request is the request's new state: Pending while other slots wait
	// to be signed, Approved when this was the last approval, Rejected
	// when this signature rejects.
	Request signature.State
	// Cancel are the slots a rejection leaves unsigned for good, in the
	// order of the request's slots; the store cancels them. Empty unless
	// Request is Rejected.
	Cancel []uuid.UUID
}

// Settle decides what sig on the slot id does to its request r, the
// request with every slot as the store read it inside the transaction
// that will write the outcome. It is the one rule both stores follow, so
// a plant that mixes them (or moves from one to the other) never counts a
// signature differently; the stores only load, lock and write.
//
// The caller must hold r locked from the read to the commit (SQLite's
// write lock, PostgreSQL's row lock on the request): Settle decides on r
// as given, and a change committed in between would make the decision
// stale. Settle does NOT check that sig's signer satisfies the slot's
// clause; the engine did.
//
// In order, Settle refuses the signature with:
//   - signature.ErrNoSlot: r has no slot id (the store loaded the wrong
//     request);
//   - signature.ErrSlotTaken: the slot is signed already, here or at
//     another station, maybe a moment ago;
//   - signature.ErrNoRequest: the slot is unsigned but it or its request
//     is no longer pending (cancelled, or rejected through another slot);
//   - signature.ErrNotPosted: r was queued under an ordered template
//     (r.Rules, the template as queued, not as it is now) and a slot
//     before this one is still pending (signature.Request.CheckOrder,
//     the rule the engine applies at trigger: a dialog raised before,
//     or at a station that does not apply it, cannot sign out of order);
//   - signature.ErrSameSigner: forceUniqueUser is set and sig's user ID
//     (compared exactly, as the stores always have) signed another slot
//     of r.
//
// Otherwise a rejection rejects the request and cancels its other pending
// slots, and an approval approves the request when every other slot is
// approved, leaving it pending otherwise.
func Settle(r signature.Request, id uuid.UUID, sig signature.Signature, forceUniqueUser bool) (Settlement, error) {
	i := slotIndex(r, id)
	if i < 0 {
		return Settlement{}, fault.Detail(signature.ErrNoSlot, "%s", id)
	}
	switch slot := r.Slots[i]; {
	case slot.State == signature.Approved || slot.State == signature.Rejected:
		return Settlement{}, fault.Detail(signature.ErrSlotTaken, "%s", id)
	case slot.State != signature.Pending || r.State != signature.Pending:
		return Settlement{}, fault.Detail(signature.ErrNoRequest, "%s is %s", r.ID, r.State)
	}
	if err := r.CheckOrder(id); err != nil {
		return Settlement{}, err
	}
	if forceUniqueUser {
		for _, other := range r.Slots {
			if other.ID != id && other.Signature != nil && other.Signature.Signer.UserID == sig.Signer.UserID {
				return Settlement{}, fault.Detail(signature.ErrSameSigner, "%s signed slot %s", sig.Signer.UserID, other.ID)
			}
		}
	}

	if !sig.Approve {
		s := Settlement{Slot: signature.Rejected, Request: signature.Rejected}
		for _, other := range r.Slots {
			if other.ID != id && other.State == signature.Pending {
				s.Cancel = append(s.Cancel, other.ID)
			}
		}
		return s, nil
	}
	s := Settlement{Slot: signature.Approved, Request: signature.Approved}
	for _, other := range r.Slots {
		if other.ID != id && other.State != signature.Approved {
			s.Request = signature.Pending
			break
		}
	}
	return s, nil
}

// slotIndex is the index in r.Slots of the slot id, or -1.
func slotIndex(r signature.Request, id uuid.UUID) int {
	for i, sl := range r.Slots {
		if sl.ID == id {
			return i
		}
	}
	return -1
}
