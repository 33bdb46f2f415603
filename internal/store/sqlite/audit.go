package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"loginshell/internal/audit"
)

// AppendAudit seals e after the last entry of the trail (audit.Seal) and
// stores it, in one BEGIN IMMEDIATE transaction, so appends from several
// processes are serialised and the chain never forks; it returns e as
// sealed. To audit a change to a request or a template together with it,
// use the change's audited method (QueueAudited, SignAudited,
// CancelAudited, PutTemplateAudited, DeleteTemplateAudited) instead: two
// transactions could keep the one and lose the other.
func (s *Store) AppendAudit(ctx context.Context, e audit.Entry) (audit.Entry, error) {
	var sealed []audit.Entry
	var cp *audit.Checkpoint
	err := s.write(ctx, "append audit", func(tx *sql.Tx) error {
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
// first error fn returns and returns it. fn must not write to the store
// (it may read).
func (s *Store) AuditEntries(ctx context.Context, fn func(audit.Entry) error) error {
	var fnErr error
	err := s.read(ctx, "audit entries", func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+auditColumns+` FROM audit ORDER BY seq`)
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
		}
		return rows.Err()
	})
	if fnErr != nil {
		return fnErr // fn's own, as it returned it
	}
	return err
}

const auditColumns = `seq, time, utc_offset, station, event, request, request_name, slot, template,
	user_id, printed_name, meaning, approve, comment, detail, prev, hash, idp, actor, content`

// appendAudit seals and inserts es after the last entry, inside the
// caller's write transaction, and returns them as sealed, with the
// checkpoint it stored for them (nil without a Checkpointer, or for no
// entries): once the transaction commits, the caller hands it to
// s.committed.
func (s *Store) appendAudit(ctx context.Context, tx *sql.Tx, es []audit.Entry) ([]audit.Entry, *audit.Checkpoint, error) {
	if len(es) == 0 {
		return nil, nil, nil
	}
	sealed, err := appendEntries(ctx, tx, es)
	if err != nil || s.cp == nil {
		return sealed, nil, err
	}
	cp, err := s.checkpoint(ctx, tx, sealed)
	return sealed, cp, err
}

// headQuery reads the chain's head: by the primary key, whatever the
// trail's length (TestQueueAndTriggerDoNotScan).
const headQuery = `SELECT seq, hash FROM audit WHERE seq = (SELECT max(seq) FROM audit)`

// appendEntries seals and inserts es (not empty) after the last entry.
func appendEntries(ctx context.Context, tx *sql.Tx, es []audit.Entry) ([]audit.Entry, error) {
	// Seal needs only the last entry's Seq and Hash.
	var last *audit.Entry
	var prev audit.Entry
	err := tx.QueryRowContext(ctx, headQuery).Scan(&prev.Seq, &prev.Hash)
	switch {
	case err == nil:
		last = &prev
	case !errors.Is(err, sql.ErrNoRows):
		return nil, fmt.Errorf("read the audit chain head: %w", err)
	}
	first := prev.Seq + 1
	ins, err := tx.PrepareContext(ctx, `INSERT INTO audit (`+auditColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return nil, fmt.Errorf("insert audit entries %d-%d: %w", first, first+int64(len(es))-1, err)
	}
	defer ins.Close()
	sealed := make([]audit.Entry, len(es))
	for i, e := range es {
		e = audit.Seal(last, e)
		var approve sql.NullInt64
		if e.Approve != nil {
			approve = sql.NullInt64{Int64: int64(boolInt(*e.Approve)), Valid: true}
		}
		if _, err := ins.ExecContext(ctx, e.Seq, timeText(e.Time), e.Offset, e.Station, e.Event, e.Request,
			e.RequestName, e.Slot, e.Template, e.UserID, e.PrintedName, e.Meaning, approve, e.Comment,
			e.Detail, e.Prev, e.Hash, e.IdP, e.Actor, e.Content); err != nil {
			return nil, fmt.Errorf("insert audit entries %d-%d: %w", first, first+int64(len(es))-1, err)
		}
		sealed[i] = e
		last = &sealed[i]
	}
	return sealed, nil
}

func scanEntry(rows *sql.Rows) (audit.Entry, error) {
	var e audit.Entry
	err := scanEntryInto(rows, &e)
	return e, err
}

// scanEntryInto reads a row of auditColumns into e.
func scanEntryInto(rows *sql.Rows, e *audit.Entry) error {
	var t string
	var approve sql.NullInt64
	*e = audit.Entry{}
	if err := rows.Scan(&e.Seq, &t, &e.Offset, &e.Station, &e.Event, &e.Request, &e.RequestName, &e.Slot,
		&e.Template, &e.UserID, &e.PrintedName, &e.Meaning, &approve, &e.Comment, &e.Detail, &e.Prev,
		&e.Hash, &e.IdP, &e.Actor, &e.Content); err != nil {
		return err
	}
	var err error
	if e.Time, err = parseTime(t); err != nil {
		return err
	}
	if approve.Valid {
		b := approve.Int64 == 1
		e.Approve = &b
	}
	return nil
}
