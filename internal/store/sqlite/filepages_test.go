package sqlite

import (
	"context"
	"database/sql"
	"encoding/binary"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"loginshell/internal/audit"
)

// TestFilePagesReadsWhatIsAskedFor: filePages gives each page asked for
// that the file holds whole, once, with its own bytes, however the
// numbers come (unsorted, twice, far apart, close enough to share a
// read, more than a read holds), and none it was not asked for.
func TestFilePagesReadsWhatIsAskedFor(t *testing.T) {
	const pages = 600
	for _, size := range []int{512, 65536} {
		path := filepath.Join(t.TempDir(), "pages")
		file := make([]byte, 0, pages*size)
		for pgno := 1; pgno <= pages; pgno++ {
			page := make([]byte, size)
			for off := 0; off < size; off += 4 {
				binary.BigEndian.PutUint32(page[off:], uint32(pgno))
			}
			file = append(file, page...)
		}
		// A page cut short at the end is not a page of the file.
		file = append(file, make([]byte, size/2)...)
		if err := os.WriteFile(path, file, 0o600); err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		src := &filePages{f: f, size: size}
		for _, c := range []struct {
			name      string
			ask, want []uint32
		}{
			{"one", []uint32{7}, []uint32{7}},
			{"unsorted and twice", []uint32{9, 3, 9, 4, 3}, []uint32{3, 4, 9}},
			{"gaps at the most a read spans and past it", []uint32{1, 1 + maxGap + 1, 1 + 2*maxGap + 3}, []uint32{1, 1 + maxGap + 1, 1 + 2*maxGap + 3}},
			{"a stretch longer than one read", []uint32{1, 10, 250, 256, 257, 258, 300}, []uint32{1, 10, 250, 256, 257, 258, 300}},
			{"past the end", []uint32{598, 600, 601, 900}, []uint32{598, 600}},
			{"no page 0", []uint32{0, 2}, []uint32{2}},
		} {
			t.Run(fmt.Sprintf("%s/page=%d", c.name, size), func(t *testing.T) {
				got := map[uint32]int{}
				err := src.pages(c.ask, func(pgno uint32, page string) {
					got[pgno]++
					if len(page) != size {
						t.Errorf("page %d: %d bytes, want %d", pgno, len(page), size)
						return
					}
					for off := 0; off < size; off += 4 {
						if n := binary.BigEndian.Uint32([]byte(page[off:])); n != pgno {
							t.Errorf("page %d holds page %d's bytes at %d", pgno, n, off)
							return
						}
					}
				})
				if err != nil {
					t.Fatal(err)
				}
				if keys := slices.Sorted(maps.Keys(got)); !reflect.DeepEqual(keys, c.want) {
					t.Errorf("pages %v given, want %v", keys, c.want)
				}
				for pgno, n := range got {
					if n != 1 {
						t.Errorf("page %d given %d times", pgno, n)
					}
				}
			})
		}
		if err := src.pages(make([]uint32, filePagesBatch+1), func(uint32, string) {}); err == nil {
			t.Errorf("%d pages at once: no error", filePagesBatch+1)
		}
	}
}

// TestTrailRowsAsStored's trail is read from the file itself only when
// the WAL adds nothing to it: edits still in the WAL are read through
// SQLite (else they would be missed), edits checkpointed into the file
// from it.
func TestTrailReadFromTheFileOnlyWithoutTheWAL(t *testing.T) {
	for _, checkpointed := range []bool{false, true} {
		t.Run(fmt.Sprintf("checkpointed=%v", checkpointed), func(t *testing.T) {
			path, db := editableTrail(t, 4, 2)
			mustExec(t, db, `PRAGMA wal_autocheckpoint = 0`)
			mustExec(t, db, `PRAGMA wal_checkpoint(TRUNCATE)`)
			mustExec(t, db, `UPDATE audit SET detail = 'edited' WHERE seq = 3`)
			mustExec(t, db, `DELETE FROM audit WHERE seq = (SELECT max(seq) FROM audit)`)
			s, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if checkpointed {
				mustExec(t, db, `PRAGMA wal_checkpoint(TRUNCATE)`)
			}
			if got := readsTheFile(t, s); got != checkpointed {
				t.Fatalf("read from the file itself: %v, want %v", got, checkpointed)
			}
			want := storedRows(t, db)
			got := trailRowsOf(t, s)
			if len(got) != len(want) {
				t.Fatalf("AuditTrail gave %d rows, want %d", len(got), len(want))
			}
			for i := range want {
				if !reflect.DeepEqual(got[i], want[i]) {
					t.Errorf("row %d:\n got %s\nwant %s", i, rowText(got[i]), rowText(want[i]))
				}
			}
		})
	}
}

// TestFileReadKeepsItsSnapshot: while a read from the file itself runs,
// another handle's commits, and its checkpoint, do not reach what the
// read sees: the checkpoint cannot copy them into the file before the
// read ends (snapshotFile's reasoning, pinned against SQLite's).
func TestFileReadKeepsItsSnapshot(t *testing.T) {
	path, db := editableTrail(t, 40, 2)
	mustExec(t, db, `PRAGMA wal_checkpoint(TRUNCATE)`)
	want := storedRows(t, db)
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	other, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if !readsTheFile(t, s) {
		t.Fatal("the trail is not read from the file itself, as this test needs")
	}
	ctx := context.Background()
	var got []audit.Row
	err = s.AuditTrail(ctx, func(tr audit.Trail) error {
		for i := range 50 {
			if _, err := other.AppendAudit(ctx, audit.Entry{Event: "alert", Detail: fmt.Sprintf("after the snapshot %d", i)}); err != nil {
				return err
			}
		}
		var busy, log, copied int
		if err := db.QueryRow(`PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &log, &copied); err != nil {
			return err
		}
		if log == 0 {
			t.Errorf("the WAL holds no frames after 50 appends")
		}
		got = collectRows(t, tr)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("the read gave %d rows, want the %d of its snapshot", len(got), len(want))
	}
	for i := range want {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("row %d:\n got %s\nwant %s", i, rowText(got[i]), rowText(want[i]))
		}
	}
}

// readsTheFile says whether s's trail is read from the file itself.
func readsTheFile(t *testing.T, s *Store) bool {
	t.Helper()
	var f *os.File
	err := s.read(context.Background(), "test", func(tx *sql.Tx) error {
		if _, err := readKeys(context.Background(), tx); err != nil {
			return err
		}
		var err error
		f, err = snapshotFile(context.Background(), tx, s.path)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if f != nil {
		f.Close()
	}
	return f != nil
}

func trailRowsOf(t *testing.T, s *Store) []audit.Row {
	t.Helper()
	var got []audit.Row
	err := s.AuditTrail(context.Background(), func(tr audit.Trail) error {
		got = collectRows(t, tr)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// collectRows is tr's rows, each kept (AuditTrail reuses a row's Entry
// and Checkpoint for the next).
func collectRows(t *testing.T, tr audit.Trail) []audit.Row {
	t.Helper()
	var got []audit.Row
	for row, err := range tr.Rows {
		if err != nil {
			t.Fatal(err)
		}
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
	return got
}
