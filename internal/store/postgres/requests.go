package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
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
	err = s.write(ctx, "queue "+r.ID.String(), func(tx *writeTx) error {
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

const (
	insertRequest = `
INSERT INTO requests (id, template, template_key, name, description, state, station, session, queued_at, owner, addressed_to, rules, record)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`
	insertSlot = `
INSERT INTO slots (id, request, idx, clause, state, user_id, printed_name, roles, groups_, approve, meaning, comment, signed_at, sign_station)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`
	// Two atoms of one clause may share a key ({userName:bob} OR
	// {userName:Bob}): one row says both.
	insertAtom = `INSERT INTO clause_atoms (kind, value_key, slot) VALUES ($1, $2, $3)
ON CONFLICT (kind, value_key, slot) DO NOTHING`
)

// insertRequests inserts rs (normalised) in one batch: one round trip to
// the database however many slots and atoms they have.
func insertRequests(ctx context.Context, tx pgx.Tx, rs []signature.Request) error {
	b := &pgx.Batch{}
	for _, r := range rs {
		rules, err := store.RulesText(r)
		if err != nil {
			return err
		}
		b.Queue(insertRequest, r.ID, r.Template, store.NameKey(r.Template), r.Name, r.Description,
			string(r.State), r.Station, r.Session, dbTime(r.QueuedAt), r.Owner, r.AddressedTo, rules, r.Record)
		for _, sl := range r.Slots {
			args := []any{sl.ID, r.ID, sl.Index, sl.Clause, string(sl.State)}
			if sig := sl.Signature; sig != nil {
				args = append(args, sig.Signer.UserID, sig.Signer.PrintedName, list(sig.Signer.Roles), list(sig.Signer.Groups),
					sig.Approve, sig.Meaning, sig.Comment, dbTime(sig.SignedAt), sig.Station)
			} else {
				args = append(args, nil, nil, nil, nil, nil, nil, nil, nil, nil)
			}
			b.Queue(insertSlot, args...)
			for _, a := range sl.Atoms {
				b.Queue(insertAtom, a.Kind, store.NameKey(a.Value), sl.ID)
			}
		}
	}
	return tx.SendBatch(ctx, b).Close()
}

// dbTime is t as stored: UTC, truncated to the microsecond (what
// audit.Seal keeps and timestamptz holds; PostgreSQL itself would round).
func dbTime(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// list is a list of roles or groups as stored: never NULL for a signer.
func list(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}

// Slot returns the slot with id, in any state, and its request with every
// slot, or an error matching signature.ErrNoSlot.
func (s *Store) Slot(ctx context.Context, id uuid.UUID) (signature.Slot, signature.Request, error) {
	// One statement: one snapshot of the request and its slots.
	var rs []signature.Request
	err := s.retrying(ctx, true, func(*bool) (err error) {
		rs, err = queryRequests(ctx, s.pool, `r.id = (SELECT request FROM slots WHERE id = $1)`, `r.n`, id)
		return err
	})
	if err != nil {
		return signature.Slot{}, signature.Request{}, s.fail("slot "+id.String(), err)
	}
	if len(rs) == 0 {
		return signature.Slot{}, signature.Request{}, fault.Detail(signature.ErrNoSlot, "%s", id)
	}
	for _, sl := range rs[0].Slots {
		if sl.ID == id {
			return sl, rs[0], nil
		}
	}
	return signature.Slot{}, signature.Request{}, fmt.Errorf("slot %s: not among its request's slots", id)
}

// Request returns the request with id, in any state, with every slot and
// signature, or an error matching signature.ErrUnknownRequest. A slot's
// UUID is not a request's: Slot reads by those.
func (s *Store) Request(ctx context.Context, id uuid.UUID) (signature.Request, error) {
	var rs []signature.Request
	err := s.retrying(ctx, true, func(*bool) (err error) {
		rs, err = queryRequests(ctx, s.pool, `r.id = $1`, `r.n`, id)
		return err
	})
	if err != nil {
		return signature.Request{}, s.fail("request "+id.String(), err)
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
	where := []string{`r.state = 'pending'`}
	var args []any
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	if f.Template != "" {
		where = append(where, "r.template_key = "+arg(store.NameKey(f.Template)))
	}
	if f.Name != "" {
		where = append(where, "r.name = "+arg(f.Name))
	}
	if f.Package != "" {
		p := arg(f.Package)
		where = append(where, `(r.owner = `+p+` OR (r.owner = '' AND r.addressed_to IN ('', `+p+`)))`)
	}
	if f.User != "" {
		where = append(where, `r.id IN (
	SELECT s.request FROM clause_atoms a JOIN slots s ON s.id = a.slot
	WHERE a.kind = `+arg(signature.AtomUserName)+` AND a.value_key = `+arg(store.NameKey(f.User))+` AND s.state = 'pending')`)
	}
	var rs []signature.Request
	err := s.retrying(ctx, true, func(*bool) (err error) {
		rs, err = queryRequests(ctx, s.pool, strings.Join(where, " AND "), `r.queued_at, r.n`, args...)
		return err
	})
	if err != nil {
		return nil, s.fail("pending", err)
	}
	return rs, nil
}

// pendingOwnedQuery counts a package's pending requests (index
// requests_pending_owner).
const pendingOwnedQuery = `SELECT count(*) FROM requests WHERE state = 'pending' AND owner = $1`

// PendingOwned counts the pending requests package owner queued
// (Request.Owner), by an index of the pending ones by owner: the engine
// checks its limit per package at every queue, however many requests
// the store holds.
func (s *Store) PendingOwned(ctx context.Context, owner string) (int, error) {
	var n int
	err := s.retrying(ctx, true, func(*bool) error {
		return s.pool.QueryRow(ctx, pendingOwnedQuery, owner).Scan(&n)
	})
	return n, s.fail("pending of "+owner, err)
}

const requestSelect = `
SELECT r.id, r.template, r.name, r.description, r.state, r.station, r.session, r.queued_at, r.owner, r.addressed_to, r.rules, r.record,
	s.id, s.idx, s.clause, s.state, s.user_id, s.printed_name, s.roles, s.groups_, s.approve,
	s.meaning, s.comment, s.signed_at, s.sign_station
FROM requests r JOIN slots s ON s.request = r.id`

// querier is a pool or a transaction.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// loadRequest reads the request id with its slots; pgx.ErrNoRows if there
// is none.
func loadRequest(ctx context.Context, q querier, id uuid.UUID) (signature.Request, error) {
	rs, err := queryRequests(ctx, q, `r.id = $1`, `r.n`, id)
	if err != nil {
		return signature.Request{}, err
	}
	if len(rs) == 0 {
		return signature.Request{}, pgx.ErrNoRows
	}
	return rs[0], nil
}

// queryRequests reads the requests matching where, in order, with their
// slots by index.
func queryRequests(ctx context.Context, q querier, where, order string, args ...any) ([]signature.Request, error) {
	var rs []signature.Request
	err := eachRequest(ctx, q, where, order, func(r signature.Request) bool { rs = append(rs, r); return true }, args...)
	return rs, err
}

// eachRequest reads the requests matching where, in order, with their
// slots by index (one query, each request's rows consecutive), and calls
// yield with each until it returns false.
func eachRequest(ctx context.Context, q querier, where, order string, yield func(signature.Request) bool, args ...any) error {
	rows, err := q.Query(ctx, requestSelect+` WHERE `+where+` ORDER BY `+order+`, s.idx`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	var cur signature.Request
	for rows.Next() {
		var (
			r                                        signature.Request
			sl                                       signature.Slot
			state, sstate, rules                     string
			user, printed, meaning, comment, station *string
			roles, groups                            []string
			approve                                  *bool
			signedAt                                 *time.Time
		)
		if err := rows.Scan(&r.ID, &r.Template, &r.Name, &r.Description, &state, &r.Station, &r.Session, &r.QueuedAt,
			&r.Owner, &r.AddressedTo, &rules, &r.Record,
			&sl.ID, &sl.Index, &sl.Clause, &sstate, &user, &printed, &roles, &groups, &approve,
			&meaning, &comment, &signedAt, &station); err != nil {
			return err
		}
		if cur.ID != r.ID {
			if cur.ID != uuid.Nil && !yield(cur) {
				return nil
			}
			r.State = signature.State(state)
			r.QueuedAt = r.QueuedAt.UTC()
			if err = store.ParseRules(&r, rules); err != nil {
				return err
			}
			cur = r
		}
		sl.Request, sl.State = r.ID, signature.State(sstate)
		if signedAt != nil {
			sl.Signature = &signature.Signature{
				Signer: signature.Signer{UserID: deref(user), PrintedName: deref(printed),
					Roles: nilIfEmpty(roles), Groups: nilIfEmpty(groups)},
				Approve: approve != nil && *approve, Meaning: deref(meaning), Comment: deref(comment),
				SignedAt: signedAt.UTC(), Station: deref(station),
			}
		}
		cur.Slots = append(cur.Slots, sl)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if cur.ID != uuid.Nil {
		yield(cur)
	}
	return nil
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// nilIfEmpty gives an empty list back as nil, as a Signer built without
// roles has them.
func nilIfEmpty(l []string) []string {
	if len(l) == 0 {
		return nil
	}
	return l
}
