package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"loginshell/internal/signature"
	"loginshell/internal/store/storetest"
)

// BenchmarkStore runs the store benchmarks of storetest. Each benchmark
// opens a copy of a fixture file holding its pending requests; the
// fixtures are built once per run of the test binary (batches of
// fixtureBatch requests per transaction) and copied, so no benchmark sees
// another's writes.
func BenchmarkStore(b *testing.B) {
	storetest.Bench(b, func(b *testing.B, pending int) storetest.Store {
		src := fixtures.file(b, pending)
		dst := filepath.Join(b.TempDir(), "store.db")
		if err := copyFile(dst, src); err != nil {
			b.Fatal(err)
		}
		s, err := Open(dst)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { s.Close() })
		return s
	})
}

const fixtureBatch = 1000

// fixtures are the benchmark databases, by number of pending requests,
// in one temporary directory that TestMain removes.
var fixtures = &fixtureSet{files: map[int]string{}}

type fixtureSet struct {
	sync.Mutex
	dir   string
	files map[int]string
}

func TestMain(m *testing.M) {
	code := m.Run()
	if fixtures.dir != "" {
		os.RemoveAll(fixtures.dir)
	}
	os.Exit(code)
}

// file returns the fixture with n pending requests, building it the first
// time: a closed store, so the file is whole without its WAL.
func (f *fixtureSet) file(b *testing.B, n int) string {
	f.Lock()
	defer f.Unlock()
	if path, ok := f.files[n]; ok {
		return path
	}
	if f.dir == "" {
		dir, err := os.MkdirTemp("", "store-bench-")
		if err != nil {
			b.Fatal(err)
		}
		f.dir = dir
	}
	path := filepath.Join(f.dir, fmt.Sprintf("pending-%d.db", n))
	s, err := Open(path) // the schema
	if err != nil {
		b.Fatal(err)
	}
	if err := s.Close(); err != nil {
		b.Fatal(err)
	}
	// Filled without syncs and with a large page cache: a fixture, not a
	// measurement (a million requests with the store's own settings take
	// half an hour). The benchmarks open copies with the store's.
	db, err := sql.Open("sqlite", dsn(path, url.Values{"_pragma": {"foreign_keys(1)", "journal_mode(WAL)", "synchronous(OFF)", "cache_size(-262144)"}}))
	if err != nil {
		b.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	ctx := context.Background()
	for start := 0; start < n; start += fixtureBatch {
		batch := make([]signature.Request, 0, fixtureBatch)
		for i := start; i < min(n, start+fixtureBatch); i++ {
			batch = append(batch, storetest.Fixture(i))
		}
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			b.Fatal(err)
		}
		if err := insertRequests(ctx, tx, batch); err != nil {
			b.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			b.Fatal(err)
		}
	}
	if err := db.Close(); err != nil { // the last connection: the WAL goes into the file
		b.Fatal(err)
	}
	f.files[n] = path
	return path
}

func copyFile(dst, src string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
