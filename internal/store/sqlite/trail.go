package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"loginshell/internal/audit"
)

// checkpointColumns are a checkpoint's columns, in scanCheckpoint's order.
const checkpointColumns = `c.seq, c.prev, c.first, c.hash, c.time, c.station, c.public_key, c.signature, c.link`

// trailRows yields the rows of AuditTrail (audit.Trail.Rows) until yield
// stops or they end: each entry with the checkpoint that ends at it, then
// the checkpoints no entry has, in Seq order. The entries and the
// checkpoints are read by two cursors, each in its table's own order (the
// primary key), and merged here: a join looked up each entry's checkpoint
// in the other table's b-tree, and the checkpoints without an entry took a
// second pass with a look-up each, which was most of the time of reading
// a million entries (BenchmarkVerify). A checkpoint the merge passes
// before the trail's end has no entry (a gap in the entries, which the
// chain names anyway): it is held and yielded after the entries, as the
// rows' order requires. The Entry and Checkpoint a row points to are
// reused for the next row (audit.Row says so).
func trailRows(ctx context.Context, tx *sql.Tx, store string, yield func(audit.Row, error) bool) {
	entries, err := tx.QueryContext(ctx, `SELECT `+packedEntryColumns+` FROM audit ORDER BY seq`)
	if err != nil {
		yield(audit.Row{}, err)
		return
	}
	defer entries.Close()
	checkpoints, err := tx.QueryContext(ctx, `SELECT `+packedCheckpointColumns+` FROM checkpoints ORDER BY seq`)
	if err != nil {
		yield(audit.Row{}, err)
		return
	}
	defer checkpoints.Close()
	var (
		e       audit.Entry
		c       audit.Checkpoint
		orphans []audit.Checkpoint
		sc      scanned
	)
	next := func() (bool, error) { return sc.nextCheckpoint(ctx, tx, checkpoints, &c, store) }
	more, err := next()
	for err == nil && entries.Next() {
		if err = sc.nextEntry(ctx, tx, entries, &e); err != nil {
			break
		}
		for more && c.Seq < e.Seq {
			orphans = append(orphans, c)
			if more, err = next(); err != nil {
				break
			}
		}
		if err != nil {
			break
		}
		row := audit.Row{Entry: &e}
		if more && c.Seq == e.Seq {
			row.Checkpoint = &c
		}
		if !yield(row, nil) {
			return
		}
		if row.Checkpoint != nil {
			more, err = next()
		}
	}
	if err == nil {
		err = entries.Err()
	}
	if err != nil {
		yield(audit.Row{}, err)
		return
	}
	for i := range orphans {
		if !yield(audit.Row{Checkpoint: &orphans[i]}, nil) {
			return
		}
	}
	for more {
		if !yield(audit.Row{Checkpoint: &c}, nil) {
			return
		}
		if more, err = next(); err != nil {
			yield(audit.Row{}, err)
			return
		}
	}
}

// The trail's text columns are read packed into one value each row,
// joined by NUL bytes (concat_ws): a text column costs the driver a
// string, an interface and three calls into SQLite, each under the
// connection's mutex, which was most of the time to read a million
// entries (BenchmarkVerify). No sealed field holds a NUL (audit.Seal
// replaces it), so a row splits back into exactly its columns when the
// value holds one NUL fewer than the fields; one that does not (a field
// with a NUL or a NULL, which only an edit of the file can store) is read
// again column by column, so the fields are always exactly as stored.
// The integers go in the value too, as SQLite writes them in decimal; the
// first is the row's seq, its rowid, which is always an integer.
const (
	packedEntryColumns = `approve, concat_ws(char(0), seq, time, utc_offset, station, event, request, request_name, slot,
	template, user_id, printed_name, meaning, comment, detail, prev, hash, idp, actor, content)`
	packedCheckpointColumns = `concat_ws(char(0), seq, prev, first, hash, time, station, public_key, signature, link)`
)

// scanned holds what a packed row is scanned into besides the entry or
// checkpoint: Scan's destinations escape, so they are made once, not
// once a row.
type scanned struct {
	approve sql.NullInt64
	packed  sql.NullString
	yes, no bool // what an entry's Approve points to
}

