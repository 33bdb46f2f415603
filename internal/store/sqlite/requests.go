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

// Queue stores r and its slots in one transaction; see QueueAudited.
func (s *Store) Queue(ctx context.Context, r signature.Request) error {
	_, err := s.QueueAudited(ctx, r, nil)
	return err
}

// QueueAudited stores r and its slots and, in the same transaction, the
// audit entries entries returns (sealed, in order); it returns them as
// sealed. entries (nil for none) is called once, inside the transaction,
// with r as stored, and must not call the store. Either the request and
// every entry are committed, or nothing is.
//
// r is stored as given, signatures included, so a request queued at
// another station can be recreated here; an empty State (the request's or
// a slot's) is stored as pending, a slot's zero Request as r.ID. r.ID and
// every slot ID must be set and unused, and r needs at least one slot. It
// does NOT check r against its template: the engine built it from one.
func (s *Store) QueueAudited(ctx context.Context, r signature.Request, entries func(signature.Request) []audit.Entry) ([]audit.Entry, error) {
	r, err := store.Normalise(r)
	if err != nil {
		return nil, fmt.Errorf("queue: %w", err)
	}
	var sealed []audit.Entry
	var cp *audit.Checkpoint
	err = s.write(ctx, "queue "+r.ID.String(), func(tx *sql.Tx) error {
		if err := insertRequests(ctx, tx, []signature.Request{r}); err != nil {
			return err
		}
		if entries == nil {
			return nil
		}
		stored, err := loadRequest(ctx, tx, r.ID)
		if err != nil {
			return err
		}
		sealed, cp, err = s.appendAudit(ctx, tx, entries(stored))
		return err
	})
	if err != nil {
		return nil, err
	}
	s.committed(cp)
	return sealed, nil
}

