package sqlite

import (
	"errors"
	"fmt"
)

// This file reads a table b-tree of an SQLite database file page by page,
// as the file format defines it (https://www.sqlite.org/fileformat2.html,
// "B-tree Pages"): the rows of a rowid table in rowid order, each as its
// rowid and its record (the payload). Pages come from a pageSource, which
// AuditTrail backs by SQLite's own pager (sqlite_dbpage, dbpage.go), so the
// read sees the transaction's snapshot, WAL included, and this file only
// decodes. The file is untrusted input: its owner can edit it, and
// `audit verify` exists to find out. Every page, cell and payload is
// checked against the bounds the format sets before it is read, and every
// loop is bounded by the pages the file has (each page is used at most
// once: a page met twice is a cycle, or two trees sharing a page), so a
// corrupt file gives a *corruptError, never a panic or a loop without end.

// pageSource reads pages of the database, whole (the page size's bytes),
// by their numbers (1 is the first): at most maxBatch at a time, calling
// got with each the file has, in any order. The strings are the caller's.
type pageSource interface {
	pages(pgnos []uint32, got func(pgno uint32, page string)) error
	maxBatch() int
}

// The b-tree page types of the format (the page header's first byte).
const (
	interiorTablePage = 0x05
	leafTablePage     = 0x0d
)

// maxTreeDepth is how deep a tree may be: SQLite's own cursors refuse
// deeper ones (BTCURSOR_MAX_DEPTH), so none it wrote is.
const maxTreeDepth = 20

// corruptError is a page or record that does not decode as the format
// says: the file was damaged or edited below SQLite.
type corruptError struct {
	pgno uint32 // 0: not of one page
	what string
}

func (e *corruptError) Error() string {
	if e.pgno == 0 {
		return "the database file is corrupt: " + e.what
	}
	return fmt.Sprintf("the database file is corrupt: page %d: %s", e.pgno, e.what)
}

// errCorrupt matches every *corruptError with errors.Is.
var errCorrupt = errors.New("the database file is corrupt")

func (e *corruptError) Is(target error) bool { return target == errCorrupt }

func corrupt(pgno uint32, format string, args ...any) error {
	return &corruptError{pgno: pgno, what: fmt.Sprintf(format, args...)}
}

// pager is the file's geometry and the pages read from it: each page
// number is handed out once (used), so no walk of this pager reads a
// page twice. Pages a walk will want next are read ahead, batch at a
// time (want), and held until taken.
type pager struct {
	src    pageSource
	size   int    // page size, bytes
	usable int    // page size less the reserved bytes at each page's end
	pages  uint32 // pages in the file as the snapshot sees it
	used   []uint64
	batch  int               // pages read ahead at most: a MiB's worth
	ahead  map[uint32]string // read ahead, not yet taken
	fresh  []uint32          // want's, reused
}

// newPager checks the geometry read from the file's header: a page size
// the format allows, at least 480 usable bytes (the format's minimum),
// and a page count.
func newPager(src pageSource, size, reserved int, pages uint32) (*pager, error) {
	if size < 512 || size > 65536 || size&(size-1) != 0 {
		return nil, corrupt(1, "page size %d is not a power of two from 512 to 65536", size)
	}
	if reserved < 0 || size-reserved < 480 {
		return nil, corrupt(1, "%d reserved bytes leave fewer than 480 of a %d-byte page", reserved, size)
	}
	return &pager{
		src: src, size: size, usable: size - reserved, pages: pages, used: make([]uint64, pages/64+1),
		batch: max(1, min(src.maxBatch(), 1<<20/size)), ahead: map[uint32]string{},
	}, nil
}

func (p *pager) isUsed(pgno uint32) bool { return p.used[pgno/64]&(1<<(pgno%64)) != 0 }

// want reads ahead the pages of pgnos (at most p.batch) that are pages
// of the file, not used and not read ahead yet. What they hold is
// checked when they are taken.
func (p *pager) want(pgnos []uint32) error {
	fresh := p.fresh[:0]
	for _, pgno := range pgnos[:min(len(pgnos), p.batch)] {
		if pgno != 0 && pgno <= p.pages && !p.isUsed(pgno) {
			if _, ok := p.ahead[pgno]; !ok {
				fresh = append(fresh, pgno)
			}
		}
	}
	p.fresh = fresh
	if len(fresh) == 0 {
		return nil
	}
	return p.src.pages(fresh, func(pgno uint32, page string) { p.ahead[pgno] = page })
}

// take reads page pgno for a walk, once: a page asked for again, or one
// past the file's end, is an error.
func (p *pager) take(pgno uint32) (string, error) {
	if pgno == 0 || pgno > p.pages {
		return "", corrupt(0, "page number %d is not a page of the file (it has %d)", pgno, p.pages)
	}
	if p.isUsed(pgno) {
		return "", corrupt(pgno, "reached twice (a cycle, or a page in two places)")
	}
	p.used[pgno/64] |= 1 << (pgno % 64)
	pg, ok := p.ahead[pgno]
	if ok {
		delete(p.ahead, pgno)
	} else if err := p.src.pages([]uint32{pgno}, func(_ uint32, page string) { pg, ok = page, true }); err != nil {
		return "", err
	}
	if !ok {
		return "", corrupt(pgno, "not in the file")
	}
	if len(pg) != p.size {
		return "", corrupt(pgno, "read %d bytes, the page size is %d", len(pg), p.size)
	}
	return pg, nil
}

