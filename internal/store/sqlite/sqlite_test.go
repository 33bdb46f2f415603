package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"loginshell/internal/audit"
	"loginshell/internal/signature"
	"loginshell/internal/store"
	"loginshell/internal/store/storetest"
)

// newDB is the contract suite's database: a new file in the test's
// temporary directory, each handle a Store of its own on it.
func newDB(tb testing.TB) func(tb testing.TB) storetest.Store {
	path := filepath.Join(tb.TempDir(), "store.db")
	return func(tb testing.TB) storetest.Store {
		s, err := Open(path)
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() {
			if err := s.Close(); err != nil {
				tb.Error(err)
			}
		})
		return s
	}
}

func TestContract(t *testing.T) {
	t.Parallel()
	storetest.Run(t, newDB)
}

func TestCheckpointContract(t *testing.T) {
	t.Parallel()
	storetest.RunCheckpoints(t, func(tb testing.TB) func(testing.TB, store.Checkpointer) storetest.Store {
		path := filepath.Join(tb.TempDir(), "store.db")
		return func(tb testing.TB, cp store.Checkpointer) storetest.Store {
			var opts []Option
			if cp != nil {
				opts = append(opts, WithCheckpointer(cp))
			}
			s, err := Open(path, opts...)
			if err != nil {
				tb.Fatal(err)
			}
			tb.Cleanup(func() { s.Close() })
			return s
		}
	})
}

func TestOpen(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		path func(dir string) string
		opts []Option
	}{
		{"an empty path", func(string) string { return "" }, nil},
		{"an in-memory database", func(string) string { return ":memory:" }, nil},
		{"a URI", func(dir string) string { return "file:" + filepath.Join(dir, "x.db") }, nil},
		{"a missing directory", func(dir string) string { return filepath.Join(dir, "missing", "x.db") }, nil},
		{"a busy timeout of zero", func(dir string) string { return filepath.Join(dir, "x.db") }, []Option{WithBusyTimeout(0)}},
	}
	for _, tt := range tests {
		t.Run("refuses "+tt.name, func(t *testing.T) {
			t.Parallel()
			if s, err := Open(tt.path(t.TempDir()), tt.opts...); err == nil {
				s.Close()
				t.Fatal("Open succeeded")
			}
		})
	}

	t.Run("a path with URI characters is a plain file name", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		path := filepath.Join(dir, "odd ?name#1%20.db")
		s, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if err := s.PutTemplate(context.Background(), signature.Template{Name: "T"}); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(path); err != nil {
			t.Errorf("the database is not at the path given: %v", err)
		}
	})

	t.Run("the file is private, WAL and fully synchronous", func(t *testing.T) {
		t.Parallel()
		path := filepath.Join(t.TempDir(), "store.db")
		s, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if runtime.GOOS != "windows" {
			if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
				t.Errorf("mode %v, %v; want 0600", fi.Mode().Perm(), err)
			}
		}
		for pragma, want := range map[string]string{"journal_mode": "wal", "synchronous": "2", "foreign_keys": "1", "busy_timeout": "10000"} {
			var got string
			if err := s.w.QueryRow("PRAGMA " + pragma).Scan(&got); err != nil || !strings.EqualFold(got, want) {
				t.Errorf("writer PRAGMA %s = %q, %v; want %s", pragma, got, err, want)
			}
			if pragma == "journal_mode" {
				continue
			}
			if err := s.r.QueryRow("PRAGMA " + pragma).Scan(&got); err != nil || !strings.EqualFold(got, want) {
				t.Errorf("reader PRAGMA %s = %q, %v; want %s", pragma, got, err, want)
			}
		}
	})
}

