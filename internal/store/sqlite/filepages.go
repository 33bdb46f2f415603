package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
)

// filePages is a pageSource reading the database file itself, for a read
// transaction whose snapshot is the file alone (snapshotFile says when).
// sqlite_dbpage (dbpages) copied each page twice and paid a statement for
// every 64; read one by one, the pages cost a system call each (a table's
// pages lie between other tables', seldom two in a row). So the pages
// asked for together are read a stretch of the file at a time, the pages
// between them included as long as a gap is short (maxGap), into one
// buffer reused from read to read, and each page asked for is copied out
// of it once (BenchmarkVerify).
type filePages struct {
	f       *os.File
	size    int
	scratch []byte   // a stretch's bytes, reused
	sorted  []uint32 // the pages asked for, reused
}

// filePagesBatch is how many pages a call reads at most (the pager asks
// for a MiB's worth at most), and maxGap how many pages not asked for a
// stretch may hold between two that are: reading a few more bytes costs
// less than another system call.
const (
	filePagesBatch = 256
	maxGap         = 16
)

func (d *filePages) maxBatch() int { return filePagesBatch }

// pages reads pgnos a stretch at a time. A page the file does not hold
// whole is not passed to got: the pager calls that one not in the file.
func (d *filePages) pages(pgnos []uint32, got func(pgno uint32, page string)) error {
	if len(pgnos) == 0 || len(pgnos) > filePagesBatch {
		return fmt.Errorf("read %d pages: from 1 to %d at a time", len(pgnos), filePagesBatch)
	}
	sorted := slices.Compact(slices.Sorted(slices.Values(pgnos)))
	d.sorted = sorted
	if sorted[0] == 0 {
		sorted = sorted[1:] // no page 0: the pager says so
	}
	for len(sorted) > 0 {
		first, n := sorted[0], 1
		for n < len(sorted) && sorted[n]-sorted[n-1] <= maxGap+1 && sorted[n]-first < filePagesBatch {
			n++
		}
		last := sorted[n-1]
		span := int(last-first+1) * d.size
		if cap(d.scratch) < span {
			d.scratch = make([]byte, span)
		}
		buf := d.scratch[:span]
		read, err := d.f.ReadAt(buf, int64(first-1)*int64(d.size))
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("read pages %d-%d: %w", first, last, err)
		}
		for _, pgno := range sorted[:n] {
			off := int(pgno-first) * d.size
			if off+d.size > read {
				break
			}
			got(pgno, string(buf[off:off+d.size]))
		}
		sorted = sorted[n:]
	}
	return nil
}

// snapshotFile opens the database file at path for reading its pages
// directly, when tx's snapshot is the file alone; otherwise (pages only
// the WAL holds, or no way to tell) it returns nil, and the pages are
// read through SQLite (dbpages). tx must have read from the database
// already, so that its snapshot is taken; the caller closes the file when
// tx ends.
//
// Why an empty WAL file is enough (SQLite's wal.c): a read transaction
// that began while the WAL held frames not yet copied into the database
// holds a read lock that keeps the WAL file from being truncated or
// started over until it ends, so a WAL of no bytes now means the snapshot
// began with none; such a transaction holds the read lock that every
// checkpoint must take exclusively before it copies frames into the
// database file, so no commit after it reaches the file before it ends.
// A WAL that is not empty (a station running beside `audit verify`) is
// read through SQLite, as is a store in any other journal mode.
func snapshotFile(ctx context.Context, tx *sql.Tx, path string) (*os.File, error) {
	if path == "" {
		return nil, nil
	}
	var mode string
	if err := tx.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode); err != nil {
		return nil, fmt.Errorf("read the journal mode: %w", err)
	}
	if mode != "wal" {
		return nil, nil
	}
	wal, err := os.Stat(path + "-wal")
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("read the WAL's size: %w", err)
	case wal.Size() != 0:
		return nil, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open the database file: %w", err)
	}
	return f, nil
}
