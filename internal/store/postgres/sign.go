package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"loginshell/internal/audit"
	"loginshell/internal/fault"
	"loginshell/internal/signature"
)

// Sign records sig on the pending slot id and settles its request; see
// SignAudited.
func (s *Store) Sign(ctx context.Context, id uuid.UUID, sig signature.Signature, forceUniqueUser bool) (signature.Request, error) {
	r, _, err := s.SignAudited(ctx, id, sig, forceUniqueUser, nil)
	return r, err
}

// SignAudited records sig on the pending slot id and, in the same
// transaction, settles the request and appends the audit entries entries
// returns; it returns the request as the transaction left it and the
// entries as sealed. entries (nil for none) is called once, inside the
// transaction and only when the signature counts, with that request —
// approved, rejected or still pending — so the caller writes the slot's
// entry and, when the request was settled, the request's; it must not call
// the store. Either the signature, the request's new state and every
// entry are committed, or nothing is; other stations watching the store
// hear of the change once it is committed (Watch).
//
// The request becomes rejected when sig rejects (its unsigned slots
// cancelled), approved when sig approves its last pending slot, and stays
// pending otherwise. Errors, each leaving the store as it was:
//   - signature.ErrNoSlot: no slot has that id;
//   - signature.ErrSlotTaken: the slot is signed already (here or at
//     another station, maybe a moment ago);
//   - signature.ErrNoRequest: the slot is unsigned but its request is no
//     longer pending (cancelled, or rejected through another slot);
//   - signature.ErrSameSigner: forceUniqueUser is set and sig's user
//     signed another slot of the request;
//   - ErrUnavailable: the database did not answer.
//
// A failed attempt is for the caller to audit, with AppendAudit.
func (s *Store) SignAudited(ctx context.Context, id uuid.UUID, sig signature.Signature, forceUniqueUser bool, entries func(signature.Request) []audit.Entry) (signature.Request, []audit.Entry, error) {
	var r signature.Request
	var sealed []audit.Entry
	err := s.write(ctx, "sign "+id.String(), func(tx pgx.Tx) error {
		var err error
		if r, err = sign(ctx, tx, id, sig, forceUniqueUser); err != nil {
			return err
		}
		if entries != nil {
			if sealed, err = appendAudit(ctx, tx, entries(r)); err != nil {
				return err
			}
		}
		return s.notify(ctx, tx, id, r.State)
	})
	if err != nil {
		return signature.Request{}, nil, err
	}
	return r, sealed, nil
}

