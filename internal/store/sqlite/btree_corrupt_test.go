package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// memPages is a pageSource of pages held in memory, which a test edits
// as someone with the file could.
type memPages map[uint32][]byte

func (m memPages) pages(pgnos []uint32, got func(uint32, string)) error {
	for _, pgno := range pgnos {
		if pg, ok := m[pgno]; ok {
			got(pgno, string(pg))
		}
	}
	return nil
}

func (m memPages) maxBatch() int { return 3 }

// corruptFixture is a small database's pages (512 bytes each), with
// where a test finds what it edits: table t of two levels (its root, an
// interior page, and the left-most leaf), and table big of one row
// whose payload runs over a chain of overflow pages.
type corruptFixture struct {
	pages          memPages
	tRoot, tLeaf   uint32
	bigRoot        uint32
	bigCell        int    // the offset of big's one cell on its root
	firstOverflow  uint32 // and its chain's first page
	secondOverflow uint32
}

func newCorruptFixture(t *testing.T) corruptFixture {
	t.Helper()
	path := filepath.Join(t.TempDir(), "t.db")
	db := testDB(t, path, 512)
	mustExec(t, db, `CREATE TABLE t (id INTEGER PRIMARY KEY, a, b, c)`)
	mustExec(t, db, `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 60)
		INSERT INTO t (a, b, c) SELECT i, printf('%.*c', 100, 'y'), NULL FROM n`)
	mustExec(t, db, `CREATE TABLE big (id INTEGER PRIMARY KEY, a, b, c)`)
	mustExec(t, db, `INSERT INTO big (a, b, c) VALUES (1, printf('%.*c', 3000, 'z'), 2)`)
	mustExec(t, db, `PRAGMA wal_checkpoint(TRUNCATE)`)
	var f corruptFixture
	if err := db.QueryRow(`SELECT (SELECT rootpage FROM sqlite_schema WHERE name = 't'), (SELECT rootpage FROM sqlite_schema WHERE name = 'big')`).Scan(&f.tRoot, &f.bigRoot); err != nil {
		t.Fatal(err)
	}
	file, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f.pages = memPages{}
	for i := 0; i+512 <= len(file); i += 512 {
		f.pages[uint32(i/512+1)] = file[i : i+512]
	}
	root := string(f.pages[f.tRoot])
	if root[0] != interiorTablePage {
		t.Fatalf("t's root is of type 0x%02x, not interior: the rows do not make the tree this test needs", root[0])
	}
	f.tLeaf = be32(root[be16(root[12:]):])
	big := string(f.pages[f.bigRoot])
	f.bigCell = int(be16(big[8:]))
	size, n := varint(big[f.bigCell:])
	_, m := varint(big[f.bigCell+n:])
	local := localPayload(size, 512)
	f.firstOverflow = be32(big[f.bigCell+n+m+int(local):])
	f.secondOverflow = be32(string(f.pages[f.firstOverflow]))
	if f.secondOverflow == 0 {
		t.Fatal("big's payload has one overflow page, not the chain this test needs")
	}
	return f
}

// scanTable reads every row of the table at root with p, decoding each
// record, and returns the first error.
func scanTable(p *pager, root uint32) error {
	c, err := p.tableCursor(root)
	if err != nil {
		return err
	}
	var vals []value
	for {
		_, payload, ok, err := c.nextRow()
		if !ok || err != nil {
			return err
		}
		if vals, err = decodeRecord(payload, vals, 4); err != nil {
			return err
		}
	}
}