func TestSchema(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("opening again migrates nothing and keeps the data", func(t *testing.T) {
		t.Parallel()
		path := filepath.Join(t.TempDir(), "store.db")
		for range 2 {
			s, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			var v int
			if err := s.r.QueryRow(`SELECT version FROM schema_version`).Scan(&v); err != nil || v != len(migrations) {
				t.Errorf("schema version %d, %v; want %d", v, err, len(migrations))
			}
			if err := s.PutTemplate(ctx, signature.Template{Name: "T"}); err != nil {
				t.Fatal(err)
			}
			s.Close()
		}
	})

	t.Run("a newer schema is refused and left alone", func(t *testing.T) {
		t.Parallel()
		path := filepath.Join(t.TempDir(), "store.db")
		s, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.w.Exec(`UPDATE schema_version SET version = ?`, len(migrations)+1); err != nil {
			t.Fatal(err)
		}
		s.Close()
		if s, err := Open(path); err == nil || !strings.Contains(err.Error(), "newer") {
			if s != nil {
				s.Close()
			}
			t.Fatalf("Open of a newer schema: %v", err)
		}
	})

	t.Run("the trail refuses updates, deletes and entries out of chain", func(t *testing.T) {
		t.Parallel()
		path := filepath.Join(t.TempDir(), "store.db")
		s, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		for range 2 {
			if _, err := s.AppendAudit(ctx, audit.Entry{Time: time.Now(), Event: audit.EventQueue}); err != nil {
				t.Fatal(err)
			}
		}
		for _, stmt := range []string{
			`UPDATE audit SET comment = 'forged' WHERE seq = 1`,
			`DELETE FROM audit WHERE seq = 2`,
			`INSERT INTO audit SELECT seq + 5, time, utc_offset, station, event, request, request_name, slot, template, user_id, printed_name, meaning, approve, comment, detail, hash, 'x' FROM audit WHERE seq = 2`,
			`INSERT INTO audit SELECT seq + 1, time, utc_offset, station, event, request, request_name, slot, template, user_id, printed_name, meaning, approve, comment, detail, 'wrong', 'y' FROM audit WHERE seq = 2`,
		} {
			if _, err := s.w.Exec(stmt); err == nil {
				t.Errorf("%s: succeeded", stmt)
			}
		}
		var n int
		if err := s.r.QueryRow(`SELECT count(*) FROM audit`).Scan(&n); err != nil || n != 2 {
			t.Errorf("%d entries, %v; want the 2 appended", n, err)
		}
	})
}

// TestWriteConnectionSurvivesErrors: a failed write must give the one
// write connection back outside any transaction.
func TestWriteConnectionSurvivesErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, err := Open(filepath.Join(t.TempDir(), "store.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	errBoom := errors.New("boom")
	for range 3 {
		if err := s.write(ctx, "boom", func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, `INSERT INTO templates (name_key, name, description, expression, idp, framing, timeout,
				force_auth, force_unique_user, meaning, require_comment) VALUES ('k', 'n', '', '', '', '', 0, 0, 0, '', 0)`); err != nil {
				return err
			}
			return errBoom
		}); !errors.Is(err, errBoom) {
			t.Fatalf("write = %v", err)
		}
	}
	if ts, err := s.Templates(ctx); err != nil || len(ts) != 0 {
		t.Errorf("Templates = %+v, %v; want none", ts, err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if err := s.PutTemplate(cancelled, signature.Template{Name: "T"}); !errors.Is(err, context.Canceled) {
		t.Errorf("PutTemplate with a cancelled context: %v", err)
	}
	if err := s.PutTemplate(ctx, signature.Template{Name: "T"}); err != nil {
		t.Errorf("PutTemplate after the failures: %v", err)
	}
}

// TestOpenAtOnce opens a new file from several handles at once, many
// times: while one turns the file to WAL mode, SQLite fails the others'
// connect or BEGIN at once, without its busy handler, and Open must wait
// that out (beginWrite) rather than fail a second process started at the
// same moment.
func TestOpenAtOnce(t *testing.T) {
	t.Parallel()
	const rounds, handles = 100, 4
	for round := range rounds {
		path := filepath.Join(t.TempDir(), "store.db")
		errs := make(chan error, handles)
		var wg sync.WaitGroup
		for range handles {
			wg.Go(func() {
				s, err := Open(path)
				if err == nil {
					err = errors.Join(s.PutTemplate(context.Background(), signature.Template{Name: "T"}), s.Close())
				}
				errs <- err
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
		}
	}
}
