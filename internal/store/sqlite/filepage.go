package sqlite

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"unsafe"
)

// filePages is a pageSource that reads most pages straight from the
// database file (os.File.ReadAt, a batch's adjacent pages in one call)
// and only the rest through SQLite's pager (dbpages): every page that has
// a frame in the write-ahead log, whatever the frame, and the lock page.
// Going through sqlite_dbpage copied each page twice and ran SQLite's VM
// for it, a fifth of `audit verify`'s time (BenchmarkVerify).
//
// Why the file's bytes are the snapshot's for a page the log does not
// name (https://www.sqlite.org/wal.html, walCheckpoint in SQLite's wal.c):
// in WAL mode the database file changes only when a checkpoint copies
// frames into it, and a checkpoint copies no frame past the end of the
// snapshot a reader holds (it stops at the reader's mark; one that reads
// the file alone, mark 0, keeps every copy out). The log was listed after
// the snapshot began (openPager reads first), so a page the snapshot sees
// in the log was listed; a frame written later is listed or not, and
// either way the page's bytes are read correctly: through SQLite, or from
// the file, which the checkpoint did not touch. Nor can the log start
// over while the snapshot uses it. Any doubt (not WAL mode, a log whose
// header is not one SQLite wrote for this page size, a file that ends
// early) sends pages to SQLite, never to the file.
type filePages struct {
	db     *os.File
	size   int
	inFile uint32     // whole pages the file held when it was opened
	logged []uint64   // pages with a frame in the log, a bit each
	lock   uint32     // the page holding SQLite's lock bytes: never read
	sql    pageSource // the pages not read from the file
	runs   []uint32   // pages(), reused
	viaSQL []uint32
}

// WAL file header and frame header (https://www.sqlite.org/fileformat2.html#walformat).
const (
	walHeaderSize      = 32
	walFrameHeaderSize = 24
	walMagicLE         = 0x377f0682
	walMagicBE         = 0x377f0683
	walVersion         = 3007000
	// pendingByte is where SQLite's lock bytes start (PENDING_BYTE): the
	// page that holds them is never part of a tree.
	pendingByte = 0x40000000
)

// newFilePages is src with the database file's pages read from the file
// where that is safe. It returns src itself when it is not (not in WAL
// mode, an in-memory database, a log it cannot read). tx's snapshot must
// have begun.
func newFilePages(ctx context.Context, tx *sql.Tx, src *dbpages, size int) (pageSource, error) {
	var mode string
	if err := tx.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode); err != nil {
		return nil, fmt.Errorf("read the database's journal mode: %w", err)
	}
	var path string
	if err := tx.QueryRowContext(ctx, `SELECT file FROM pragma_database_list WHERE name = 'main'`).Scan(&path); err != nil {
		return nil, fmt.Errorf("read the database's file name: %w", err)
	}
	if mode != "wal" || path == "" {
		return src, nil
	}
	db, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open the database file: %w", err)
	}
	st, err := db.Stat()
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open the database file: %w", err)
	}
	inFile := uint32(min(st.Size()/int64(size), 1<<32-1))
	logged, ok, err := walPages(path+"-wal", size, inFile)
	if err != nil || !ok {
		db.Close()
		return src, err
	}
	return &filePages{db: db, size: size, inFile: inFile, logged: logged, lock: uint32(pendingByte/size + 1), sql: src}, nil
}

// walPages lists the pages that have a frame in the log at path: every
// frame the file holds, committed or not, of this log's salt or an older
// one (a superset of the frames any snapshot uses is what filePages
// needs), up to page upto: a later page is not read from the file anyway,
// and a frame's number is not to size the list (it may be any). No log, or
// an empty one: none. ok is false for a log whose header is not one SQLite
// writes for a database of this page size.
func walPages(path string, size int, upto uint32) (logged []uint64, ok bool, err error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, true, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("open the write-ahead log: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, false, fmt.Errorf("open the write-ahead log: %w", err)
	}
	if st.Size() == 0 {
		return nil, true, nil
	}
	var h [walHeaderSize]byte
	if _, err := f.ReadAt(h[:], 0); err != nil {
		return nil, false, nil // shorter than a header: SQLite's to judge
	}
	magic, version, pageSize := binary.BigEndian.Uint32(h[0:]), binary.BigEndian.Uint32(h[4:]), int(binary.BigEndian.Uint32(h[8:]))
	if pageSize == 1 { // 65536 does not fit in the two bytes the database header has; the log writes it whole
		pageSize = 65536
	}
	if (magic != walMagicLE && magic != walMagicBE) || version != walVersion || pageSize != size {
		return nil, false, nil
	}
	frame := int64(walFrameHeaderSize + size)
	frames := (st.Size() - walHeaderSize) / frame
	logged = make([]uint64, upto/64+1)
	var pgno [4]byte
	for i := range frames {
		if _, err := f.ReadAt(pgno[:], walHeaderSize+i*frame); err != nil {
			return nil, false, fmt.Errorf("read the write-ahead log: %w", err)
		}
		if n := binary.BigEndian.Uint32(pgno[:]); n <= upto {
			logged[n/64] |= 1 << (n % 64)
		}
	}
	return logged, true, nil
}

func (f *filePages) maxBatch() int { return f.sql.maxBatch() }

// fromFile says whether page pgno is read from the file.
func (f *filePages) fromFile(pgno uint32) bool {
	if pgno == 0 || pgno > f.inFile || pgno == f.lock {
		return false
	}
	return f.logged == nil || f.logged[pgno/64]&(1<<(pgno%64)) == 0
}

// pages reads pgnos: the file's in runs of adjacent pages, one ReadAt
// each, and the others, with any the file ended before, through SQLite.
func (f *filePages) pages(pgnos []uint32, got func(pgno uint32, page string)) error {
	all, viaSQL := f.runs[:0], f.viaSQL[:0]
	for _, pgno := range pgnos {
		if f.fromFile(pgno) {
			all = append(all, pgno)
		} else {
			viaSQL = append(viaSQL, pgno)
		}
	}
	slices.Sort(all)
	all = slices.Compact(all)
	for runs := all; len(runs) > 0; {
		n := 1
		for n < len(runs) && runs[n] == runs[0]+uint32(n) {
			n++
		}
		read, err := f.read(runs[0], n)
		if err != nil {
			return err
		}
		whole := len(read) / f.size
		for i := range whole {
			got(runs[0]+uint32(i), read[i*f.size:(i+1)*f.size])
		}
		viaSQL = append(viaSQL, runs[whole:n]...)
		runs = runs[n:]
	}
	f.runs = all[:0]
	if len(viaSQL) > 0 {
		if err := f.sql.pages(viaSQL, got); err != nil {
			return err
		}
	}
	f.viaSQL = viaSQL[:0]
	return nil
}

// read reads n pages from first on as one string (the whole pages that
// were there: fewer where the file ends early).
func (f *filePages) read(first uint32, n int) (string, error) {
	buf := make([]byte, n*f.size)
	got, err := f.db.ReadAt(buf, int64(first-1)*int64(f.size))
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read pages %d…: %w", first, err)
	}
	buf = buf[:got/f.size*f.size]
	if len(buf) == 0 {
		return "", nil
	}
	// buf is this function's and never written again: the pages share it
	// rather than each being copied into a string of its own.
	return unsafe.String(unsafe.SliceData(buf), len(buf)), nil
}

// close closes the database file.
func (f *filePages) close() error { return f.db.Close() }