// TestCorruptPages: pages and records edited below SQLite give an error
// that says what is wrong (errCorrupt), never a panic, a loop without
// end, or rows quietly left out.
func TestCorruptPages(t *testing.T) {
	put16 := func(b []byte, v uint16) { b[0], b[1] = byte(v>>8), byte(v) }
	put32 := func(b []byte, v uint32) { b[0], b[1], b[2], b[3] = byte(v>>24), byte(v>>16), byte(v>>8), byte(v) }
	cell := func(pg []byte, hdr, i int) int { return int(be16(string(pg[hdr+2*i:]))) }
	cases := []struct {
		name  string
		table string // t or big
		edit  func(f corruptFixture)
		want  string
	}{
		{"a page type not of a table", "t", func(f corruptFixture) { f.pages[f.tLeaf][0] = 0x0a }, "page type 0x0a"},
		{"more cells than fit", "t", func(f corruptFixture) { put16(f.pages[f.tLeaf][3:], 300) }, "cells do not fit"},
		{"a cell pointer into the header", "t", func(f corruptFixture) { put16(f.pages[f.tLeaf][8:], 3) }, "outside the page's cell content"},
		{"a cell pointer past the page", "t", func(f corruptFixture) { put16(f.pages[f.tLeaf][8:], 510) }, "outside the page's cell content"},
		{"an interior page its own child", "t", func(f corruptFixture) { put32(f.pages[f.tRoot][cell(f.pages[f.tRoot], 12, 0):], f.tRoot) }, "reached twice"},
		{"a child twice", "t", func(f corruptFixture) {
			root := f.pages[f.tRoot]
			put32(root[cell(root, 12, 1):], f.tLeaf)
		}, "reached twice"},
		{"a child past the file", "t", func(f corruptFixture) { put32(f.pages[f.tRoot][8:], 9999) }, "not a page of the file"},
		{"a child 0", "t", func(f corruptFixture) { put32(f.pages[f.tRoot][cell(f.pages[f.tRoot], 12, 0):], 0) }, "not a page of the file"},
		{"rowids out of order", "t", func(f corruptFixture) {
			leaf := f.pages[f.tLeaf]
			a, b := cell(leaf, 8, 0), cell(leaf, 8, 1)
			put16(leaf[8:], uint16(b))
			put16(leaf[10:], uint16(a))
		}, "not in order"},
		{"an interior key below its subtree", "t", func(f corruptFixture) {
			root := f.pages[f.tRoot]
			root[cell(root, 12, 0)+4] = 1
		}, "its parent's bound"},
		{"a record header past its payload", "t", func(f corruptFixture) {
			leaf := f.pages[f.tLeaf]
			leaf[cell(leaf, 8, 0)+2] = 0x7f // after the payload's size and the rowid: the header's size
		}, "header size"},
		{"a reserved serial type", "t", func(f corruptFixture) {
			leaf := f.pages[f.tLeaf]
			leaf[cell(leaf, 8, 0)+4] = 10 // a's serial type: after the header's size and id's
		}, "the format reserves"},
		{"a value past its record", "t", func(f corruptFixture) {
			leaf := f.pages[f.tLeaf]
			leaf[cell(leaf, 8, 0)+6] = 0x13 // b's serial type 0x81 0x55 (100 bytes of text) made 0x81 0x13 (67)
		}, "unread"},
		{"an overflow chain in a cycle", "big", func(f corruptFixture) { put32(f.pages[f.secondOverflow], f.firstOverflow) }, "reached twice"},
		{"an overflow page its own next", "big", func(f corruptFixture) { put32(f.pages[f.firstOverflow], f.firstOverflow) }, "reached twice"},
		{"an overflow chain cut short", "big", func(f corruptFixture) { put32(f.pages[f.firstOverflow], 0) }, "chain ends after"},
		{"an overflow chain past the file", "big", func(f corruptFixture) { put32(f.pages[f.firstOverflow], 5000) }, "not a page of the file"},
		{"an overflow page in the tree", "t", func(f corruptFixture) { put32(f.pages[f.tRoot][8:], f.firstOverflow) }, "page type"},
		{"a payload larger than the file", "big", func(f corruptFixture) {
			copy(f.pages[f.bigRoot][f.bigCell:], "\xff\xff\xff\xff\xff\xff\xff\xff\xff")
		}, "more than the file has"},
		{"a short page", "t", func(f corruptFixture) { f.pages[f.tLeaf] = f.pages[f.tLeaf][:100] }, "read 100 bytes"},
		{"a page missing", "t", func(f corruptFixture) { delete(f.pages, f.tLeaf) }, "not in the file"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newCorruptFixture(t)
			p, err := newPager(f.pages, 512, 0, uint32(len(f.pages)))
			if err != nil {
				t.Fatal(err)
			}
			root := f.tRoot
			if c.table == "big" {
				root = f.bigRoot
			}
			if err := scanTable(p, root); err != nil {
				t.Fatalf("the fixture does not read before the edit: %v", err)
			}
			c.edit(f)
			p, _ = newPager(f.pages, 512, 0, uint32(len(f.pages)))
			err = scanTable(p, root)
			if !errors.Is(err, errCorrupt) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("read the edited table: %v, want an error of a corrupt file saying %q", err, c.want)
			}
		})
	}
}

