package sqlite

import (
	"context"
	"database/sql"
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"
)

// countedPages counts the pages a source gave.
type countedPages struct {
	pageSource
	n int
}

func (c *countedPages) pages(pgnos []uint32, got func(uint32, string)) error {
	return c.pageSource.pages(pgnos, func(pgno uint32, page string) {
		c.n++
		got(pgno, page)
	})
}

// TestFilePagesAreTheSnapshots: the pages filePages reads (from the file
// where the log has no frame of them, through SQLite where it has) are
// byte for byte the pages SQLite's pager gives the same read transaction,
// however the database is written and checkpointed while the transaction
// lasts: before the log is listed, after it, with the file's own pages
// changed in the log, with the log started over, and with checkpoints
// that would copy what was written after the snapshot into the file.
func TestFilePagesAreTheSnapshots(t *testing.T) {
	fill := func(t *testing.T, w *sql.DB, what string) {
		mustExec(t, w, `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300)
			INSERT INTO t (a, b, c) SELECT i, randomblob(3000), ? FROM n`, what)
		mustExec(t, w, `UPDATE t SET c = ? WHERE id % 7 = 0`, what+", updated")
		mustExec(t, w, `DELETE FROM t WHERE id % 11 = 0`)
	}
	checkpoint := func(t *testing.T, w *sql.DB, mode string) {
		// Busy is expected: a reader's snapshot holds the checkpoint back,
		// which is what is tested.
		w.Exec(`PRAGMA wal_checkpoint(` + mode + `)`)
	}
	cases := []struct {
		name          string
		before, after func(t *testing.T, w *sql.DB) // around the log's listing
		fromLog       bool                          // some pages must come through SQLite
	}{
		{"all in the file", func(*testing.T, *sql.DB) {}, func(*testing.T, *sql.DB) {}, false},
		{"the log holds pages of the snapshot", func(t *testing.T, w *sql.DB) {}, func(*testing.T, *sql.DB) {}, true},
		{"written and checkpointed before the log is listed", func(t *testing.T, w *sql.DB) {
			fill(t, w, "after, before listing")
			checkpoint(t, w, "PASSIVE")
			checkpoint(t, w, "RESTART")
		}, func(*testing.T, *sql.DB) {}, true},
		{"written and checkpointed after the log is listed", func(*testing.T, *sql.DB) {}, func(t *testing.T, w *sql.DB) {
			fill(t, w, "after listing")
			checkpoint(t, w, "PASSIVE")
			checkpoint(t, w, "TRUNCATE")
			fill(t, w, "after listing, again")
			checkpoint(t, w, "FULL")
		}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "t.db")
			w := testDB(t, path, 4096)
			mustExec(t, w, `PRAGMA wal_autocheckpoint = 0`)
			mustExec(t, w, `CREATE TABLE t (id INTEGER PRIMARY KEY, a, b, c)`)
			fill(t, w, "first")
			mustExec(t, w, `PRAGMA wal_checkpoint(TRUNCATE)`)
			if c.fromLog {
				fill(t, w, "in the log") // changes pages of the file too: the last leaf, the interior ones
			}

			r, err := sql.Open("sqlite", "file:"+path)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			r.SetMaxOpenConns(1)
			ctx := context.Background()
			tx, err := r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback()
			var pages uint32
			if err := tx.QueryRow(`PRAGMA page_count`).Scan(&pages); err != nil { // begins the snapshot
				t.Fatal(err)
			}
			c.before(t, w)
			src, err := newDBPages(ctx, tx)
			if err != nil {
				t.Fatal(err)
			}
			fp, err := newFilePages(ctx, tx, src, 4096)
			if err != nil {
				t.Fatal(err)
			}
			f, ok := fp.(*filePages)
			if !ok {
				t.Fatalf("newFilePages gave %T: a database in WAL mode is read from its file", fp)
			}
			defer f.close()
			viaSQL := &countedPages{pageSource: f.sql}
			f.sql = viaSQL
			c.after(t, w)

			all := make([]uint32, pages)
			for i := range all {
				all[i] = uint32(i + 1)
			}
			got := map[uint32]string{}
			for i := 0; i < len(all); i += pageBatch {
				if err := f.pages(all[i:min(i+pageBatch, len(all))], func(pgno uint32, page string) { got[pgno] = page }); err != nil {
					t.Fatal(err)
				}
			}
			for _, pgno := range all {
				want, err := src.page(pgno)
				if err != nil {
					t.Fatal(err)
				}
				if got[pgno] != want {
					t.Fatalf("page %d of %d differs from SQLite's (from the file: %v)", pgno, pages, f.fromFile(pgno))
				}
			}
			fromFile := len(all) - viaSQL.n
			t.Logf("%d pages: %d from the file, %d through SQLite", len(all), fromFile, viaSQL.n)
			if fromFile == 0 {
				t.Error("no page was read from the file")
			}
			if c.fromLog != (viaSQL.n > 0) {
				t.Errorf("%d pages through SQLite: want some %v", viaSQL.n, c.fromLog)
			}
		})
	}
}

