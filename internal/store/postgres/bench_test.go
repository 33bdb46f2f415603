package postgres

import (
	"context"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"loginshell/internal/signature"
	"loginshell/internal/store/postgres/pgtest"
	"loginshell/internal/store/storetest"
)

// BenchmarkStore runs the store benchmarks of storetest. Each benchmark
// opens a copy (CREATE DATABASE ... TEMPLATE) of a fixture database
// holding its pending requests; the fixtures are built once per run, in
// batches of fixtureBatch requests per transaction.
func BenchmarkStore(b *testing.B) {
	var mu sync.Mutex
	fixtures := map[int]string{}
	storetest.Bench(b, func(sb *testing.B, pending int) storetest.Store {
		mu.Lock()
		src, ok := fixtures[pending]
		if !ok {
			src = pgtest.DB(b) // dropped when the whole benchmark ends
			fill(sb, src, pending)
			fixtures[pending] = src
		}
		mu.Unlock()
		return open(sb, pgtest.Clone(sb, src))
	})
}

const fixtureBatch = 1000

// fill queues Fixture(0) … Fixture(n-1) into the database dsn names and
// closes its handle, so the database can be a template.
func fill(b *testing.B, dsn string, n int) {
	ctx := context.Background()
	s, err := Open(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	for start := 0; start < n; start += fixtureBatch {
		batch := make([]signature.Request, 0, fixtureBatch)
		for i := start; i < min(n, start+fixtureBatch); i++ {
			batch = append(batch, storetest.Fixture(i))
		}
		if err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error { return insertRequests(ctx, tx, batch) }); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := s.pool.Exec(ctx, `ANALYZE`); err != nil {
		b.Fatal(err)
	}
}