// TestEveryByteEdited: whatever byte of a table's pages is changed (to
// each of a few values), reading both tables ends with their rows or an
// error of a corrupt file: never a panic, a loop, or another error. (The
// fuzz target, FuzzPages, does the same with any bytes, but runs slowly
// in this package: its coverage counters include all of SQLite's.)
func TestEveryByteEdited(t *testing.T) {
	f := newCorruptFixture(t)
	failed := 0
	for pgno := uint32(2); pgno <= uint32(len(f.pages)); pgno++ {
		orig := f.pages[pgno]
		for i := range orig {
			for _, b := range []byte{orig[i] ^ 0x01, orig[i] ^ 0x80, 0x00, 0xff} {
				edited := append([]byte(nil), orig...)
				edited[i] = b
				f.pages[pgno] = edited
				for _, root := range []uint32{f.tRoot, f.bigRoot} {
					p, err := newPager(f.pages, 512, 0, uint32(len(f.pages)))
					if err != nil {
						t.Fatal(err)
					}
					if err := scanTable(p, root); err != nil {
						failed++
						if !errors.Is(err, errCorrupt) {
							t.Fatalf("page %d, byte %d made 0x%02x: %v, want an error of a corrupt file", pgno, i, b, err)
						}
					}
				}
			}
		}
		f.pages[pgno] = orig
	}
	if failed == 0 {
		t.Fatal("no edit gave an error: the edits did not reach the tables")
	}
	t.Logf("%d reads of edited pages ended with an error", failed)
}

// TestTreeTooDeep: a tree deeper than SQLite makes one (a chain of
// interior pages of no cells, each pointing to the next) is refused.
func TestTreeTooDeep(t *testing.T) {
	pages := memPages{}
	for pgno := uint32(2); pgno <= 40; pgno++ {
		pg := make([]byte, 512)
		pg[0], pg[5], pg[6] = interiorTablePage, 0x02, 0x00 // cell content from 512
		pg[8], pg[9], pg[10], pg[11] = 0, 0, 0, byte(pgno+1)
		pages[pgno] = pg
	}
	p, err := newPager(pages, 512, 0, 41)
	if err != nil {
		t.Fatal(err)
	}
	if err := scanTable(p, 2); !errors.Is(err, errCorrupt) || !strings.Contains(err.Error(), "deeper than") {
		t.Fatalf("read a tree 39 levels deep: %v, want an error saying it is too deep", err)
	}
}

// TestGeometry: a page size or a count of reserved bytes the format does
// not allow is refused.
func TestGeometry(t *testing.T) {
	for _, g := range []struct{ size, reserved int }{{0, 0}, {256, 0}, {1000, 0}, {131072, 0}, {512, 33}, {4096, -1}} {
		if _, err := newPager(memPages{}, g.size, g.reserved, 10); !errors.Is(err, errCorrupt) {
			t.Errorf("page size %d, %d reserved: %v, want an error of a corrupt file", g.size, g.reserved, err)
		}
	}
}