// TestWALPagesOfAHostileLog: a log whose header SQLite would not have
// written for this database sends every page through SQLite, and a
// frame's page number, whatever it says, lists a page only up to the
// file's end (no list sized by a number read from the file).
func TestWALPagesOfAHostileLog(t *testing.T) {
	header := func(magic, version, pageSize uint32) []byte {
		h := make([]byte, walHeaderSize)
		binary.BigEndian.PutUint32(h[0:], magic)
		binary.BigEndian.PutUint32(h[4:], version)
		binary.BigEndian.PutUint32(h[8:], pageSize)
		return h
	}
	frame := func(pgno uint32) []byte {
		f := make([]byte, walFrameHeaderSize+512)
		binary.BigEndian.PutUint32(f, pgno)
		return f
	}
	cat := func(bs ...[]byte) (out []byte) {
		for _, b := range bs {
			out = append(out, b...)
		}
		return out
	}
	cases := []struct {
		name   string
		log    []byte
		ok     bool
		listed []uint32
	}{
		{"no log", nil, true, nil},
		{"an empty log", []byte{}, true, nil},
		{"shorter than its header", []byte{0x37, 0x7f}, false, nil},
		{"another magic", header(0x12345678, walVersion, 512), false, nil},
		{"another version", header(walMagicLE, 3007001, 512), false, nil},
		{"another page size", header(walMagicBE, walVersion, 1024), false, nil},
		{"frames, a last one cut short", cat(header(walMagicLE, walVersion, 512), frame(3), frame(9), frame(3), frame(7)[:100]), true, []uint32{3, 9}},
		{"page numbers past the file", cat(header(walMagicBE, walVersion, 512), frame(1<<32-1), frame(11), frame(10), frame(0)), true, []uint32{0, 10}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "t.db-wal")
			if c.log != nil {
				if err := os.WriteFile(path, c.log, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			logged, ok, err := walPages(path, 512, 10)
			if err != nil || ok != c.ok {
				t.Fatalf("walPages: ok %v, %v; want ok %v", ok, err, c.ok)
			}
			var listed []uint32
			for pgno := range uint32(len(logged) * 64) {
				if logged[pgno/64]&(1<<(pgno%64)) != 0 {
					listed = append(listed, pgno)
				}
			}
			if len(logged) > 1 || len(listed) != len(c.listed) {
				t.Fatalf("listed %v in %d words, want %v in at most one", listed, len(logged), c.listed)
			}
			for i := range listed {
				if listed[i] != c.listed[i] {
					t.Fatalf("listed %v, want %v", listed, c.listed)
				}
			}
		})
	}
}

// TestLockPageThroughSQLite: the page holding SQLite's lock bytes is
// never read from the file (on Windows the locks would refuse the read),
// nor is a page past the file's end.
func TestLockPageThroughSQLite(t *testing.T) {
	for _, size := range []int{512, 4096, 65536} {
		f := &filePages{size: size, inFile: 1 << 31, lock: uint32(pendingByte/size + 1)}
		lock := uint32(pendingByte/size + 1)
		if f.fromFile(lock) || !f.fromFile(lock-1) || !f.fromFile(lock+1) || f.fromFile(0) || f.fromFile(1<<31+1) {
			t.Errorf("page size %d: the lock page %d, its neighbours, page 0 or a page past the end misrouted", size, lock)
		}
	}
}
