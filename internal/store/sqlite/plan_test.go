package sqlite

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
)

// TestQueueAndTriggerDoNotScan: what a queue and a trigger ask the store
// is answered from indexes, so it costs the same with ten pending requests
// as with a million (BenchmarkStore measures it): no query of theirs has
// a plan that scans a table. Each query is the one the store runs, with
// its arguments.
func TestQueueAndTriggerDoNotScan(t *testing.T) {
	t.Parallel()
	s, err := Open(filepath.Join(t.TempDir(), "store.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	for _, tt := range []struct {
		name, query string
		args        []any
	}{
		{"the package's pending requests, counted (queue)", pendingOwnedQuery, []any{"lineapp"}},
		{"the request just queued, read back (queue)", requestSelect + ` WHERE ` + byID + ` ORDER BY r.rowid, s.idx`, []any{"x"}},
		{"the slot's request (trigger)", requestSelect + ` WHERE ` + bySlot + ` ORDER BY r.rowid, s.idx`, []any{"x"}},
		{"the chain's head (every audit entry)", headQuery, nil},
		{"the newest checkpoint (every audit entry)", newestCheckpointQuery, nil},
		{"the newest checkpoint of the station's key (every audit entry)", newestOfKeyQuery, []any{"ab"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var plan []string
			err := s.read(ctx, "plan", func(tx *sql.Tx) error {
				rows, err := tx.QueryContext(ctx, `EXPLAIN QUERY PLAN `+tt.query, tt.args...)
				if err != nil {
					return err
				}
				defer rows.Close()
				for rows.Next() {
					var id, parent, unused int
					var detail string
					if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
						return err
					}
					plan = append(plan, detail)
				}
				return rows.Err()
			})
			if err != nil {
				t.Fatal(err)
			}
			for _, step := range plan {
				// SEARCH is a lookup; SCAN reads a whole table or index.
				if strings.HasPrefix(step, "SCAN ") {
					t.Errorf("%s scans: %s\n(plan: %s)", tt.query, step, strings.Join(plan, "; "))
				}
			}
		})
	}
}
