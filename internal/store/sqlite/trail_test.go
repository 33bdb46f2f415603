package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"

	"loginshell/internal/audit"
)

// TestTrailRowsAsStored: AuditTrail's rows (two cursors merged, the text
// columns packed into one value) are exactly the rows read column by
// column and joined, on a trail a file's owner edited: a field holding a
// NUL byte (the packing's separator) and a checkpoint signature holding
// one, an entry deleted in the middle and one at the end (their
// checkpoints have no entry), and the first checkpoint moved past the
// end.
func TestTrailRowsAsStored(t *testing.T) {
	path, db := editableTrail(t, 4, 2)
	for _, stmt := range []string{
		`PRAGMA foreign_keys = OFF`,
		`UPDATE audit SET detail = 'a' || char(0) || 'b' WHERE seq = 3`,
		`UPDATE audit SET station = char(0) WHERE seq = 4`,
		`UPDATE checkpoints SET signature = signature || char(0) WHERE seq = (SELECT min(seq) FROM checkpoints WHERE seq > 4)`,
		`DELETE FROM audit WHERE seq = (SELECT min(seq) FROM checkpoints WHERE seq > 10)`,
		`DELETE FROM audit WHERE seq = (SELECT max(seq) FROM audit)`,
		`UPDATE checkpoints SET seq = seq + 1000000 WHERE seq = (SELECT min(seq) FROM checkpoints)`,
	} {
		if _, err := db.Exec(stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	want := storedRows(t, db)
	var got []audit.Row
	err = s.AuditTrail(context.Background(), func(tr audit.Trail) error {
		for row, err := range tr.Rows {
			if err != nil {
				return err
			}
			// A row's Entry and Checkpoint are reused for the next one.
			var kept audit.Row
			if row.Entry != nil {
				e := *row.Entry
				kept.Entry = &e
			}
			if row.Checkpoint != nil {
				c := *row.Checkpoint
				kept.Checkpoint = &c
			}
			got = append(got, kept)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("AuditTrail gave %d rows, want %d", len(got), len(want))
	}
	orphans := 0
	for i := range want {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("row %d:\n got %s\nwant %s", i, rowText(got[i]), rowText(want[i]))
		}
		if want[i].Entry == nil {
			orphans++
		}
	}
	if orphans != 3 {
		t.Errorf("%d checkpoints without an entry, want 3 (the edits did not make the trail this test needs)", orphans)
	}
}

// storedRows reads the trail as AuditTrail's rows are defined, column by
// column: each entry with the checkpoint of its Seq, then the
// checkpoints of no entry, in Seq order.
func storedRows(t *testing.T, db *sql.DB) []audit.Row {
	t.Helper()
	var store string
	if err := db.QueryRow(`SELECT uuid FROM store_identity`).Scan(&store); err != nil {
		t.Fatal(err)
	}
	checkpoints := map[int64]*audit.Checkpoint{}
	var seqs []int64
	rows, err := db.Query(`SELECT ` + checkpointColumns + ` FROM checkpoints c ORDER BY c.seq`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		c, err := scanCheckpoint(rows, store)
		if err != nil {
			t.Fatal(err)
		}
		checkpoints[c.Seq] = c
		seqs = append(seqs, c.Seq)
	}
	rows.Close()
	var out []audit.Row
	rows, err = db.Query(`SELECT ` + auditColumns + ` FROM audit ORDER BY seq`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, audit.Row{Entry: &e, Checkpoint: checkpoints[e.Seq]})
		delete(checkpoints, e.Seq)
	}
	rows.Close()
	for _, seq := range seqs {
		if c := checkpoints[seq]; c != nil {
			out = append(out, audit.Row{Checkpoint: c})
		}
	}
	return out
}

func rowText(r audit.Row) string {
	s := "entry <nil>"
	if r.Entry != nil {
		s = fmt.Sprintf("entry %+v", *r.Entry)
	}
	if r.Checkpoint != nil {
		s += fmt.Sprintf(", checkpoint %+v", *r.Checkpoint)
	}
	return s
}

// dropTriggers drops the store's triggers, which refuse the edits a
// file's owner can make anyway.
// editableTrail builds a trail of entries entries by stations stations
// (BuildTrail) in a file of its own and opens it as its owner may, its
// triggers dropped so that rows can be edited as stored; it is closed
// when the test ends.
func editableTrail(t *testing.T, entries, stations int) (path string, db *sql.DB) {
	t.Helper()
	path = filepath.Join(t.TempDir(), "store.db")
	BuildTrail(t, path, entries, stations)
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.SetMaxOpenConns(1)
	dropTriggers(t, db)
	return path, db
}

func dropTriggers(t *testing.T, db *sql.DB) {
	t.Helper()
	var triggers []string
	rows, err := db.Query(`SELECT name FROM sqlite_master WHERE type = 'trigger'`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		triggers = append(triggers, n)
	}
	rows.Close()
	for _, n := range triggers {
		if _, err := db.Exec(`DROP TRIGGER ` + n); err != nil {
			t.Fatal(err)
		}
	}
}
