package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// TestPagesAsEngine: a table read from its b-tree pages (pager, cursor,
// decodeRecord, through sqlite_dbpage) is exactly the table as SQLite's
// engine reads it (SELECT), at the smallest, the usual and the largest
// page size: every serial type (NULL, each width of integer, 0 and 1,
// reals, text, blobs, empty ones), payloads that overflow (at and about
// the sizes where the format starts to spill, and chains of many pages),
// trees of three levels or more, and pages the freelist gave back after
// deletes.
func TestPagesAsEngine(t *testing.T) {
	ints := []any{0, 1, -1, 2, 127, -128, 128, 32767, -32768, 32768, 8388607, -8388608, 8388608,
		2147483647, -2147483648, 2147483648, 140737488355327, -140737488355328, 140737488355328,
		int64(math.MaxInt64), int64(math.MinInt64)}
	cases := []struct {
		name  string
		fill  func(t *testing.T, db *sql.DB, pageSize int)
		depth int // the least depth the tree must reach, at page sizes up to 4096
	}{
		{"every serial type", func(t *testing.T, db *sql.DB, _ int) {
			for i, v := range ints {
				mustExec(t, db, `INSERT INTO t (id, a, b, c) VALUES (?, ?, ?, ?)`, i+1, v, nil, fmt.Sprint(v))
			}
			mustExec(t, db, `INSERT INTO t (a, b, c) VALUES (1.5, -0.25, x''), ('', x'00ff', 'a'||char(0)||'b'), (NULL, NULL, NULL), (1e300, 'é', x'01')`)
			mustExec(t, db, `INSERT INTO t (id, a) VALUES (-5, 'a negative rowid'), (9223372036854775807, 'the largest')`)
		}, 1},
		{"overflow", func(t *testing.T, db *sql.DB, pageSize int) {
			// Sizes about X = usable-35 (the most a cell keeps whole)
			// and M, and chains of one to many pages.
			for _, n := range []int{pageSize - 60, pageSize - 36, pageSize - 35, pageSize - 34, pageSize, 2 * pageSize, 10*pageSize + 7, 200_000} {
				mustExec(t, db, `INSERT INTO t (a, b, c) VALUES (?, ?, ?)`, strings.Repeat("x", n), bytes.Repeat([]byte{0xa5}, n/2), n)
			}
		}, 1},
		{"three levels", func(t *testing.T, db *sql.DB, pageSize int) {
			mustExec(t, db, `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)
				INSERT INTO t (a, b, c) SELECT i, printf('%.*c', 1000 + i % 2000, 'y'), i * 7 FROM n`)
		}, 3},
		{"freelist reused", func(t *testing.T, db *sql.DB, pageSize int) {
			mustExec(t, db, `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
				INSERT INTO t (a, b, c) SELECT i, randomblob(300 + i % 500), i FROM n`)
			mustExec(t, db, `DELETE FROM t WHERE id % 3 = 0 OR id BETWEEN 200 AND 1500`)
			freed := freelist(t, db)
			mustExec(t, db, `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1500)
				INSERT INTO t (a, b, c) SELECT -i, randomblob(100 + i % 900), printf('%.*c', i, 'z') FROM n`)
			if left := freelist(t, db); freed == 0 || left >= freed {
				t.Fatalf("%d pages free after the deletes, %d after the inserts: the inserts took no page from the freelist, as this test needs", freed, left)
			}
		}, 2},
	}
	for _, pageSize := range []int{512, 4096, 65536} {
		for _, c := range cases {
			t.Run(fmt.Sprintf("%s/page=%d", c.name, pageSize), func(t *testing.T) {
				db := testDB(t, filepath.Join(t.TempDir(), "t.db"), pageSize)
				mustExec(t, db, `CREATE TABLE t (id INTEGER PRIMARY KEY, a, b, c)`)
				c.fill(t, db, pageSize)
				got, depth := pageRows(t, db)
				compareRows(t, got, engineRows(t, db))
				if pageSize <= 4096 && depth < c.depth {
					t.Errorf("the tree is %d levels deep, want %d or more (the rows do not make the tree this test needs)", depth, c.depth)
				}
			})
		}
	}
}

// TestPagesInTheWAL: pages that only the WAL holds (no checkpoint has
// copied them to the file) are read as the snapshot sees them, through a
// second connection; rows another connection commits after the read
// transaction began are not seen.
func TestPagesInTheWAL(t *testing.T) {
	path := filepath.Join(t.TempDir(), "t.db")
	w := testDB(t, path, 4096)
	mustExec(t, w, `PRAGMA wal_autocheckpoint = 0`) // w never copies the WAL into the file
	mustExec(t, w, `CREATE TABLE t (id INTEGER PRIMARY KEY, a, b, c)`)
	mustExec(t, w, `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500)
		INSERT INTO t (a, b, c) SELECT i, randomblob(1000), 'first' FROM n`)
	mustExec(t, w, `PRAGMA wal_checkpoint(TRUNCATE)`)
	mustExec(t, w, `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500)
		INSERT INTO t (a, b, c) SELECT i, randomblob(5000), 'in the WAL' FROM n`)

	r, err := sql.Open("sqlite", "file:"+path+"?_pragma=wal_autocheckpoint(0)")
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
	want := engineRowsTx(t, tx) // begins the snapshot
	// Written after the snapshot began: not to be seen.
	mustExec(t, w, `INSERT INTO t (a, b, c) SELECT a, b, 'after' FROM t`)
	mustExec(t, w, `UPDATE t SET c = 'changed after' WHERE id = 1`)

	var pages int64
	if err := tx.QueryRow(`PRAGMA page_count`).Scan(&pages); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Size() >= pages*4096 {
		t.Fatalf("the file holds %d bytes, the snapshot %d pages: no page is only in the WAL, as this test needs", st.Size(), pages)
	}
	got, _ := pageRowsTx(t, tx)
	compareRows(t, got, want)
	if len(got) != 1000 {
		t.Errorf("%d rows, want the 1000 committed before the read began", len(got))
	}
}

