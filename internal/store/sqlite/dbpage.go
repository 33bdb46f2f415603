package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// dbpages is a pageSource reading the pages of the database as a read
// transaction sees them, through SQLite's own pager: the sqlite_dbpage
// table (SQLITE_ENABLE_DBPAGE_VTAB, which modernc.org/sqlite builds on
// every platform), queried in the transaction. So the pages are those of
// the transaction's snapshot, the ones only the WAL holds included, and
// none a writer commits after it began. Pages are read up to pageBatch
// at a time (one query of an IN list): a query a page cost more than
// decoding the page did (BenchmarkVerify). A page is read as text
// (CAST, which keeps every byte, NULs included: a page of another length
// is refused): the driver copies a text into a Go string once, and a
// blob into a []byte that would need copying again. The statements are
// the transaction's, closed with it.
type dbpages struct {
	ctx        context.Context
	one, batch *sql.Stmt
	args       [pageBatch]any
}

// pageBatch is how many pages a query reads at most.
const pageBatch = 64

func newDBPages(ctx context.Context, tx *sql.Tx) (*dbpages, error) {
	one, err := tx.PrepareContext(ctx, `SELECT pgno, CAST(data AS TEXT) FROM sqlite_dbpage WHERE pgno = ?`)
	if err != nil {
		return nil, fmt.Errorf("read the database's pages: %w", err)
	}
	batch, err := tx.PrepareContext(ctx, `SELECT pgno, CAST(data AS TEXT) FROM sqlite_dbpage WHERE pgno IN (?`+strings.Repeat(", ?", pageBatch-1)+`)`)
	if err != nil {
		return nil, fmt.Errorf("read the database's pages: %w", err)
	}
	return &dbpages{ctx: ctx, one: one, batch: batch}, nil
}

func (d *dbpages) maxBatch() int { return pageBatch }

// pages reads the pages pgnos (at most pageBatch), calling got with each
// that the file has, in any order.
func (d *dbpages) pages(pgnos []uint32, got func(pgno uint32, page string)) error {
	if len(pgnos) == 0 || len(pgnos) > pageBatch {
		return fmt.Errorf("read %d pages: from 1 to %d at a time", len(pgnos), pageBatch)
	}
	stmt, args := d.one, d.args[:1]
	if len(pgnos) > 1 {
		// The IN list is filled out with the first page: SQLite reads
		// each page of the list once.
		stmt, args = d.batch, d.args[:]
	}
	for i := range args {
		args[i] = int64(pgnos[min(i, len(pgnos)-1)])
	}
	rows, err := stmt.QueryContext(d.ctx, args...)
	if err != nil {
		return fmt.Errorf("read pages %d…: %w", pgnos[0], err)
	}
	defer rows.Close()
	for rows.Next() {
		var pgno int64
		var page string
		if err := rows.Scan(&pgno, &page); err != nil {
			return fmt.Errorf("read pages %d…: %w", pgnos[0], err)
		}
		got(uint32(pgno), page)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read pages %d…: %w", pgnos[0], err)
	}
	return nil
}

// page reads page pgno: an error when the file has no such page.
func (d *dbpages) page(pgno uint32) (string, error) {
	var pg string
	found := false
	err := d.pages([]uint32{pgno}, func(_ uint32, page string) { pg, found = page, true })
	if err == nil && !found {
		err = corrupt(0, "page %d is not in the file", pgno)
	}
	return pg, err
}

// openPager is a pager of the database as tx sees it: its page size and
// reserved bytes from the file's header (page 1), and its page count.
// The text must be UTF-8, as every store's is: the records are decoded
// as it.
func openPager(ctx context.Context, tx *sql.Tx) (*pager, error) {
	src, err := newDBPages(ctx, tx)
	if err != nil {
		return nil, err
	}
	var pages int64
	if err := tx.QueryRowContext(ctx, `PRAGMA page_count`).Scan(&pages); err != nil {
		return nil, fmt.Errorf("read the database's page count: %w", err)
	}
	first, err := src.page(1)
	if err != nil {
		return nil, fmt.Errorf("read the database's header: %w", err)
	}
	if len(first) < 100 || !strings.HasPrefix(first, "SQLite format 3\x00") {
		return nil, corrupt(1, "no SQLite header")
	}
	size := int(be16(first[16:]))
	if size == 1 {
		size = 65536
	}
	if enc := be32(first[56:]); enc != 1 {
		return nil, fmt.Errorf("the database's text encoding is %d, not UTF-8 (1): this reader decodes only UTF-8", enc)
	}
	if pages < 1 || pages > 1<<32-1 {
		return nil, corrupt(0, "a page count of %d", pages)
	}
	return newPager(src, size, int(first[20]), uint32(pages))
}
