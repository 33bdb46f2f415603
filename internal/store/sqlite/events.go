package sqlite

import (
	"context"
	"database/sql"

	"loginshell/internal/audit"
)

// AuditEvents calls fn with every entry of the trail whose Event is event
// and whose Seq is greater than after, in Seq order, and returns the Seq
// of the trail's last entry (0 for an empty trail), all from one
// snapshot. A reader that follows one event (internal/alert) passes the
// last it got as the next after, and so reads only what was appended
// since: the range is the table's key, never a scan of the whole trail.
// fn is called after the read has ended, so it may use the store; its
// first error ends the calls and is returned.
func (s *Store) AuditEvents(ctx context.Context, event string, after int64, fn func(audit.Entry) error) (int64, error) {
	var last int64
	var found []audit.Entry
	err := s.read(ctx, "audit events", func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0) FROM audit`).Scan(&last); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT `+auditColumns+` FROM audit WHERE seq > ? AND seq <= ? AND event = ? ORDER BY seq`,
			after, last, event)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			e, err := scanEntry(rows)
			if err != nil {
				return err
			}
			found = append(found, e)
		}
		return rows.Err()
	})
	if err != nil {
		return 0, err
	}
	for _, e := range found {
		if err := fn(e); err != nil {
			return last, err
		}
	}
	return last, nil
}