// sign is SignAudited's change, inside its READ COMMITTED transaction.
// It locks the slot's request row first, so every change to one request
// (a signature of any of its slots, a cancel) runs after the one before
// has committed, and each statement after the lock reads what that one
// wrote. The conditional UPDATEs with their rows-affected checks say the
// same again: of two stations signing one slot, exactly one counts, the
// other gets ErrSlotTaken. Locks are always taken request first, then the
// audit chain head, so two changes never deadlock.
func sign(ctx context.Context, tx pgx.Tx, id uuid.UUID, sig signature.Signature, unique bool) (signature.Request, error) {
	var req uuid.UUID
	var reqState string
	err := tx.QueryRow(ctx, `
SELECT r.id, r.state FROM requests r WHERE r.id = (SELECT request FROM slots WHERE id = $1) FOR UPDATE`,
		id).Scan(&req, &reqState)
	if errors.Is(err, pgx.ErrNoRows) {
		return signature.Request{}, fault.Detail(signature.ErrNoSlot, "%s", id)
	}
	if err != nil {
		return signature.Request{}, err
	}
	var slotState string
	if err := tx.QueryRow(ctx, `SELECT state FROM slots WHERE id = $1`, id).Scan(&slotState); err != nil {
		return signature.Request{}, err
	}
	switch {
	case slotState == string(signature.Approved) || slotState == string(signature.Rejected):
		return signature.Request{}, fault.Detail(signature.ErrSlotTaken, "%s", id)
	case slotState != string(signature.Pending) || reqState != string(signature.Pending):
		return signature.Request{}, fault.Detail(signature.ErrNoRequest, "%s is %s", req, reqState)
	}
	if unique {
		var other uuid.UUID
		err := tx.QueryRow(ctx, `
SELECT id FROM slots WHERE request = $1 AND id <> $2 AND signed_at IS NOT NULL AND user_id = $3 LIMIT 1`,
			req, id, sig.Signer.UserID).Scan(&other)
		if err == nil {
			return signature.Request{}, fault.Detail(signature.ErrSameSigner, "%s signed slot %s", sig.Signer.UserID, other)
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return signature.Request{}, err
		}
	}
	state := signature.Rejected
	if sig.Approve {
		state = signature.Approved
	}
	tag, err := tx.Exec(ctx, `
UPDATE slots SET state = $1, user_id = $2, printed_name = $3, roles = $4, groups_ = $5, approve = $6,
	meaning = $7, comment = $8, signed_at = $9, sign_station = $10
WHERE id = $11 AND state = 'pending'`,
		string(state), sig.Signer.UserID, sig.Signer.PrintedName, list(sig.Signer.Roles), list(sig.Signer.Groups),
		sig.Approve, sig.Meaning, sig.Comment, dbTime(sig.SignedAt), sig.Station, id)
	if err != nil {
		return signature.Request{}, err
	}
	if tag.RowsAffected() != 1 {
		return signature.Request{}, fault.Detail(signature.ErrSlotTaken, "%s", id)
	}
	if sig.Approve {
		// Approved only when no slot is left unapproved, this one counted.
		if _, err := tx.Exec(ctx, `
UPDATE requests SET state = 'approved'
WHERE id = $1 AND state = 'pending'
	AND NOT EXISTS (SELECT 1 FROM slots WHERE request = $1 AND state <> 'approved')`, req); err != nil {
			return signature.Request{}, err
		}
	} else {
		tag, err := tx.Exec(ctx, `UPDATE requests SET state = 'rejected' WHERE id = $1 AND state = 'pending'`, req)
		if err != nil {
			return signature.Request{}, err
		}
		if tag.RowsAffected() != 1 {
			return signature.Request{}, fmt.Errorf("reject request %s: %d rows changed, want 1", req, tag.RowsAffected())
		}
		if err := cancelSlots(ctx, tx, req); err != nil {
			return signature.Request{}, err
		}
	}
	return loadRequest(ctx, tx, req)
}

// Cancel ends the pending request id; see CancelAudited.
func (s *Store) Cancel(ctx context.Context, id uuid.UUID) (signature.Request, error) {
	r, _, err := s.CancelAudited(ctx, id, nil)
	return r, err
}

// CancelAudited ends the pending request id — it and its unsigned slots
// become cancelled, signed slots keep their signatures — and, in the same
// transaction, appends the audit entries entries returns; it returns the
// request as cancelled and the entries as sealed. entries (nil for none)
// is called once, inside the transaction and only when the request was
// pending, and must not call the store. An id that names no pending
// request is signature.ErrNoRequest, and nothing is written.
func (s *Store) CancelAudited(ctx context.Context, id uuid.UUID, entries func(signature.Request) []audit.Entry) (signature.Request, []audit.Entry, error) {
	var r signature.Request
	var sealed []audit.Entry
	err := s.write(ctx, "cancel "+id.String(), func(tx pgx.Tx) error {
		// The UPDATE locks the request row: a signature of one of its
		// slots at another station waits, then finds it cancelled.
		tag, err := tx.Exec(ctx, `UPDATE requests SET state = 'cancelled' WHERE id = $1 AND state = 'pending'`, id)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return fault.Detail(signature.ErrNoRequest, "%s", id)
		}
		if err := cancelSlots(ctx, tx, id); err != nil {
			return err
		}
		if r, err = loadRequest(ctx, tx, id); err != nil {
			return err
		}
		if entries != nil {
			if sealed, err = appendAudit(ctx, tx, entries(r)); err != nil {
				return err
			}
		}
		return s.notify(ctx, tx, r.Slots[0].ID, r.State)
	})
	if err != nil {
		return signature.Request{}, nil, err
	}
	return r, sealed, nil
}

func cancelSlots(ctx context.Context, tx pgx.Tx, request uuid.UUID) error {
	_, err := tx.Exec(ctx, `UPDATE slots SET state = 'cancelled' WHERE request = $1 AND state = 'pending'`, request)
	return err
}