// insertRequests inserts rs (normalised) with prepared statements, so a
// batch of many requests in one transaction parses each statement once.
func insertRequests(ctx context.Context, tx *sql.Tx, rs []signature.Request) error {
	insReq, err := tx.PrepareContext(ctx, `
INSERT INTO requests (id, template, template_key, name, description, state, station, session, queued_at, owner, addressed_to, rules, record)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer insReq.Close()
	insSlot, err := tx.PrepareContext(ctx, `
INSERT INTO slots (id, request, idx, clause, state, user_id, printed_name, roles, groups_, approve, meaning, comment, signed_at, sign_station)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer insSlot.Close()
	// Two atoms of one clause may share a key ({userName:bob} OR
	// {userName:Bob}): one row says both.
	insAtom, err := tx.PrepareContext(ctx, `INSERT INTO clause_atoms (kind, value_key, slot) VALUES (?, ?, ?)
ON CONFLICT (kind, value_key, slot) DO NOTHING`)
	if err != nil {
		return err
	}
	defer insAtom.Close()

	for _, r := range rs {
		rules, err := store.RulesText(r)
		if err != nil {
			return err
		}
		if _, err := insReq.ExecContext(ctx, r.ID.String(), r.Template, store.NameKey(r.Template), r.Name,
			r.Description, string(r.State), r.Station, r.Session, timeText(r.QueuedAt), r.Owner, r.AddressedTo, rules, r.Record); err != nil {
			return err
		}
		for _, sl := range r.Slots {
			sig := sl.Signature
			var user, printed, roles, groups, meaning, comment, signedAt, station sql.NullString
			var approve sql.NullInt64
			if sig != nil {
				user, printed = valid(sig.Signer.UserID), valid(sig.Signer.PrintedName)
				roles, groups = valid(listText(sig.Signer.Roles)), valid(listText(sig.Signer.Groups))
				approve = sql.NullInt64{Int64: int64(boolInt(sig.Approve)), Valid: true}
				meaning, comment = valid(sig.Meaning), valid(sig.Comment)
				signedAt, station = valid(timeText(sig.SignedAt)), valid(sig.Station)
			}
			if _, err := insSlot.ExecContext(ctx, sl.ID.String(), r.ID.String(), sl.Index, sl.Clause, string(sl.State),
				user, printed, roles, groups, approve, meaning, comment, signedAt, station); err != nil {
				return err
			}
			for _, a := range sl.Atoms {
				if _, err := insAtom.ExecContext(ctx, a.Kind, store.NameKey(a.Value), sl.ID.String()); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func valid(s string) sql.NullString { return sql.NullString{String: s, Valid: true} }

// Slot returns the slot with id, in any state, and its request with every
// slot, or an error matching signature.ErrNoSlot.
func (s *Store) Slot(ctx context.Context, id uuid.UUID) (signature.Slot, signature.Request, error) {
	var rs []signature.Request
	err := s.read(ctx, "slot "+id.String(), func(tx *sql.Tx) (err error) {
		// One statement: one read of the request and its slots.
		rs, err = queryRequests(ctx, tx, bySlot, `r.rowid`, id.String())
		return err
	})
	if err != nil {
		return signature.Slot{}, signature.Request{}, err
	}
	if len(rs) == 0 {
		return signature.Slot{}, signature.Request{}, fault.Detail(signature.ErrNoSlot, "%s", id)
	}
	r := rs[0]
	for _, sl := range r.Slots {
		if sl.ID == id {
			return sl, r, nil
		}
	}
	return signature.Slot{}, signature.Request{}, fmt.Errorf("slot %s: not among its request's slots", id)
}

// Request returns the request with id, in any state, with every slot and
// signature, or an error matching signature.ErrUnknownRequest. A slot's
// UUID is not a request's: Slot reads by those.
func (s *Store) Request(ctx context.Context, id uuid.UUID) (signature.Request, error) {
	var rs []signature.Request
	err := s.read(ctx, "request "+id.String(), func(tx *sql.Tx) (err error) {
		rs, err = queryRequests(ctx, tx, byID, `r.rowid`, id.String())
		return err
	})
	if err != nil {
		return signature.Request{}, err
	}
	if len(rs) == 0 {
		return signature.Request{}, fault.Detail(signature.ErrUnknownRequest, "%s", id)
	}
	return rs[0], nil
}

// Pending lists the pending requests that match f, oldest first (queued
// at the same time: in the order queued), each with all its slots.
//
// f.Template matches the template's name case-insensitively, f.Name the
// request's name exactly. f.User matches a request when one of its pending
// slots has a clause that names the user, {userName:X} with X equal to
// User but for case (as signature.Clause.Admits compares). The store knows
// no roles or groups: a slot that only a role can sign does NOT match a
// User filter. A caller that knows the user's roles lists without User
// and evaluates the clauses itself.
func (s *Store) Pending(ctx context.Context, f signature.Filter) ([]signature.Request, error) {
	var where []string
	var args []any
	if f.Template != "" {
		where, args = append(where, "r.template_key = ?"), append(args, store.NameKey(f.Template))
	}
	if f.Name != "" {
		where, args = append(where, "r.name = ?"), append(args, f.Name)
	}
	if f.Package != "" {
		where = append(where, `(r.owner = ? OR (r.owner = '' AND r.addressed_to IN ('', ?)))`)
		args = append(args, f.Package, f.Package)
	}
	if f.User != "" {
		where = append(where, `r.id IN (
	SELECT s.request FROM clause_atoms a JOIN slots s ON s.id = a.slot
	WHERE a.kind = ? AND a.value_key = ? AND s.state = 'pending')`)
		args = append(args, signature.AtomUserName, store.NameKey(f.User))
	}
	cond := strings.Join(append([]string{`r.state = 'pending'`}, where...), " AND ")
	var rs []signature.Request
	err := s.read(ctx, "pending", func(tx *sql.Tx) (err error) {
		rs, err = queryRequests(ctx, tx, cond, `r.queued_at, r.rowid`, args...)
		return err
	})
	if err != nil {
		return nil, err
	}
	return rs, nil
}

// PendingOwned counts the pending requests package owner queued
// (Request.Owner), by an index of the pending ones by owner: the engine
// checks its limit per package at every queue, however many requests
// the store holds.
func (s *Store) PendingOwned(ctx context.Context, owner string) (int, error) {
	var n int
	err := s.read(ctx, "pending of "+owner, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, pendingOwnedQuery, owner).Scan(&n)
	})
	return n, err
}

// pendingOwnedQuery counts an owner's pending requests
// (requests_pending_owner).
const pendingOwnedQuery = `SELECT count(*) FROM requests WHERE state = 'pending' AND owner = ?`

// The conditions that read one request: by its UUID, by a slot's.
const (
	byID   = `r.id = ?`
	bySlot = `r.id = (SELECT request FROM slots WHERE id = ?)`
)

const requestSelect = `
SELECT r.id, r.template, r.name, r.description, r.state, r.station, r.session, r.queued_at, r.owner, r.addressed_to, r.rules, r.record,
	s.id, s.idx, s.clause, s.state, s.user_id, s.printed_name, s.roles, s.groups_, s.approve,
	s.meaning, s.comment, s.signed_at, s.sign_station
FROM requests r JOIN slots s ON s.request = r.id`

// loadRequest reads the request id with its slots; sql.ErrNoRows if there
// is none.
func loadRequest(ctx context.Context, tx *sql.Tx, id uuid.UUID) (signature.Request, error) {
	rs, err := queryRequests(ctx, tx, byID, `r.rowid`, id.String())
	if err != nil {
		return signature.Request{}, err
	}
	if len(rs) == 0 {
		return signature.Request{}, sql.ErrNoRows
	}
	return rs[0], nil
}

// queryRequests reads the requests matching where, in order, with their
// slots by index.
func queryRequests(ctx context.Context, tx *sql.Tx, where, order string, args ...any) ([]signature.Request, error) {
	var rs []signature.Request
	err := eachRequest(ctx, tx, where, order, func(r signature.Request) bool { rs = append(rs, r); return true }, args...)
	return rs, err
}

// eachRequest reads the requests matching where, in order, with their
// slots by index (one query, each request's rows consecutive), and calls
// yield with each until it returns false.
func eachRequest(ctx context.Context, tx *sql.Tx, where, order string, yield func(signature.Request) bool, args ...any) error {
	rows, err := tx.QueryContext(ctx, requestSelect+` WHERE `+where+` ORDER BY `+order+`, s.idx`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	// Scan's destinations escape: made once, not once a row (a verifier
	// reads every slot of the store). Scan sets each of them.
	var row slotRow
	dests := row.dests()
	return row.each(rows, func() error { return rows.Scan(dests...) }, yield)
}

// slotRow is a row of requestSelect: a slot and its request.
type slotRow struct {
	rid, state, queuedAt, sid, sstate, rules                          string
	r                                                                 signature.Request
	sl                                                                signature.Slot
	user, printed, roles, groups, meaning, comment, signedAt, station sql.NullString
	approve                                                           sql.NullInt64
}

// dests are Scan's destinations for a row of requestSelect.
func (w *slotRow) dests() []any {
	return []any{&w.rid, &w.r.Template, &w.r.Name, &w.r.Description, &w.state, &w.r.Station, &w.r.Session, &w.queuedAt,
		&w.r.Owner, &w.r.AddressedTo, &w.rules, &w.r.Record,
		&w.sid, &w.sl.Index, &w.sl.Clause, &w.sstate, &w.user, &w.printed, &w.roles, &w.groups, &w.approve,
		&w.meaning, &w.comment, &w.signedAt, &w.station}
}

// each reads the rows (each request's consecutive, its slots by index)
// by scan, which fills w with the next one, and calls yield with each
// request until it returns false.
func (w *slotRow) each(rows *sql.Rows, scan func() error, yield func(signature.Request) bool) error {
	var cur signature.Request
	for rows.Next() {
		w.r, w.sl = signature.Request{}, signature.Slot{}
		if err := scan(); err != nil {
			return err
		}
		r, sl := &w.r, &w.sl
		var err error
		if r.ID, err = parseUUID(w.rid); err != nil {
			return err
		}
		if cur.ID != r.ID {
			if cur.ID != uuid.Nil && !yield(cur) {
				return nil
			}
			r.State = signature.State(w.state)
			if r.QueuedAt, err = parseTime(w.queuedAt); err != nil {
				return err
			}
			if err = store.ParseRules(r, w.rules); err != nil {
				return err
			}
			cur = *r
		}
		if sl.ID, err = parseUUID(w.sid); err != nil {
			return err
		}
		sl.Request, sl.State = r.ID, signature.State(w.sstate)
		if w.signedAt.Valid {
			sig := &signature.Signature{
				Signer:  signature.Signer{UserID: w.user.String, PrintedName: w.printed.String},
				Approve: w.approve.Int64 == 1,
				Meaning: w.meaning.String, Comment: w.comment.String, Station: w.station.String,
			}
			if sig.Signer.Roles, err = parseList(w.roles); err != nil {
				return err
			}
			if sig.Signer.Groups, err = parseList(w.groups); err != nil {
				return err
			}
			if sig.SignedAt, err = parseTime(w.signedAt.String); err != nil {
				return err
			}
			sl.Signature = sig
		}
		cur.Slots = append(cur.Slots, *sl)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if cur.ID != uuid.Nil {
		yield(cur)
	}
	return nil
}

// detach copies the strings into one new allocation, so that what a
// reader keeps of them does not keep the whole row they were cut from.
func detach(ss ...*string) {
	n := 0
	for _, s := range ss {
		n += len(*s)
	}
	var b strings.Builder
	b.Grow(n)
	for _, s := range ss {
		b.WriteString(*s)
	}
	all := b.String()
	for _, s := range ss {
		*s, all = all[:len(*s)], all[len(*s):]
	}
}
