package postgres

import (
	"context"

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
	// One statement, so one snapshot without a transaction: one round
	// trip a poll instead of four (every station's alert follower polls
	// every second). The entries of event after after, then the trail's
	// last entry, which says where the trail ends (and is skipped when it
	// is one of them already, or not one).
	err := s.retrying(ctx, true, func(*bool) error {
		found, last = found[:0], 0
		rows, err := s.pool.Query(ctx, `(SELECT `+auditColumns+` FROM audit WHERE seq > $1 AND event = $2)
UNION ALL (SELECT `+auditColumns+` FROM audit ORDER BY seq DESC LIMIT 1)
ORDER BY seq`, after, event)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			e, err := scanEntry(rows)
			if err != nil {
				return err
			}
			if e.Seq > last && e.Seq > after && e.Event == event {
				found = append(found, e)
			}
			last = max(last, e.Seq)
		}
		return rows.Err()
	})
	if err != nil {
		return 0, s.fail("audit events", err)
	}
	for _, e := range found {
		if err := fn(e); err != nil {
			return last, err
		}
	}
	return last, nil
}
