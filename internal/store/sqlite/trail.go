package sqlite

import (
	"context"
	"database/sql"
	"fmt"

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
// second pass with a look-up each. A checkpoint the merge passes before
// the trail's end has no entry (a gap in the entries, which the chain
// names anyway): it is held and yielded after the entries, as the rows'
// order requires. The Entry and Checkpoint a row points to are reused for
// the next row (audit.Row says so).
//
// The two tables are read from their b-tree pages and decoded here
// (trailTables), not by SQLite's statements: running the statements was
// most of the time to verify a million entries (BenchmarkVerify). The
// pages come through SQLite's pager in tx (dbpages), so they are tx's
// snapshot.
func trailRows(ctx context.Context, tx *sql.Tx, store string, yield func(audit.Row, error) bool) {
	t, err := openTrailTables(ctx, tx)
	if err != nil {
		yield(audit.Row{}, fmt.Errorf("read the audit trail: %w", err))
		return
	}
	var (
		e       audit.Entry
		c       audit.Checkpoint
		orphans []audit.Checkpoint
	)
	next := func() (bool, error) { return t.nextCheckpoint(&c, store) }
	more, err := next()
	for err == nil {
		var ok bool
		if ok, err = t.nextEntry(&e); !ok || err != nil {
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

// The trail's tables as this reader decodes them: the columns in the
// order the schema's migrations leave them (schema.go), which openTable
// checks against the file's.
var (
	auditTable = []tableColumn{
		{name: "seq", typ: "INTEGER"}, {name: "time", typ: "TEXT"}, {name: "utc_offset", typ: "TEXT"},
		{name: "station", typ: "TEXT"}, {name: "event", typ: "TEXT"}, {name: "request", typ: "TEXT"},
		{name: "request_name", typ: "TEXT"}, {name: "slot", typ: "TEXT"}, {name: "template", typ: "TEXT"},
		{name: "user_id", typ: "TEXT"}, {name: "printed_name", typ: "TEXT"}, {name: "meaning", typ: "TEXT"},
		{name: "approve", typ: "INTEGER"}, {name: "comment", typ: "TEXT"}, {name: "detail", typ: "TEXT"},
		{name: "prev", typ: "TEXT"}, {name: "hash", typ: "TEXT"}, {name: "idp", typ: "TEXT"},
		{name: "actor", typ: "TEXT"}, {name: "content", typ: "TEXT"},
	}
	checkpointsTable = []tableColumn{
		{name: "seq", typ: "INTEGER"}, {name: "prev", typ: "INTEGER"}, {name: "first", typ: "INTEGER"},
		{name: "hash", typ: "TEXT"}, {name: "time", typ: "TEXT"}, {name: "station", typ: "TEXT"},
		{name: "public_key", typ: "TEXT"}, {name: "signature", typ: "TEXT"}, {name: "link", typ: "TEXT"},
	}
)

// trailTables reads the audit and checkpoints tables with one pager, so
// no page serves both.
type trailTables struct {
	entries, checkpoints *tableReader
	yes, no              bool // what an entry's Approve points to
}

func openTrailTables(ctx context.Context, tx *sql.Tx) (*trailTables, error) {
	p, err := openPager(ctx, tx)
	if err != nil {
		return nil, err
	}
	entries, err := openTable(ctx, tx, p, "audit", auditTable)
	if err != nil {
		return nil, err
	}
	checkpoints, err := openTable(ctx, tx, p, "checkpoints", checkpointsTable)
	if err != nil {
		return nil, err
	}
	return &trailTables{entries: entries, checkpoints: checkpoints}, nil
}

// nextEntry reads the next entry into e, and says whether there was one.
// Its strings share the memory of the page it is on.
func (t *trailTables) nextEntry(e *audit.Entry) (bool, error) {
	v, ok, err := t.entries.next()
	if !ok || err != nil {
		return false, err
	}
	*e = audit.Entry{
		Seq: v[0].i, Offset: v[2].s, Station: v[3].s, Event: v[4].s, Request: v[5].s, RequestName: v[6].s,
		Slot: v[7].s, Template: v[8].s, UserID: v[9].s, PrintedName: v[10].s, Meaning: v[11].s, Comment: v[13].s,
		Detail: v[14].s, Prev: v[15].s, Hash: v[16].s, IdP: v[17].s, Actor: v[18].s, Content: v[19].s,
	}
	if e.Time, err = parseTime(v[1].s); err != nil {
		return false, fmt.Errorf("entry %d: %w", e.Seq, err)
	}
	if v[12].kind != valueNull {
		// Read-only to every reader of the row, as the whole entry is.
		t.yes, t.no = true, false
		e.Approve = &t.no
		if v[12].i == 1 {
			e.Approve = &t.yes
		}
	}
	return true, nil
}

// nextCheckpoint reads the next checkpoint into c, and says whether
// there was one.
func (t *trailTables) nextCheckpoint(c *audit.Checkpoint, store string) (bool, error) {
	v, ok, err := t.checkpoints.next()
	if !ok || err != nil {
		return false, err
	}
	*c = audit.Checkpoint{
		Store: store, Seq: v[0].i, Prev: v[1].i, From: v[2].i, Hash: v[3].s, Station: v[5].s, Key: v[6].s,
		Signature: v[7].s, Link: v[8].s,
	}
	if c.Time, err = parseTime(v[4].s); err != nil {
		return false, fmt.Errorf("checkpoint %d: %w", c.Seq, err)
	}
	return true, nil
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
