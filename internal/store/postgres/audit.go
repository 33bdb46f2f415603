package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"loginshell/internal/audit"
)

// AppendAudit seals e after the last entry of the trail (audit.Seal) and
// stores it in one transaction that locks the chain head first, so appends
// from every station are serialised by the database and the chain never
// forks; it returns e as sealed. To audit a change to a request or a
// template together with it, use the change's audited method
// (QueueAudited, SignAudited, CancelAudited, PutTemplateAudited,
// DeleteTemplateAudited) instead: two transactions could keep the one
// and lose the other.
func (s *Store) AppendAudit(ctx context.Context, e audit.Entry) (audit.Entry, error) {
	var sealed []audit.Entry
	var cp *audit.Checkpoint
	err := s.write(ctx, "append audit", func(tx *writeTx) error {
		var err error
		sealed, cp, err = s.appendAudit(ctx, tx, []audit.Entry{e})
		return err
	})
	if err != nil {
		return audit.Entry{}, err
	}
	s.committed(cp)
	return sealed[0], nil
}

// AuditEntries calls fn with every entry of the trail in Seq order, from
// one snapshot: entries appended meanwhile are not seen. It stops at the
// first error fn returns and returns it. fn may read the store; it must
// not write to it.
func (s *Store) AuditEntries(ctx context.Context, fn func(audit.Entry) error) error {
	var fnErr error
	var delivered int64 // a read run again on a fresh connection (retrying) goes on after it
	err := s.read(ctx, "audit entries", func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+auditColumns+` FROM audit WHERE seq > $1 ORDER BY seq`, delivered)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			e, err := scanEntry(rows)
			if err != nil {
				return err
			}
			if err := fn(e); err != nil {
				fnErr = err
				return err
			}
			delivered = e.Seq
		}
		return rows.Err()
	})
	if fnErr != nil {
		return fnErr
	}
	return err
}

const auditColumns = `seq, time, utc_offset, station, event, request, request_name, slot, template,
	user_id, printed_name, meaning, approve, comment, detail, prev, hash, idp, actor, content`

// appendAudit seals and inserts es after the last entry, inside the
// caller's transaction, and returns them as sealed, with the checkpoint
// it stored for them (nil without a Checkpointer, or for no entries):
// once the transaction commits, the caller hands it to s.committed. It
// locks the chain head row first: another station's append waits here
// until this transaction ends, then reads the head (and the newest
// checkpoint) this one left. The entries, the key, the checkpoint and
// what then queues (the change's notice: the transaction's last
// statements) go to the database in one batch: no round trip more while
// the head is locked. With no entries, only what then queues is sent.
func (s *Store) appendAudit(ctx context.Context, tx *writeTx, es []audit.Entry, then ...func(*pgx.Batch)) ([]audit.Entry, *audit.Checkpoint, error) {
	if len(es) == 0 {
		if len(then) == 0 {
			return nil, nil, nil
		}
		b := &pgx.Batch{}
		for _, f := range then {
			f(b)
		}
		return nil, nil, tx.finish(ctx, b)
	}
	// Each statement of the locked part is prepared before the lock,
	// once per connection: a station's connection is new after a minute
	// idle, and its first statements would each cost a round trip more.
	if err := tx.prepare(ctx, insertAudit, insertStationKey, insertCheckpoint, notifyChange, commit); err != nil {
		return nil, nil, err
	}
	head, prevCheckpoint, link, err := s.lockHead(ctx, tx)
	if err != nil {
		return nil, nil, err
	}
	var last *audit.Entry
	if head.Seq > 0 {
		last = &head
	}
	sealed := make([]audit.Entry, len(es))
	b := &pgx.Batch{}
	for i, e := range es {
		e = audit.Seal(last, e)
		b.Queue(insertAudit, e.Seq, e.Time, e.Offset, e.Station, e.Event, e.Request, e.RequestName, e.Slot, e.Template, e.UserID,
			e.PrintedName, e.Meaning, e.Approve, e.Comment, e.Detail, e.Prev, e.Hash, e.IdP, e.Actor, e.Content)
		sealed[i] = e
		last = &sealed[i]
	}
	var cp *audit.Checkpoint
	if s.cp != nil {
		c := s.cp.Sign(audit.Checkpoint{Store: s.id, Prev: prevCheckpoint, From: sealed[0].Seq, Seq: last.Seq, Hash: last.Hash, Link: link})
		b.Queue(insertStationKey, c.Station, c.Key, c.Time)
		b.Queue(insertCheckpoint, c.Seq, c.Prev, c.From, c.Hash, c.Time, c.Station, c.Key, c.Signature, c.Link)
		cp = &c
	}
	for _, f := range then {
		f(b)
	}
	if err := tx.finish(ctx, b); err != nil {
		return nil, nil, fmt.Errorf("insert audit entries %d-%d: %w", sealed[0].Seq, last.Seq, err)
	}
	return sealed, cp, nil
}

