package postgres

import (
	"context"
	"errors"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"loginshell/internal/audit"
	"loginshell/internal/fault"
	"loginshell/internal/signature"
	"loginshell/internal/store"
	"loginshell/internal/store/postgres/pgtest"
	"loginshell/internal/store/storetest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// newDB is the contract suite's database: a new database on the test
// server, each handle a Store of its own on it (a station).
func newDB(tb testing.TB) func(tb testing.TB) storetest.Store {
	dsn := pgtest.DB(tb)
	return func(tb testing.TB) storetest.Store {
		return open(tb, dsn)
	}
}

func open(tb testing.TB, dsn string) *Store {
	tb.Helper()
	s, err := Open(context.Background(), dsn)
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

func TestContract(t *testing.T) {
	t.Parallel()
	storetest.Run(t, newDB)
}

func TestCheckpointContract(t *testing.T) {
	t.Parallel()
	storetest.RunCheckpoints(t, func(tb testing.TB) func(testing.TB, store.Checkpointer) storetest.Store {
		dsn := pgtest.DB(tb)
		return func(tb testing.TB, cp store.Checkpointer) storetest.Store {
			var opts []Option
			if cp != nil {
				opts = append(opts, WithCheckpointer(cp))
			}
			s, err := Open(context.Background(), dsn, opts...)
			if err != nil {
				tb.Fatal(err)
			}
			tb.Cleanup(func() { s.Close() })
			return s
		}
	})
}

func TestSchema(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("stations starting at once on a new database migrate once", func(t *testing.T) {
		t.Parallel()
		dsn := pgtest.DB(t)
		const n = 6
		var wg sync.WaitGroup
		errs := make([]error, n)
		stores := make([]*Store, n)
		for i := range n {
			wg.Go(func() { stores[i], errs[i] = Open(ctx, dsn) })
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("station %d: %v", i, err)
				continue
			}
			stores[i].Close()
		}
		s := open(t, dsn)
		var v int
		if err := s.pool.QueryRow(ctx, `SELECT version FROM schema_version`).Scan(&v); err != nil || v != len(migrations) {
			t.Errorf("schema version %d, %v; want %d", v, err, len(migrations))
		}
	})

	t.Run("a newer schema is refused", func(t *testing.T) {
		t.Parallel()
		dsn := pgtest.DB(t)
		s := open(t, dsn)
		if _, err := s.pool.Exec(ctx, `UPDATE schema_version SET version = version + 1`); err != nil {
			t.Fatal(err)
		}
		if s2, err := Open(ctx, dsn); err == nil {
			s2.Close()
			t.Fatal("Open accepted a schema newer than this build")
		} else if !strings.Contains(err.Error(), "newer") {
			t.Errorf("error %q does not say the schema is newer", err)
		}
	})

	t.Run("the trail refuses update, delete and a broken chain", func(t *testing.T) {
		t.Parallel()
		s := open(t, pgtest.DB(t))
		if _, err := s.AppendAudit(ctx, auditEntry("one")); err != nil {
			t.Fatal(err)
		}
		for _, stmt := range []string{
			`UPDATE audit SET detail = 'changed'`,
			`DELETE FROM audit`,
			`TRUNCATE audit`,
			`INSERT INTO audit SELECT seq + 5, time, utc_offset, station, event, request, request_name, slot, template,
				user_id, printed_name, meaning, approve, comment, detail, prev, hash || 'x' FROM audit`,
		} {
			if _, err := s.pool.Exec(ctx, stmt); err == nil {
				t.Errorf("%s: accepted", stmt)
			}
		}
	})
}

func TestOpenRefuses(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, dsn string
		wantErr   error
	}{
		{"a DSN that does not parse", "postgres://user:pw@host:notaport/db", ErrConfig},
		{"a DSN without a database", "postgres://user:pw@127.0.0.1:1", ErrConfig},
	} {
		t.Run("refuses "+tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := Open(context.Background(), tt.dsn)
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded")
			}
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("error %v, want %v", err, tt.wantErr)
			}
			if strings.Contains(err.Error(), "pw") {
				t.Errorf("the error shows the password: %q", err)
			}
		})
	}
}

// closedPort returns a loopback port nothing listens on.
func closedPort(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

func TestUnavailable(t *testing.T) {
	t.Parallel()
	const password = "Tr0ub4dor-secret"
	t.Run("an unreachable database fails at once, naming it and not the password", func(t *testing.T) {
		t.Parallel()
		addr := closedPort(t)
		start := time.Now()
		s, err := Open(context.Background(), "postgres://mes:"+password+"@"+addr+"/plant_signatures?sslmode=disable")
		if err == nil {
			s.Close()
			t.Fatal("Open succeeded")
		}
		if d := time.Since(start); d > 3*time.Second {
			t.Errorf("Open took %v", d)
		}
		checkUnavailable(t, err, password, addr, "plant_signatures")
	})

	t.Run("a stopped database fails with ErrUnavailable, and the store reconnects when it is back", func(t *testing.T) {
		t.Parallel()
		c := pgtest.NewCluster(t)
		dsn := c.CreateDB(t) + " password=" + password
		ctx := context.Background()
		s := open(t, dsn)
		if err := s.PutTemplate(ctx, signature.Template{Name: "Line Release"}); err != nil {
			t.Fatal(err)
		}
		if err := c.Stop(); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		_, err := s.Template(ctx, "Line Release")
		if err == nil {
			t.Fatal("a read from a stopped database succeeded")
		}
		if d := time.Since(start); d > 3*time.Second {
			t.Errorf("the read took %v", d)
		}
		checkUnavailable(t, err, password, "loginshell_test_", "/tmp/pgtest-")
		if _, err := s.Pending(ctx, signature.Filter{}); !errors.Is(err, ErrUnavailable) {
			t.Errorf("Pending on a stopped database: %v, want ErrUnavailable", err)
		}

		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Template(ctx, "Line Release"); err != nil {
			t.Errorf("after the database came back: %v", err)
		}
	})
}

func checkUnavailable(t *testing.T, err error, password string, names ...string) {
	t.Helper()
	if !errors.Is(err, ErrUnavailable) || fault.KindOf(err) != fault.Unavailable {
		t.Errorf("error %v (kind %v), want ErrUnavailable", err, fault.KindOf(err))
	}
	text := err.Error()
	if strings.Contains(text, password) || strings.Contains(fault.Text(err), password) {
		t.Errorf("the error shows the password: %q", text)
	}
	for _, n := range names {
		if !strings.Contains(text, n) {
			t.Errorf("the error does not name %q: %q", n, text)
		}
	}
	t.Logf("error: %s", text)
}

func auditEntry(detail string) audit.Entry {
	return audit.Entry{Time: time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC), Station: "ST-1", Event: audit.EventTemplate, Detail: detail}
}