// nextEntry reads the entry at rows (packedEntryColumns) into e.
func (sc *scanned) nextEntry(ctx context.Context, tx *sql.Tx, rows *sql.Rows, e *audit.Entry) error {
	approve, packed := &sc.approve, &sc.packed
	*e = audit.Entry{}
	if err := rows.Scan(approve, packed); err != nil {
		return err
	}
	var seq, t string
	if !packed.Valid || !unpack(packed.String, &seq, &t, &e.Offset, &e.Station, &e.Event, &e.Request, &e.RequestName, &e.Slot,
		&e.Template, &e.UserID, &e.PrintedName, &e.Meaning, &e.Comment, &e.Detail, &e.Prev, &e.Hash, &e.IdP, &e.Actor, &e.Content) ||
		!parseInt(seq, &e.Seq) {
		one, err := tx.QueryContext(ctx, `SELECT `+auditColumns+` FROM audit WHERE seq = ?`, leadingInt(packed.String))
		if err != nil {
			return err
		}
		defer one.Close()
		if !one.Next() {
			return fmt.Errorf("entry %d: %w", e.Seq, cmp.Or(one.Err(), sql.ErrNoRows))
		}
		return scanEntryInto(one, e)
	}
	var err error
	if e.Time, err = parseTime(t); err != nil {
		return err
	}
	if approve.Valid {
		// Read-only to every reader of the row, as the whole entry is.
		sc.yes, sc.no = true, false
		e.Approve = &sc.no
		if approve.Int64 == 1 {
			e.Approve = &sc.yes
		}
	}
	return nil
}

// nextCheckpoint reads the next checkpoint of rows (packedCheckpointColumns)
// into c, and says whether there was one.
func (sc *scanned) nextCheckpoint(ctx context.Context, tx *sql.Tx, rows *sql.Rows, c *audit.Checkpoint, store string) (bool, error) {
	if !rows.Next() {
		return false, rows.Err()
	}
	packed := &sc.packed
	*c = audit.Checkpoint{Store: store}
	if err := rows.Scan(packed); err != nil {
		return true, err
	}
	var seq, prev, first, t string
	if !packed.Valid || !unpack(packed.String, &seq, &prev, &first, &c.Hash, &t, &c.Station, &c.Key, &c.Signature, &c.Link) ||
		!parseInt(seq, &c.Seq) || !parseInt(prev, &c.Prev) || !parseInt(first, &c.From) {
		one, err := tx.QueryContext(ctx, `SELECT `+checkpointColumns+` FROM checkpoints c WHERE c.seq = ?`, leadingInt(packed.String))
		if err != nil {
			return true, err
		}
		defer one.Close()
		if !one.Next() {
			return true, fmt.Errorf("checkpoint %d: %w", c.Seq, cmp.Or(one.Err(), sql.ErrNoRows))
		}
		return true, scanCheckpointInto(one, c, store)
	}
	var err error
	c.Time, err = parseTime(t)
	return true, err
}

// unpack splits packed at its NUL bytes into fields, and says whether it
// held exactly one fewer than the fields. The fields share packed's
// memory.
func unpack(packed string, fields ...*string) bool {
	last := len(fields) - 1
	for _, f := range fields[:last] {
		i := strings.IndexByte(packed, 0)
		if i < 0 {
			return false
		}
		*f, packed = packed[:i], packed[i+1:]
	}
	*fields[last] = packed
	return strings.IndexByte(packed, 0) < 0
}

// parseInt reads the decimal s into n, and says whether it was one.
func parseInt(s string, n *int64) bool {
	v, err := strconv.ParseInt(s, 10, 64)
	*n = v
	return err == nil
}

// leadingInt is the integer a packed value starts with: its row's seq.
func leadingInt(packed string) int64 {
	if i := strings.IndexByte(packed, 0); i >= 0 {
		packed = packed[:i]
	}
	n, _ := strconv.ParseInt(packed, 10, 64) // a rowid: always an integer
	return n
}

// scanCheckpointInto reads a row of checkpointColumns into c.
func scanCheckpointInto(rows *sql.Rows, c *audit.Checkpoint, store string) error {
	var t string
	*c = audit.Checkpoint{Store: store}
	if err := rows.Scan(&c.Seq, &c.Prev, &c.From, &c.Hash, &t, &c.Station, &c.Key, &c.Signature, &c.Link); err != nil {
		return err
	}
	var err error
	c.Time, err = parseTime(t)
	return err
}
