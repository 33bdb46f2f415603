package sqlite

import (
	"context"
	"database/sql"
	"fmt"
)

// tableColumn is a column of a table a tableReader reads: its name and
// type as this package's schema declares them; notNull and dflt as the
// file's schema does.
type tableColumn struct {
	name, typ string
	notNull   bool
	dflt      sql.NullString // the DEFAULT's SQL text
}

// tableReader reads a rowid table's rows from its b-tree pages, in
// rowid order, each checked against the table's schema: the value of
// every column of the type declared (or NULL where the column allows
// it), a column that the record lacks (added by ALTER TABLE after the
// row was written) its default, as SQLite reads it, and an INTEGER
// PRIMARY KEY's value the rowid. A table whose key is another type
// (requests and slots: a UUID's TEXT) keeps it in the record, and a
// rowid apart.
type tableReader struct {
	name  string
	cols  []tableColumn
	rowid int // the INTEGER PRIMARY KEY column; -1 when the key is not one
	cur   *cursor
	vals  []value
}

// openTable is a reader of the table name of tx's database, whose
// columns must be want's, in order (name and type), the first being its
// PRIMARY KEY (an INTEGER one is the rowid). It reads its pages with p.
func openTable(ctx context.Context, tx *sql.Tx, p *pager, name string, want []tableColumn) (*tableReader, error) {
	var root int64
	if err := tx.QueryRowContext(ctx, `SELECT rootpage FROM sqlite_schema WHERE type = 'table' AND name = ?`, name).Scan(&root); err != nil {
		return nil, fmt.Errorf("find table %s: %w", name, err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT name, type, "notnull", dflt_value, pk FROM pragma_table_info(?) ORDER BY cid`, name)
	if err != nil {
		return nil, fmt.Errorf("read table %s's columns: %w", name, err)
	}
	defer rows.Close()
	t := &tableReader{name: name, rowid: -1}
	if len(want) > 0 && want[0].typ == "INTEGER" {
		t.rowid = 0
	}
	for rows.Next() {
		var c tableColumn
		var pk int
		if err := rows.Scan(&c.name, &c.typ, &c.notNull, &c.dflt, &pk); err != nil {
			return nil, fmt.Errorf("read table %s's columns: %w", name, err)
		}
		i := len(t.cols)
		if i >= len(want) || c.name != want[i].name || c.typ != want[i].typ || (pk != 0) != (i == 0) {
			return nil, fmt.Errorf("table %s's column %d is %s %s (key %d), not as this build's schema has it: %s", name, i+1, c.name, c.typ, pk, columnList(want))
		}
		t.cols = append(t.cols, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read table %s's columns: %w", name, err)
	}
	if len(t.cols) != len(want) {
		return nil, fmt.Errorf("table %s has %d columns, this build's schema %d: %s", name, len(t.cols), len(want), columnList(want))
	}
	if root < 1 || root > int64(p.pages) {
		return nil, corrupt(0, "table %s's root page %d is not a page of the file", name, root)
	}
	t.cur, err = p.tableCursor(uint32(root))
	if err != nil {
		return nil, fmt.Errorf("table %s: %w", name, err)
	}
	return t, nil
}

func columnList(cols []tableColumn) string {
	s := ""
	for i, c := range cols {
		if i > 0 {
			s += ", "
		}
		s += c.name + " " + c.typ
	}
	return s
}

// next is the next row's values, one a column (shared with the row's
// page: valid until the next call); ok is false after the last row.
func (t *tableReader) next() (vals []value, ok bool, err error) {
	rowid, payload, ok, err := t.cur.nextRow()
	if !ok || err != nil {
		return nil, false, wrapTable(t.name, 0, err)
	}
	vals, err = t.decode(rowid, payload)
	return vals, err == nil, err
}

// decode is the values of the row rowid whose record is payload, checked
// as next does (shared with payload: valid until the next call).
func (t *tableReader) decode(rowid int64, payload string) (vals []value, err error) {
	if t.vals, err = decodeRecord(payload, t.vals, len(t.cols)); err != nil {
		return nil, wrapTable(t.name, rowid, err)
	}
	for i := len(t.vals); i < len(t.cols); i++ {
		v, err := t.cols[i].missing()
		if err != nil {
			return nil, wrapTable(t.name, rowid, err)
		}
		t.vals = append(t.vals, v)
	}
	// SQLite stores NULL for the INTEGER PRIMARY KEY and reads the rowid.
	if t.rowid >= 0 {
		t.vals[t.rowid] = value{kind: valueInt, i: rowid}
	}
	for i, c := range t.cols {
		if err := c.check(t.vals[i]); err != nil {
			return nil, wrapTable(t.name, rowid, err)
		}
	}
	return t.vals, nil
}

func wrapTable(name string, rowid int64, err error) error {
	switch {
	case err == nil:
		return nil
	case rowid == 0:
		return fmt.Errorf("table %s: %w", name, err)
	}
	return fmt.Errorf("table %s, row %d: %w", name, rowid, err)
}

// missing is the column's value in a record written before it was added:
// its default. Only the defaults this package's schema declares are read
// (none, or ”); another is an error, not a guess.
func (c tableColumn) missing() (value, error) {
	switch {
	case !c.dflt.Valid:
		return value{kind: valueNull}, nil
	case c.dflt.String == "''" && c.typ == "TEXT":
		return value{kind: valueText}, nil
	}
	return value{}, fmt.Errorf("column %s is not in the record, and its default %s is not one this reader knows", c.name, c.dflt.String)
}

// check says whether v is a value of the column's type (a STRICT
// table's: INTEGER an integer, TEXT text), or a NULL where the column
// allows one.
func (c tableColumn) check(v value) error {
	switch {
	case v.kind == valueNull && !c.notNull:
		return nil
	case v.kind == valueInt && c.typ == "INTEGER", v.kind == valueText && c.typ == "TEXT":
		return nil
	}
	return corrupt(0, "column %s (%s) holds %s", c.name, c.typ, kindName[v.kind])
}