// header is where page pgno's b-tree header starts: after the file's
// 100-byte header on page 1.
func header(pgno uint32) int {
	if pgno == 1 {
		return 100
	}
	return 0
}

// frame is an interior page a cursor is in: its cells, the next one to
// descend into (ncell: the right-most pointer), and the largest rowid
// its subtree may hold.
type frame struct {
	pgno  uint32
	page  string
	cells int // offset of the cell pointer array
	ncell int
	next  int
	max   int64
}

// cursor walks a table b-tree in rowid order (tableCursor).
type cursor struct {
	p     *pager
	stack []frame
	// the leaf being read
	pgno  uint32
	leaf  string
	cells int
	ncell int
	next  int
	max   int64
	// the last rowid yielded, to check the order
	last    int64
	started bool
	done    bool
	list    []uint32 // readAhead's, reused
}

// tableCursor is a cursor at the start of the table b-tree rooted at
// page root.
func (p *pager) tableCursor(root uint32) (*cursor, error) {
	c := &cursor{p: p}
	return c, c.descend(root, 1<<63-1)
}

// descend reads page pgno, the root of a subtree whose rowids are at most
// max, and goes down its left-most path to a leaf.
func (c *cursor) descend(pgno uint32, max int64) error {
	for {
		if len(c.stack) >= maxTreeDepth {
			return corrupt(pgno, "the tree is deeper than %d pages", maxTreeDepth)
		}
		pg, err := c.p.take(pgno)
		if err != nil {
			return err
		}
		h := header(pgno)
		kind := pg[h]
		size := 8
		if kind == interiorTablePage {
			size = 12
		} else if kind != leafTablePage {
			return corrupt(pgno, "page type 0x%02x where a table b-tree page (0x05 or 0x0d) belongs", kind)
		}
		ncell := int(be16(pg[h+3:]))
		cells := h + size
		if cells+2*ncell > c.p.usable {
			return corrupt(pgno, "%d cells do not fit in the page", ncell)
		}
		if kind == leafTablePage {
			c.pgno, c.leaf, c.cells, c.ncell, c.next, c.max = pgno, pg, cells, ncell, 0, max
			return nil
		}
		c.stack = append(c.stack, frame{pgno: pgno, page: pg, cells: cells, ncell: ncell, max: max})
		if pgno, max, err = c.child(&c.stack[len(c.stack)-1]); err != nil {
			return err
		}
	}
}

// child is the page of f's next child and the largest rowid it may
// hold, and moves f past it. When that page is not read yet, it is read
// with the children after it (readAhead).
func (c *cursor) child(f *frame) (uint32, int64, error) {
	i, pgno, max := f.next, be32(f.page[h8(f.pgno):]), f.max
	if i < f.ncell {
		off, err := c.cell(f.pgno, f.page, f.cells, f.ncell, i)
		if err != nil {
			return 0, 0, err
		}
		key, n := varint(f.page[off+4 : c.p.usable])
		if n == 0 {
			return 0, 0, corrupt(f.pgno, "cell %d's key runs past the page", i)
		}
		if int64(key) > f.max {
			return 0, 0, corrupt(f.pgno, "cell %d's key %d is above %d, its parent's bound", i, int64(key), f.max)
		}
		pgno, max = be32(f.page[off:]), int64(key)
	}
	f.next++
	if _, ok := c.p.ahead[pgno]; !ok {
		if err := c.readAhead(f, i); err != nil {
			return 0, 0, err
		}
	}
	return pgno, max, nil
}

// readAhead reads the children of f from child i on, as many as the
// pager reads at once. A cell it cannot read ends the list: child says
// what is wrong with it when the walk gets there.
func (c *cursor) readAhead(f *frame, i int) error {
	list := c.list[:0]
	for ; i <= f.ncell && len(list) < c.p.batch; i++ {
		if i == f.ncell {
			list = append(list, be32(f.page[h8(f.pgno):]))
			break
		}
		off := int(be16(f.page[f.cells+2*i:]))
		if off < f.cells+2*f.ncell || off > c.p.usable-4 {
			break
		}
		list = append(list, be32(f.page[off:]))
	}
	c.list = list
	return c.p.want(list)
}

// h8 is where an interior page's right-most pointer is: bytes 8 to 11
// of its header.
func h8(pgno uint32) int { return header(pgno) + 8 }

// cell is the offset of cell i of the ncell of page pg: past the header
// and the cell pointer array, and at least 4 bytes (a cell's least, as
// SQLite writes them) before the reserved bytes.
func (c *cursor) cell(pgno uint32, pg string, cells, ncell, i int) (int, error) {
	off := int(be16(pg[cells+2*i:]))
	if off < cells+2*ncell || off > c.p.usable-4 {
		return 0, corrupt(pgno, "cell %d's offset %d is outside the page's cell content", i, off)
	}
	return off, nil
}