// The statements of an append's locked part.
const (
	insertAudit      = `INSERT INTO audit (` + auditColumns + `) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)`
	insertStationKey = `INSERT INTO station_keys (station, public_key, registered) VALUES ($1, $2, $3)
ON CONFLICT (station, public_key) DO NOTHING`
	insertCheckpoint = `INSERT INTO checkpoints (seq, prev, first, hash, time, station, public_key, signature, link)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`
)

// newestOfKeyQuery reads the newest checkpoint of a key (index
// checkpoints_key), which the next one links to.
var newestOfKeyQuery = `SELECT ` + checkpointColumns + ` FROM checkpoints c WHERE c.public_key = $1 ORDER BY c.seq DESC LIMIT 1`

// lockHead locks the chain head's row and reads it: the last entry's Seq
// and Hash and the newest checkpoint's Seq; with a Checkpointer, also the
// Link of the checkpoint this transaction signs (audit.NextLink), from
// the newest checkpoint of the station's key. Both statements go in one
// round trip; the second runs once the first holds the lock, on a
// snapshot of its own (READ COMMITTED), so it sees the checkpoint every
// other process with the key committed before.
func (s *Store) lockHead(ctx context.Context, tx pgx.Tx) (head audit.Entry, checkpoint int64, link string, err error) {
	const headQuery = `SELECT seq, hash, checkpoint FROM audit_head WHERE id = 1 FOR UPDATE`
	if s.cp == nil {
		if err := tx.QueryRow(ctx, headQuery).Scan(&head.Seq, &head.Hash, &checkpoint); err != nil {
			return head, 0, "", fmt.Errorf("read the audit chain head: %w", err)
		}
		return head, checkpoint, "", nil
	}
	b := &pgx.Batch{}
	b.Queue(headQuery).QueryRow(func(r pgx.Row) error { return r.Scan(&head.Seq, &head.Hash, &checkpoint) })
	var prev *audit.Checkpoint
	b.Queue(newestOfKeyQuery, s.cp.PublicKey()).
		Query(func(rows pgx.Rows) error {
			for rows.Next() {
				c := audit.Checkpoint{Store: s.id}
				if err := rows.Scan(&c.Seq, &c.Prev, &c.From, &c.Hash, &c.Time, &c.Station, &c.Key, &c.Signature, &c.Link); err != nil {
					return err
				}
				c.Time = c.Time.UTC()
				prev = &c
			}
			return rows.Err()
		})
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return head, 0, "", fmt.Errorf("read the audit chain head: %w", err)
	}
	return head, checkpoint, audit.NextLink(prev, s.mine.Load()), nil
}

func scanEntry(rows pgx.Rows) (audit.Entry, error) {
	var e audit.Entry
	var t time.Time
	err := rows.Scan(&e.Seq, &t, &e.Offset, &e.Station, &e.Event, &e.Request, &e.RequestName, &e.Slot,
		&e.Template, &e.UserID, &e.PrintedName, &e.Meaning, &e.Approve, &e.Comment, &e.Detail, &e.Prev, &e.Hash,
		&e.IdP, &e.Actor, &e.Content)
	e.Time = t.UTC()
	return e, err
}
