package postgres

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"loginshell/internal/store/postgres/pgtest"
)

// atVersion is a new database as migrations[:v] left it, and a
// connection to it with the store's search_path.
func atVersion(t *testing.T, v int) (string, *pgx.Conn) {
	t.Helper()
	ctx := context.Background()
	dsn := pgtest.DB(t)
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(ctx) })
	stmts := append([]string{`CREATE SCHEMA ` + Schema, `SET search_path = ` + Schema,
		`CREATE TABLE schema_version (id integer PRIMARY KEY CHECK (id = 1), version integer NOT NULL)`}, migrations[:v]...)
	stmts = append(stmts, fmt.Sprintf(`INSERT INTO schema_version (id, version) VALUES (1, %d)`, v))
	for _, stmt := range stmts {
		if _, err := conn.Exec(ctx, stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	return dsn, conn
}

// indexDef is the definition of the index name, "" when there is none,
// and whether it is valid.
func indexDef(t *testing.T, conn *pgx.Conn, name string) (string, bool) {
	t.Helper()
	var def *string
	var valid *bool
	err := conn.QueryRow(context.Background(), `SELECT pg_get_indexdef(i.indexrelid), i.indisvalid FROM pg_index i
		RIGHT JOIN (SELECT to_regclass($1) AS oid) r ON i.indexrelid = r.oid`, Schema+"."+name).Scan(&def, &valid)
	if err != nil {
		t.Fatal(err)
	}
	if def == nil {
		return "", false
	}
	return *def, *valid
}

// TestIndexBuildDoesNotBlockWrites: the upgrade to the version that
// indexes checkpoints by key, on a database that had checkpoints, lets
// another station write them while the index is built. A write in
// flight (conn) holds the lock every INSERT takes until the build is
// seen waiting for it; then a second write must get the same lock. A
// plain CREATE INDEX (or ALTER TABLE) queued behind the first write
// would queue the second behind itself: lock_timeout fails it.
func TestIndexBuildDoesNotBlockWrites(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	step := -1
	for i, m := range migrations {
		if strings.Contains(m, "checkpoints_key") {
			step = i
		}
	}
	if step < 0 {
		t.Fatal("no migration step adds checkpoints_key")
	}
	dsn, conn := atVersion(t, step)
	inFlight, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := inFlight.Exec(ctx, `LOCK TABLE checkpoints IN ROW EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}

	opened := openAside(ctx, dsn)
	other, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close(ctx)
	// The station's upgrade waits for a lock (on checkpoints, or for the
	// write's transaction to end).
	for waiting := false; !waiting; {
		select {
		case err := <-opened:
			t.Fatalf("Open returned (%v) while a write held checkpoints", err)
		case <-time.After(20 * time.Millisecond):
		}
		err := other.QueryRow(ctx, `SELECT EXISTS (SELECT FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock')`).Scan(&waiting)
		if err != nil {
			t.Fatal(err)
		}
	}
	write, err := other.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := write.Exec(ctx, `SET LOCAL lock_timeout = '10s'`); err != nil {
		t.Fatal(err)
	}
	if _, err := write.Exec(ctx, `LOCK TABLE `+Schema+`.checkpoints IN ROW EXCLUSIVE MODE`); err != nil {
		t.Errorf("a write waited for the upgrade's index build: %v", err)
	}
	write.Rollback(ctx)
	if err := inFlight.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-opened; err != nil {
		t.Fatal(err)
	}
	if def, valid := indexDef(t, conn, "checkpoints_key"); !valid || !strings.HasSuffix(def, "(public_key, seq)") {
		t.Errorf("after the upgrade the index is %q, valid %v", def, valid)
	}
	var v int
	if err := conn.QueryRow(ctx, `SELECT version FROM schema_version`).Scan(&v); err != nil || v != len(migrations) {
		t.Errorf("schema version %d, %v; want %d", v, err, len(migrations))
	}
}

// TestInvalidIndexRebuilt: an index a failed concurrent build left
// INVALID (here one whose expression divides by zero on the only
// checkpoint) is dropped and built again as it should be when a station
// opens the store.
func TestInvalidIndexRebuilt(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn, conn := atVersion(t, len(migrations))
	for _, stmt := range []string{
		`INSERT INTO audit (seq, time, utc_offset, station, event, request, request_name, slot, template, user_id,
			printed_name, meaning, comment, detail, prev, hash)
			VALUES (1, now(), '+00:00', 'st', 'e', '', '', '', '', '', '', '', '', '', '', 'h1')`,
		`INSERT INTO station_keys (station, public_key, registered) VALUES ('st', 'ab', now())`,
		`INSERT INTO checkpoints (seq, prev, first, hash, time, station, public_key, signature)
			VALUES (1, 0, 1, 'h1', now(), 'st', 'ab', 'sig')`,
		`DROP INDEX checkpoints_key`,
	} {
		if _, err := conn.Exec(ctx, stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	if _, err := conn.Exec(ctx, `CREATE INDEX CONCURRENTLY checkpoints_key ON checkpoints ((seq / (seq - 1)))`); err == nil {
		t.Fatal("the failing build succeeded")
	}
	if def, valid := indexDef(t, conn, "checkpoints_key"); def == "" || valid {
		t.Fatalf("the failed build left %q, valid %v; want an invalid index", def, valid)
	}
	open(t, dsn)
	if def, valid := indexDef(t, conn, "checkpoints_key"); !valid || !strings.HasSuffix(def, "(public_key, seq)") {
		t.Errorf("after Open the index is %q, valid %v", def, valid)
	}
}

// TestIndexBuildOutlivesOpen: a build that takes longer than the
// station gives Open still ends with a valid index (cut short, it would
// leave an INVALID one, built again and cut short at every start). The
// build waits for a write in flight; Open's context ends meanwhile.
func TestIndexBuildOutlivesOpen(t *testing.T) {
	t.Parallel()
	dsn, conn := atVersion(t, len(migrations)-1)
	ctx := context.Background()
	inFlight, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := inFlight.Exec(ctx, `LOCK TABLE checkpoints IN ROW EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}
	openCtx, cancel := context.WithCancel(ctx)
	opened := openAside(openCtx, dsn)
	other, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close(ctx)
	for building := false; !building; {
		time.Sleep(20 * time.Millisecond)
		err := other.QueryRow(ctx, `SELECT EXISTS (SELECT FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE 'CREATE INDEX%')`).Scan(&building)
		if err != nil {
			t.Fatal(err)
		}
	}
	cancel()
	time.Sleep(100 * time.Millisecond) // a cancelled build would be cancelled by now
	if err := inFlight.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	<-opened // the migration after it may fail on the ended context: the next Open does it
	if def, valid := indexDef(t, conn, "checkpoints_key"); !valid || !strings.HasSuffix(def, "(public_key, seq)") {
		t.Errorf("after a build that outlived Open's context the index is %q, valid %v", def, valid)
	}
	open(t, dsn)
}

// openAside opens the store at dsn (upgrading it) on a goroutine of its
// own, closes it, and sends Open's error.
func openAside(ctx context.Context, dsn string) <-chan error {
	opened := make(chan error, 1)
	go func() {
		s, err := Open(ctx, dsn)
		if err == nil {
			s.Close()
		}
		opened <- err
	}()
	return opened
}
