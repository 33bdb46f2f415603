package postgres

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"loginshell/internal/store"
	"loginshell/internal/store/postgres/pgtest"
	"loginshell/internal/store/storetest"
)

// BenchmarkStore runs the store benchmarks of storetest. Each benchmark
// opens a copy (CREATE DATABASE ... TEMPLATE) of a fixture database
// holding its pending requests; the fixtures are built once per run.
func BenchmarkStore(b *testing.B) {
	var mu sync.Mutex
	fixtures := map[int]string{}
	storetest.Bench(b, func(sb *testing.B, pending int) storetest.Store {
		mu.Lock()
		src, ok := fixtures[pending]
		if !ok {
			src = pgtest.DB(b) // dropped when the whole benchmark ends
			fill(sb, src, pending)
			explain(sb, src, pending)
			fixtures[pending] = src
		}
		mu.Unlock()
		return open(sb, pgtest.Clone(sb, src))
	})
}

// explain logs the plans, as run, of what a queue and a trigger ask the
// fixture of pending requests: the same at ten as at a million, read
// from an index (TestAppendAndQueueDoNotScan pins that they are).
func explain(b *testing.B, dsn string, pending int) {
	ctx := context.Background()
	st, err := Open(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close() // before the fixture is copied: no connection may be open
	var slot string
	if err := st.pool.QueryRow(ctx, `SELECT id::text FROM slots ORDER BY id DESC LIMIT 1`).Scan(&slot); err != nil {
		b.Fatal(err)
	}
	for _, q := range []struct {
		what, sql string
		arg       any
	}{
		{"the package's pending requests, counted (queue)", pendingOwnedQuery, "lineapp"},
		{"a slot and its request (trigger)", requestSelect + ` WHERE r.id = (SELECT request FROM slots WHERE id = $1) ORDER BY r.n, s.idx`, slot},
	} {
		rows, err := st.pool.Query(ctx, `EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) `+q.sql, q.arg)
		if err != nil {
			b.Fatal(err)
		}
		plan, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			b.Fatal(err)
		}
		// One line each: a benchmark's log is cut after ten lines.
		for i := range plan {
			plan[i] = strings.TrimSpace(plan[i])
		}
		b.Logf("%d pending: %s: %s", pending, q.what, strings.Join(plan, "; "))
	}
}

// fixtureBatch is how many requests one COPY of the fixtures holds.
const fixtureBatch = 100_000

// fill copies Fixture(0) … Fixture(n-1) into the database dsn names
// (COPY: a million pending requests in a minute, where one INSERT each
// takes a quarter of an hour) and closes its handle, so the database can
// be a template. The fixtures are pending: no signature, atoms unique.
func fill(b *testing.B, dsn string, n int) {
	ctx := context.Background()
	s, err := Open(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	for start := 0; start < n; start += fixtureBatch {
		var requests, slots, atoms [][]any
		for i := start; i < min(n, start+fixtureBatch); i++ {
			r, err := store.Normalise(storetest.Fixture(i))
			if err != nil {
				b.Fatal(err)
			}
			rules, err := store.RulesText(r)
			if err != nil {
				b.Fatal(err)
			}
			requests = append(requests, []any{r.ID, r.Template, store.NameKey(r.Template), r.Name, r.Description,
				string(r.State), r.Station, r.Session, dbTime(r.QueuedAt), r.Owner, r.AddressedTo, rules, r.Record})
			for _, sl := range r.Slots {
				slots = append(slots, []any{sl.ID, r.ID, sl.Index, sl.Clause, string(sl.State)})
				seen := map[[2]string]bool{}
				for _, a := range sl.Atoms {
					k := [2]string{a.Kind, store.NameKey(a.Value)}
					if !seen[k] {
						seen[k] = true
						atoms = append(atoms, []any{k[0], k[1], sl.ID})
					}
				}
			}
		}
		err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
			for _, c := range []struct {
				table string
				cols  []string
				rows  [][]any
			}{
				{"requests", []string{"id", "template", "template_key", "name", "description", "state", "station", "session", "queued_at", "owner", "addressed_to", "rules", "record"}, requests},
				{"slots", []string{"id", "request", "idx", "clause", "state"}, slots},
				{"clause_atoms", []string{"kind", "value_key", "slot"}, atoms},
			} {
				if _, err := tx.CopyFrom(ctx, pgx.Identifier{c.table}, c.cols, pgx.CopyFromRows(c.rows)); err != nil {
					return fmt.Errorf("copy %s: %w", c.table, err)
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	if _, err := s.pool.Exec(ctx, `ANALYZE`); err != nil {
		b.Fatal(err)
	}
}