// nextRow is the table's next row: its rowid and its payload, whole (an
// overflow chain read and joined). ok is false at the end.
func (c *cursor) nextRow() (rowid int64, payload string, ok bool, err error) {
	for !c.done && c.next == c.ncell {
		if err := c.up(); err != nil {
			return 0, "", false, err
		}
	}
	if c.done {
		return 0, "", false, nil
	}
	i := c.next
	c.next++
	off, err := c.cell(c.pgno, c.leaf, c.cells, c.ncell, i)
	if err != nil {
		return 0, "", false, err
	}
	cell := c.leaf[off:c.p.usable]
	size, n := varint(cell)
	if n == 0 {
		return 0, "", false, corrupt(c.pgno, "cell %d's payload size runs past the page", i)
	}
	key, m := varint(cell[n:])
	if m == 0 {
		return 0, "", false, corrupt(c.pgno, "cell %d's rowid runs past the page", i)
	}
	rowid = int64(key)
	if c.started && rowid <= c.last {
		return 0, "", false, corrupt(c.pgno, "rowid %d follows %d: not in order", rowid, c.last)
	}
	if rowid > c.max {
		return 0, "", false, corrupt(c.pgno, "rowid %d is above %d, its parent's bound", rowid, c.max)
	}
	c.started, c.last = true, rowid
	payload, err = c.payload(i, size, cell[n+m:])
	return rowid, payload, err == nil, err
}

// up leaves the finished leaf for the next one in order: back up the
// stack to a page with a child left, and down its left-most path.
func (c *cursor) up() error {
	for len(c.stack) > 0 {
		f := &c.stack[len(c.stack)-1]
		if f.next > f.ncell {
			c.stack = c.stack[:len(c.stack)-1]
			continue
		}
		pgno, max, err := c.child(f)
		if err != nil {
			return err
		}
		return c.descend(pgno, max)
	}
	c.done = true
	return nil
}

// payload is a cell's payload of size bytes, local its bytes on the
// leaf and after: as much as the format keeps on the page, then the
// number of the first overflow page when it keeps less than all.
func (c *cursor) payload(i int, size uint64, local string) (string, error) {
	u := uint64(c.p.usable)
	here := localPayload(size, u)
	if uint64(len(local)) < here {
		return "", corrupt(c.pgno, "cell %d's payload runs past the page", i)
	}
	if here == size {
		return local[:here], nil
	}
	if uint64(len(local)) < here+4 {
		return "", corrupt(c.pgno, "cell %d's overflow page number runs past the page", i)
	}
	if overflow := (size - here + u - 5) / (u - 4); size > uint64(c.p.pages)*u || overflow >= uint64(c.p.pages) {
		return "", corrupt(c.pgno, "cell %d's payload of %d bytes needs %d overflow pages, more than the file has", i, size, overflow)
	}
	// Grown as the chain is read, so a corrupt size costs no more
	// memory than the pages that are there.
	buf := make([]byte, 0, min(size, 1<<20))
	buf = append(buf, local[:here]...)
	next := be32(local[here:])
	for uint64(len(buf)) < size {
		if next == 0 {
			return "", corrupt(c.pgno, "cell %d's overflow chain ends after %d of its %d bytes", i, len(buf), size)
		}
		pg, err := c.p.take(next)
		if err != nil {
			return "", fmt.Errorf("cell %d of page %d, its overflow chain: %w", i, c.pgno, err)
		}
		n := min(size-uint64(len(buf)), u-4)
		buf = append(buf, pg[4:4+n]...)
		next = be32(pg)
	}
	if next != 0 {
		return "", corrupt(c.pgno, "cell %d's overflow chain goes on past its %d bytes, to page %d", i, size, next)
	}
	return string(buf), nil
}

// localPayload is how many of a table leaf cell's size payload bytes the
// format keeps on the page, usable being the usable page size: all of
// them up to X = usable-35; past that M = (usable-12)*32/255-23, or K = M
// + (size-M)%(usable-4) when K is at most X, and the rest on overflow
// pages of usable-4 bytes each.
func localPayload(size, usable uint64) uint64 {
	x := usable - 35
	if size <= x {
		return size
	}
	m := (usable-12)*32/255 - 23
	if k := m + (size-m)%(usable-4); k <= x {
		return k
	}
	return m
}

// varint reads an SQLite varint (1 to 9 bytes, big-endian, 7 bits a byte
// but the ninth's 8) from the start of b, and says how many bytes it
// took: 0 when b ends first.
func varint(b string) (uint64, int) {
	var v uint64
	for i := range min(len(b), 8) {
		v = v<<7 | uint64(b[i]&0x7f)
		if b[i] < 0x80 {
			return v, i + 1
		}
	}
	if len(b) < 9 {
		return 0, 0
	}
	return v<<8 | uint64(b[8]), 9
}

func be16(b string) uint16 { return uint16(b[0])<<8 | uint16(b[1]) }

func be32(b string) uint32 {
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}