// testDB is a new database at path with the given page size, in WAL
// mode, on one connection; closed when the test ends.
func testDB(t *testing.T, path string, pageSize int) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.SetMaxOpenConns(1)
	mustExec(t, db, fmt.Sprintf(`PRAGMA page_size = %d`, pageSize))
	mustExec(t, db, `PRAGMA journal_mode = WAL`)
	return db
}

func freelist(t *testing.T, db *sql.DB) int {
	t.Helper()
	var n int
	if err := db.QueryRow(`PRAGMA freelist_count`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func mustExec(t *testing.T, db *sql.DB, q string, args ...any) {
	t.Helper()
	if _, err := db.Exec(q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// engineRows is table t as SQLite reads it: its rowid, then a, b and c,
// as the driver gives them (nil, int64, float64, string, []byte), then
// their types.
func engineRows(t *testing.T, db *sql.DB) [][]any {
	t.Helper()
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	return engineRowsTx(t, tx)
}

func engineRowsTx(t *testing.T, tx *sql.Tx) [][]any {
	t.Helper()
	rows, err := tx.Query(`SELECT id, a, b, c, typeof(a), typeof(b), typeof(c) FROM t ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out [][]any
	for rows.Next() {
		row := make([]any, 7)
		ptrs := make([]any, 7)
		for i := range row {
			ptrs[i] = &row[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for i, v := range row[1:4] {
			if b, ok := v.([]byte); (ok || v == nil) && len(b) == 0 && row[4+i] == "blob" {
				row[1+i] = []byte{} // the driver's empty blob: nil, or not
			}
		}
		out = append(out, row)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// pageRows is table t read from its pages as engineRows reads it, and
// the tree's depth.
func pageRows(t *testing.T, db *sql.DB) ([][]any, int) {
	t.Helper()
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	return pageRowsTx(t, tx)
}

func pageRowsTx(t *testing.T, tx *sql.Tx) ([][]any, int) {
	t.Helper()
	ctx := context.Background()
	var root uint32
	if err := tx.QueryRow(`SELECT rootpage FROM sqlite_schema WHERE name = 't'`).Scan(&root); err != nil {
		t.Fatal(err)
	}
	p, err := openPager(ctx, tx)
	if err != nil {
		t.Fatal(err)
	}
	c, err := p.tableCursor(root)
	if err != nil {
		t.Fatal(err)
	}
	var out [][]any
	var vals []value
	depth := 0
	for {
		depth = max(depth, len(c.stack)+1)
		rowid, payload, ok, err := c.nextRow()
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			return out, depth
		}
		if vals, err = decodeRecord(payload, vals, 4); err != nil {
			t.Fatalf("row %d: %v", rowid, err)
		}
		if len(vals) != 4 || vals[0].kind != valueNull {
			t.Fatalf("row %d: %d values, the first %s: want 4, the first NULL (the rowid's)", rowid, len(vals), kindName[vals[0].kind])
		}
		row := []any{rowid}
		for _, v := range vals[1:] {
			row = append(row, v.driverValue())
		}
		for _, v := range vals[1:] {
			row = append(row, [...]string{valueNull: "null", valueInt: "integer", valueFloat: "real", valueText: "text", valueBlob: "blob"}[v.kind])
		}
		out = append(out, row)
	}
}

// driverValue is v as the driver gives it.
func (v value) driverValue() any {
	switch v.kind {
	case valueInt:
		return v.i
	case valueFloat:
		return v.f()
	case valueText:
		return v.s
	case valueBlob:
		return append([]byte{}, v.s...)
	}
	return nil
}

// compareRows fails the test at the first row read from the pages that
// is not SQLite's.
func compareRows(t *testing.T, got, want [][]any) {
	t.Helper()
	for i := range max(len(got), len(want)) {
		if i >= len(got) || i >= len(want) {
			t.Fatalf("%d rows read from the pages, %d by SQLite", len(got), len(want))
		}
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Fatalf("row %d read from the pages:\n%s\nread by SQLite:\n%s", i, valuesText(got[i]), valuesText(want[i]))
		}
	}
}

func valuesText(r []any) string {
	var b strings.Builder
	for _, v := range r {
		switch v := v.(type) {
		case string:
			fmt.Fprintf(&b, "%.60q (%d bytes) ", v, len(v))
		case []byte:
			fmt.Fprintf(&b, "%.30x (%d bytes) ", v, len(v))
		default:
			fmt.Fprintf(&b, "%T %v ", v, v)
		}
	}
	return b.String()
}