// TestTableAsDeclared: a table whose rows are not what its declared
// schema says (values of another type, more columns than declared, a
// NOT NULL column a row lacks) or whose columns are not this build's is
// an error naming the table, the row and the column.
func TestTableAsDeclared(t *testing.T) {
	want := []tableColumn{{name: "seq", typ: "INTEGER"}, {name: "a", typ: "TEXT"}}
	cases := []struct {
		name   string
		create string // the table as the rows are written
		rows   string
		schema string // what writable_schema makes of it after
		err    string
	}{
		{"a blob in a text column", `CREATE TABLE x (seq INTEGER PRIMARY KEY, a)`, `INSERT INTO x VALUES (1, 'fine'), (2, x'00')`,
			`CREATE TABLE x (seq INTEGER PRIMARY KEY, a TEXT)`, "table x, row 2: the database file is corrupt: column a (TEXT) holds a blob"},
		{"an integer in a text column", `CREATE TABLE x (seq INTEGER PRIMARY KEY, a)`, `INSERT INTO x VALUES (1, 'fine'), (7, 5)`,
			`CREATE TABLE x (seq INTEGER PRIMARY KEY, a TEXT)`, "table x, row 7: the database file is corrupt: column a (TEXT) holds an integer"},
		{"more values than columns", `CREATE TABLE x (seq INTEGER PRIMARY KEY, a TEXT, b TEXT)`, `INSERT INTO x VALUES (1, 'a', 'b')`,
			`CREATE TABLE x (seq INTEGER PRIMARY KEY, a TEXT)`, "table x, row 1: the database file is corrupt: a record holds more than the table's 2 columns"},
		{"a NULL in a NOT NULL column", `CREATE TABLE x (seq INTEGER PRIMARY KEY, a TEXT)`, `INSERT INTO x (seq) VALUES (3)`,
			`CREATE TABLE x (seq INTEGER PRIMARY KEY, a TEXT NOT NULL)`, "table x, row 3: the database file is corrupt: column a (TEXT) holds NULL"},
		{"a NOT NULL column missing", `CREATE TABLE x (seq INTEGER PRIMARY KEY)`, `INSERT INTO x (seq) VALUES (4)`,
			`CREATE TABLE x (seq INTEGER PRIMARY KEY, a TEXT NOT NULL)`, "table x, row 4: the database file is corrupt: column a (TEXT) holds NULL"},
		{"columns not this build's", `CREATE TABLE x (seq INTEGER PRIMARY KEY, a TEXT)`, `INSERT INTO x (seq) VALUES (3)`,
			`CREATE TABLE x (seq INTEGER PRIMARY KEY, b TEXT)`, "table x's column 2 is b TEXT"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			db := testDB(t, filepath.Join(t.TempDir(), "t.db"), 4096)
			mustExec(t, db, c.create)
			mustExec(t, db, c.rows)
			mustExec(t, db, `PRAGMA writable_schema = ON`)
			mustExec(t, db, `UPDATE sqlite_schema SET sql = ? WHERE name = 'x'`, c.schema)
			mustExec(t, db, `PRAGMA writable_schema = RESET`)
			if err := readX(t, db, want); err == nil || !strings.Contains(err.Error(), c.err) {
				t.Fatalf("read x: %v, want an error saying %q", err, c.err)
			}
		})
	}
}

func readX(t *testing.T, db *sql.DB, want []tableColumn) error {
	t.Helper()
	ctx := context.Background()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	p, err := openPager(ctx, tx)
	if err != nil {
		t.Fatal(err)
	}
	r, err := openTable(ctx, tx, p, "x", want)
	if err != nil {
		return err
	}
	for {
		_, ok, err := r.next()
		if !ok || err != nil {
			return err
		}
	}
}

// FuzzPages: a walk of any pages ends, with rows or with an error, and
// never panics. The input is cut into pages of 512 bytes (the first is
// the root); the seeds are a real table's pages.
func FuzzPages(f *testing.F) {
	path := filepath.Join(f.TempDir(), "t.db")
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		f.Fatal(err)
	}
	defer db.Close()
	for _, q := range []string{`PRAGMA page_size = 512`, `CREATE TABLE t (id INTEGER PRIMARY KEY, a, b, c)`,
		`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 12)
		INSERT INTO t (a, b, c) SELECT i, printf('%.*c', i * 60, 'y'), x'00ff' FROM n`} {
		if _, err := db.Exec(q); err != nil {
			f.Fatal(err)
		}
	}
	db.Close()
	file, err := os.ReadFile(path)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(file[512:]) // from page 2, t's root
	f.Add(file[512:1024])
	f.Fuzz(func(t *testing.T, data []byte) {
		// Page 1, which holds the file's header, is not walked.
		pages := memPages{1: make([]byte, 512)}
		for i := 0; i < len(data) && i < 16*512; i += 512 {
			pg := make([]byte, 512)
			copy(pg, data[i:])
			pages[uint32(i/512+2)] = pg
		}
		if len(pages) < 2 {
			return
		}
		p, err := newPager(pages, 512, 0, uint32(len(pages)))
		if err != nil {
			t.Fatal(err)
		}
		if err := scanTable(p, 2); err != nil && !errors.Is(err, errCorrupt) {
			t.Fatalf("an error not of a corrupt file: %v", err)
		}
	})
}
