package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"loginshell/internal/audit"
	"loginshell/internal/fault"
	"loginshell/internal/signature"
	"loginshell/internal/store"
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
// What sig does to the request is store.Settle's decision: the request
// becomes rejected when sig rejects (its unsigned slots cancelled),
// approved when sig approves its last pending slot, and stays pending
// otherwise. Errors, each leaving the store as it was:
//   - signature.ErrNoSlot: no slot has that id;
//   - signature.ErrSlotTaken, signature.ErrNoRequest,
//     signature.ErrSameSigner: Settle refused the signature (the slot is
//     signed already, here or at another station, its request is no
//     longer pending, or its signer signed another slot under
//     forceUniqueUser);
//   - ErrUnavailable: the database did not answer.
//
// A failed attempt is for the caller to audit, with AppendAudit.
func (s *Store) SignAudited(ctx context.Context, id uuid.UUID, sig signature.Signature, forceUniqueUser bool, entries func(signature.Request) []audit.Entry) (signature.Request, []audit.Entry, error) {
	var r signature.Request
	var sealed []audit.Entry
	var cp *audit.Checkpoint
	err := s.write(ctx, "sign "+id.String(), func(tx *writeTx) error {
		var err error
		if r, err = sign(ctx, tx, id, sig, forceUniqueUser); err != nil {
			return err
		}
		var es []audit.Entry
		if entries != nil {
			es = entries(r)
		}
		sealed, cp, err = s.appendAudit(ctx, tx, es, func(b *pgx.Batch) { s.notify(b, id, r) })
		return err
	})
	if err != nil {
		return signature.Request{}, nil, err
	}
	s.committed(cp)
	return r, sealed, nil
}

// sign is SignAudited's change, inside its READ COMMITTED transaction:
// it locks and loads the slot's request, lets store.Settle decide, and
// writes that decision. It locks the request row first, so every change
// to one request (a signature of any of its slots, a cancel) runs after
// the one before has committed, and each statement after the lock reads
// what that one wrote: the request Settle decides on is the one the
// writes change. The conditional UPDATEs with their rows-affected checks
// say the same again: of two stations signing one slot, exactly one
// counts, the other gets ErrSlotTaken. Locks are always taken request
// first, then the audit chain head, so two changes never deadlock.
func sign(ctx context.Context, tx pgx.Tx, id uuid.UUID, sig signature.Signature, unique bool) (signature.Request, error) {
	var req uuid.UUID
	err := tx.QueryRow(ctx, `
SELECT r.id FROM requests r WHERE r.id = (SELECT request FROM slots WHERE id = $1) FOR UPDATE`, id).Scan(&req)
	if errors.Is(err, pgx.ErrNoRows) {
		return signature.Request{}, fault.Detail(signature.ErrNoSlot, "%s", id)
	}
	if err != nil {
		return signature.Request{}, err
	}
	r, err := loadRequest(ctx, tx, req)
	if err != nil {
		return signature.Request{}, err
	}
	settled, err := store.Settle(r, id, sig, unique)
	if err != nil {
		return signature.Request{}, err
	}

	tag, err := tx.Exec(ctx, `
UPDATE slots SET state = $1, user_id = $2, printed_name = $3, roles = $4, groups_ = $5, approve = $6,
	meaning = $7, comment = $8, signed_at = $9, sign_station = $10
WHERE id = $11 AND state = 'pending'`,
		string(settled.Slot), sig.Signer.UserID, sig.Signer.PrintedName, list(sig.Signer.Roles), list(sig.Signer.Groups),
		sig.Approve, sig.Meaning, sig.Comment, dbTime(sig.SignedAt), sig.Station, id)
	if err != nil {
		return signature.Request{}, err
	}
	if tag.RowsAffected() != 1 {
		return signature.Request{}, fault.Detail(signature.ErrSlotTaken, "%s", id)
	}
	switch settled.Request {
	case signature.Approved:
		// Approved only when no slot is left unapproved, this one counted.
		tag, err := tx.Exec(ctx, `
UPDATE requests SET state = 'approved'
WHERE id = $1 AND state = 'pending'
	AND NOT EXISTS (SELECT 1 FROM slots WHERE request = $1 AND state <> 'approved')`, req)
		if err := oneRow(tag, err); err != nil {
			return signature.Request{}, fmt.Errorf("approve request %s: %w", req, err)
		}
	case signature.Rejected:
		tag, err := tx.Exec(ctx, `UPDATE requests SET state = 'rejected' WHERE id = $1 AND state = 'pending'`, req)
		if err := oneRow(tag, err); err != nil {
			return signature.Request{}, fmt.Errorf("reject request %s: %w", req, err)
		}
	}
	if len(settled.Cancel) > 0 {
		tag, err := tx.Exec(ctx, `UPDATE slots SET state = 'cancelled' WHERE id = ANY($1) AND state = 'pending'`, settled.Cancel)
		if err := rowsChanged(tag, err, len(settled.Cancel)); err != nil {
			return signature.Request{}, fmt.Errorf("cancel slots %v: %w", settled.Cancel, err)
		}
	}
	return loadRequest(ctx, tx, req)
}

// oneRow says whether a statement changed exactly one row.
func oneRow(tag pgconn.CommandTag, err error) error { return rowsChanged(tag, err, 1) }

// rowsChanged says whether a statement changed exactly n rows.
func rowsChanged(tag pgconn.CommandTag, err error, n int) error {
	if err == nil && tag.RowsAffected() != int64(n) {
		err = fmt.Errorf("%d rows changed, want %d", tag.RowsAffected(), n)
	}
	return err
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
	var cp *audit.Checkpoint
	err := s.write(ctx, "cancel "+id.String(), func(tx *writeTx) error {
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
		var es []audit.Entry
		if entries != nil {
			es = entries(r)
		}
		sealed, cp, err = s.appendAudit(ctx, tx, es, func(b *pgx.Batch) { s.notify(b, r.Slots[0].ID, r) })
		return err
	})
	if err != nil {
		return signature.Request{}, nil, err
	}
	s.committed(cp)
	return r, sealed, nil
}

func cancelSlots(ctx context.Context, tx pgx.Tx, request uuid.UUID) error {
	_, err := tx.Exec(ctx, `UPDATE slots SET state = 'cancelled' WHERE request = $1 AND state = 'pending'`, request)
	return err
}
