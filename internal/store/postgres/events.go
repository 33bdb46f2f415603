package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"
	"loginshell/internal/audit"
)

// AuditEvents calls fn with every entry of the trail whose Event is event
// and whose Seq is greater than after, in Seq order, and returns the Seq
// of the trail's last entry (0 for an empty trail), all from one
// snapshot. A reader that follows one event (internal/alert) passes the
// last it got as the next after, and so reads only what was appended
// since, at every station: the range is the table's key, never a scan of
// the whole trail. fn is called after the read has ended (a read run again
// on a fresh connection calls it once per entry all the same), so it may
// use the store; its first error ends the calls and is returned.
func (s *Store) AuditEvents(ctx context.Context, event string, after int64, fn func(audit.Entry) error) (int64, error) {
	var last int64
	var found []audit.Entry
	err := s.read(ctx, "audit events", func(tx pgx.Tx) error {
		found = found[:0]
		if err := tx.QueryRow(ctx, `SELECT coalesce(max(seq), 0) FROM audit`).Scan(&last); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT `+auditColumns+` FROM audit WHERE seq > $1 AND seq <= $2 AND event = $3 ORDER BY seq`,
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
