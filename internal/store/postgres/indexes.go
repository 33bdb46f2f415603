package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// concurrentIndexes are the indexes a migration step adds to a table a
// plant's database may hold many rows of. Inside the migration's
// transaction CREATE INDEX would hold a SHARE lock on the table for the
// whole build, and every station's every write to it (a checkpoint with
// each audited change) would wait minutes; CREATE INDEX CONCURRENTLY
// lets writes go on but cannot run in a transaction. So Open builds each
// one concurrently before migrating, once its table exists (its columns
// came with the table), and the step that adds it says IF NOT EXISTS.
// The step still creates it, so a schema version still promises it.
var concurrentIndexes = []struct {
	name, table, columns string
}{
	{"checkpoints_key", "checkpoints", "(public_key, seq)"}, // version 7
}

// indexLock is the session advisory lock a station holds while it builds
// concurrentIndexes, so two stations do not build (or repair) the same
// index at once ("loginst" in ASCII).
const indexLock int64 = 0x6c6f67696e7374

// indexLockPoll is how long a station waits before asking again for
// indexLock while another station builds. It asks with
// pg_try_advisory_lock, never waits in pg_advisory_lock: a statement
// waiting there holds a snapshot, which the other station's concurrent
// build waits for in turn.
const indexLockPoll = 500 * time.Millisecond

// buildIndexes makes sure each of concurrentIndexes whose table exists
// is there and valid, building it with CREATE INDEX CONCURRENTLY. A
// build that failed or whose station died leaves the index INVALID
// (unused by queries, still updated by writes): it is dropped and built
// again.
func (s *Store) buildIndexes(ctx context.Context) error {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return s.fail("build indexes", err)
	}
	defer conn.Release()
	need, err := indexesToBuild(ctx, conn)
	if err != nil || len(need) == 0 {
		return s.fail("build indexes", err)
	}
	for {
		var got bool
		if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, indexLock).Scan(&got); err != nil {
			return s.fail("build indexes", err)
		}
		if got {
			break
		}
		select {
		case <-ctx.Done():
			return s.fail("build indexes", ctx.Err())
		case <-time.After(indexLockPoll):
		}
	}
	defer func() {
		// A connection given back holding the lock would keep every
		// other station waiting: closed, the server releases it.
		if _, err := conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, indexLock); err != nil {
			conn.Conn().Close(context.WithoutCancel(ctx))
		}
	}()
	// Another station may have built them while this one waited.
	if need, err = indexesToBuild(ctx, conn); err != nil {
		return s.fail("build indexes", err)
	}
	// A build on a plant's table takes minutes, longer than a station
	// gives Open (internal/shell's openTimeout): cut short by ctx, it
	// would leave an INVALID index to build again at every start, never
	// done. It runs to its end, other stations writing meanwhile.
	build := context.WithoutCancel(ctx)
	for _, ix := range need {
		if ix.invalid {
			if _, err := conn.Exec(build, `DROP INDEX CONCURRENTLY IF EXISTS `+Schema+`.`+ix.name); err != nil {
				return s.fail("build indexes", fmt.Errorf("drop the invalid index %s: %w", ix.name, err))
			}
		}
		if _, err := conn.Exec(build, `CREATE INDEX CONCURRENTLY IF NOT EXISTS `+ix.name+` ON `+Schema+`.`+ix.table+` `+ix.columns); err != nil {
			return s.fail("build indexes", fmt.Errorf("build the index %s: %w", ix.name, err))
		}
	}
	return nil
}

type indexToBuild struct {
	name, table, columns string
	invalid              bool // there, left INVALID by a failed build
}

// indexesToBuild is those of concurrentIndexes whose table exists and
// that are missing or INVALID.
func indexesToBuild(ctx context.Context, conn *pgxpool.Conn) ([]indexToBuild, error) {
	var need []indexToBuild
	for _, ix := range concurrentIndexes {
		var table *string
		var valid *bool
		err := conn.QueryRow(ctx, `
SELECT to_regclass($1)::text,
	(SELECT i.indisvalid FROM pg_index i WHERE i.indexrelid = to_regclass($2))`,
			Schema+"."+ix.table, Schema+"."+ix.name).Scan(&table, &valid)
		if err != nil {
			return nil, err
		}
		if table == nil || (valid != nil && *valid) {
			continue
		}
		need = append(need, indexToBuild{ix.name, ix.table, ix.columns, valid != nil})
	}
	return need, nil
}
