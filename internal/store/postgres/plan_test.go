package postgres

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"loginshell/internal/store/postgres/pgtest"
)

// TestAppendAndQueueDoNotScan: what every audited change and every queue
// ask the database is answered from an index, so it costs the same with
// a million checkpoints or pending requests as with ten. Sequential scans
// are turned off for the EXPLAIN, so the planner takes one only when no
// index can answer (on the small tables of a test it would otherwise
// prefer one anyway), and a plan that filters what an index read (the
// primary key's, walked backwards) fails too.
func TestAppendAndQueueDoNotScan(t *testing.T) {
	t.Parallel()
	s := open(t, pgtest.DB(t))
	ctx := context.Background()
	for _, tt := range []struct {
		name, query string
		args        []any
	}{
		{"the package's pending requests, counted (queue)", pendingOwnedQuery, []any{"lineapp"}},
		{"the newest checkpoint of the station's key (every audited change)", newestOfKeyQuery, []any{"ab"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var plan []string
			err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
				if _, err := tx.Exec(ctx, `SET LOCAL enable_seqscan = off`); err != nil {
					return err
				}
				rows, err := tx.Query(ctx, `EXPLAIN `+tt.query, tt.args...)
				if err != nil {
					return err
				}
				defer rows.Close()
				for rows.Next() {
					var line string
					if err := rows.Scan(&line); err != nil {
						return err
					}
					plan = append(plan, line)
				}
				return rows.Err()
			})
			if err != nil {
				t.Fatal(err)
			}
			// A Filter reads rows (of a table or a whole index) and drops
			// them: the index must find the rows itself.
			if p := strings.Join(plan, "\n"); strings.Contains(p, "Seq Scan") || strings.Contains(p, "Filter:") {
				t.Errorf("%s scans:\n%s", tt.query, p)
			}
		})
	}
}
