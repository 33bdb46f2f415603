package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/google/uuid"
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
// entry are committed, or nothing is.
//
// What sig does to the request is store.Settle's decision: the request
// becomes rejected when sig rejects (its unsigned slots cancelled),
// approved when sig approves its last pending slot, and stays pending
// otherwise. Errors, each leaving the store as it was:
//   - signature.ErrNoSlot: no slot has that id;
//   - signature.ErrSlotTaken, signature.ErrNoRequest,
//     signature.ErrSameSigner: Settle refused the signature (the slot is
//     signed already, its request is no longer pending, or its signer
//     signed another slot under forceUniqueUser).
//
// A failed attempt is for the caller to audit, with AppendAudit.
func (s *Store) SignAudited(ctx context.Context, id uuid.UUID, sig signature.Signature, forceUniqueUser bool, entries func(signature.Request) []audit.Entry) (signature.Request, []audit.Entry, error) {
	var r signature.Request
	var sealed []audit.Entry
	var cp *audit.Checkpoint
	err := s.write(ctx, "sign "+id.String(), func(tx *sql.Tx) error {
		var err error
		if r, err = sign(ctx, tx, id, sig, forceUniqueUser); err != nil {
			return err
		}
		if entries != nil {
			sealed, cp, err = s.appendAudit(ctx, tx, entries(r))
		}
		return err
	})
	if err != nil {
		return signature.Request{}, nil, err
	}
	s.committed(cp)
	return r, sealed, nil
}

// sign is SignAudited's change, inside its transaction: it loads the
// slot's request, lets store.Settle decide, and writes that decision.
// BEGIN IMMEDIATE already makes it the only writer from the load to the
// commit; the conditional UPDATEs with their rows-affected checks say the
// same again in SQL, so a copy of this code in a store with weaker
// locking fails safe instead of double-counting.
func sign(ctx context.Context, tx *sql.Tx, id uuid.UUID, sig signature.Signature, unique bool) (signature.Request, error) {
	rs, err := queryRequests(ctx, tx, bySlot, `r.rowid`, id.String())
	if err != nil {
		return signature.Request{}, err
	}
	if len(rs) == 0 {
		return signature.Request{}, fault.Detail(signature.ErrNoSlot, "%s", id)
	}
	r := rs[0]
	settled, err := store.Settle(r, id, sig, unique)
	if err != nil {
		return signature.Request{}, err
	}

	res, err := tx.ExecContext(ctx, `
UPDATE slots SET state = ?, user_id = ?, printed_name = ?, roles = ?, groups_ = ?, approve = ?,
	meaning = ?, comment = ?, signed_at = ?, sign_station = ?
WHERE id = ? AND state = 'pending'`,
		string(settled.Slot), sig.Signer.UserID, sig.Signer.PrintedName, listText(sig.Signer.Roles), listText(sig.Signer.Groups),
		boolInt(sig.Approve), sig.Meaning, sig.Comment, timeText(sig.SignedAt), sig.Station, id.String())
	if n, err := affected(res, err); err != nil {
		return signature.Request{}, err
	} else if n != 1 {
		return signature.Request{}, fault.Detail(signature.ErrSlotTaken, "%s", id)
	}
	switch settled.Request {
	case signature.Approved:
		// Approved only when no slot is left unapproved, this one counted.
		res, err = tx.ExecContext(ctx, `
UPDATE requests SET state = 'approved'
WHERE id = ? AND state = 'pending'
	AND NOT EXISTS (SELECT 1 FROM slots WHERE request = ? AND state <> 'approved')`, r.ID.String(), r.ID.String())
		if err := oneRow(res, err); err != nil {
			return signature.Request{}, fmt.Errorf("approve request %s: %w", r.ID, err)
		}
	case signature.Rejected:
		res, err = tx.ExecContext(ctx, `UPDATE requests SET state = 'rejected' WHERE id = ? AND state = 'pending'`, r.ID.String())
		if err := oneRow(res, err); err != nil {
			return signature.Request{}, fmt.Errorf("reject request %s: %w", r.ID, err)
		}
	}
	if len(settled.Cancel) > 0 {
		ids := make([]any, len(settled.Cancel))
		for i, c := range settled.Cancel {
			ids[i] = c.String()
		}
		res, err = tx.ExecContext(ctx, `UPDATE slots SET state = 'cancelled'
WHERE state = 'pending' AND id IN (?`+strings.Repeat(", ?", len(ids)-1)+`)`, ids...)
		if err := rowsChanged(res, err, len(ids)); err != nil {
			return signature.Request{}, fmt.Errorf("cancel slots %v: %w", settled.Cancel, err)
		}
	}
	return loadRequest(ctx, tx, r.ID)
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
	err := s.write(ctx, "cancel "+id.String(), func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE requests SET state = 'cancelled' WHERE id = ? AND state = 'pending'`, id.String())
		n, err := affected(res, err)
		if err != nil {
			return err
		}
		if n == 0 {
			return fault.Detail(signature.ErrNoRequest, "%s", id)
		}
		if err := cancelSlots(ctx, tx, id.String()); err != nil {
			return err
		}
		if r, err = loadRequest(ctx, tx, id); err != nil {
			return err
		}
		if entries != nil {
			sealed, cp, err = s.appendAudit(ctx, tx, entries(r))
		}
		return err
	})
	if err != nil {
		return signature.Request{}, nil, err
	}
	s.committed(cp)
	return r, sealed, nil
}

// cancelSlots cancels the unsigned slots of a request that ended.
func cancelSlots(ctx context.Context, tx *sql.Tx, request string) error {
	_, err := tx.ExecContext(ctx, `UPDATE slots SET state = 'cancelled' WHERE request = ? AND state = 'pending'`, request)
	return err
}

func affected(res sql.Result, err error) (int64, error) {
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// oneRow says whether a statement changed exactly one row.
func oneRow(res sql.Result, err error) error { return rowsChanged(res, err, 1) }

// rowsChanged says whether a statement changed exactly n rows.
func rowsChanged(res sql.Result, err error, n int) error {
	got, err := affected(res, err)
	if err == nil && got != int64(n) {
		err = fmt.Errorf("%d rows changed, want %d", got, n)
	}
	return err
}
