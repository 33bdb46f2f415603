package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"strings"

	"loginshell/internal/signature"
)

// eachRequestPacked is eachRequest of every request the store holds, in
// the order they were stored: what `audit verify` compares with the
// trail. Each row's columns are read packed into one value, as the
// trail's are (packedEntryColumns says why): 25 columns a slot cost the
// driver 25 values and database/sql 25 conversions, a quarter of the
// verify of a million entries (BenchmarkVerify). concat_ws leaves out a
// NULL, and an unsigned slot's signature columns are NULL, so a row
// leads with its slot's rowid and whether it is signed, and only a
// signed one packs the signature's columns: a row splits into exactly
// packedSlotFields or packedSignedFields fields, by that flag. One that
// does not (a field with a NUL), and a signed slot with a NULL in its
// signature (the value is then its rowid alone), which only an edit of
// the file can store, is read again column by column, so the requests
// are always exactly as stored (TestRequestsAsStored). The request's
// columns are NOT NULL (STRICT).
func eachRequestPacked(ctx context.Context, tx *sql.Tx, yield func(signature.Request) bool) error {
	rows, err := tx.QueryContext(ctx, packedRequestSelect+` ORDER BY r.rowid, s.idx`)
	if err != nil {
		return err
	}
	defer rows.Close()
	var (
		row    = slotRow{shared: true}
		packed sql.NullString
		fields [packedSignedFields]string
	)
	scan := func() error {
		if err := rows.Scan(&packed); err != nil {
			return err
		}
		if packed.Valid && row.unpack(packed.String, &fields) {
			return nil
		}
		one, err := tx.QueryContext(ctx, requestSelect+` WHERE s.rowid = ?`, leadingInt(packed.String))
		if err != nil {
			return err
		}
		defer one.Close()
		if !one.Next() {
			return fmt.Errorf("slot row %d: %w", leadingInt(packed.String), cmp.Or(one.Err(), sql.ErrNoRows))
		}
		return one.Scan(row.dests()...)
	}
	return row.each(rows, scan, yield)
}

// packedRequestSelect is requestSelect's columns packed (see
// eachRequestPacked), after the slot's rowid and its signed flag.
const packedRequestSelect = `
SELECT CASE WHEN s.signed_at IS NULL
	THEN concat_ws(char(0), s.rowid, 0, ` + packedSlotColumns + `)
	WHEN s.user_id IS NOT NULL AND s.printed_name IS NOT NULL AND s.roles IS NOT NULL AND s.groups_ IS NOT NULL
		AND s.approve IS NOT NULL AND s.meaning IS NOT NULL AND s.comment IS NOT NULL AND s.sign_station IS NOT NULL
	THEN concat_ws(char(0), s.rowid, 1, ` + packedSlotColumns + `,
		s.user_id, s.printed_name, s.roles, s.groups_, s.approve, s.meaning, s.comment, s.signed_at, s.sign_station)
	ELSE s.rowid -- a signed slot with a NULL: read column by column
	END
FROM requests r JOIN slots s ON s.request = r.id`

const packedSlotColumns = `r.id, r.template, r.name, r.description, r.state, r.station, r.session, r.queued_at,
	r.owner, r.addressed_to, r.rules, r.record, s.id, s.idx, s.clause, s.state`

// The fields of a packed row: rowid, flag and the 16 columns of
// packedSlotColumns; a signed slot's 9 more.
const (
	packedSlotFields   = 18
	packedSignedFields = packedSlotFields + 9
)

// unpack fills w from a packed row (packedRequestSelect), fields being
// where it is split, and says whether it split into exactly its fields.
// The strings share packed's memory.
func (w *slotRow) unpack(packed string, fields *[packedSignedFields]string) bool {
	n := packedSlotFields
	if i := strings.IndexByte(packed, 0); i >= 0 && strings.HasPrefix(packed[i+1:], "1\x00") {
		n = packedSignedFields
	}
	f := fields[:n]
	if !split(packed, f) || (f[1] != "0" && f[1] != "1") {
		return false
	}
	w.rid, w.r.Template, w.r.Name, w.r.Description, w.state, w.r.Station, w.r.Session, w.queuedAt = f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9]
	w.r.Owner, w.r.AddressedTo, w.rules, w.r.Record = f[10], f[11], f[12], f[13]
	w.sid, w.sl.Clause, w.sstate = f[14], f[16], f[17]
	var idx int64
	if !parseInt(f[15], &idx) {
		return false
	}
	w.sl.Index = int(idx)
	if n == packedSlotFields {
		w.user, w.printed, w.roles, w.groups, w.meaning, w.comment, w.signedAt, w.station = sql.NullString{}, sql.NullString{}, sql.NullString{}, sql.NullString{}, sql.NullString{}, sql.NullString{}, sql.NullString{}, sql.NullString{}
		w.approve = sql.NullInt64{}
		return true
	}
	s := f[packedSlotFields:]
	w.approve.Valid = parseInt(s[4], &w.approve.Int64)
	w.user, w.printed, w.roles, w.groups = valid(s[0]), valid(s[1]), valid(s[2]), valid(s[3])
	w.meaning, w.comment, w.signedAt, w.station = valid(s[5]), valid(s[6]), valid(s[7]), valid(s[8])
	return w.approve.Valid
}

// split splits packed at its NUL bytes into fields, and says whether it
// held exactly one fewer than the fields.
func split(packed string, fields []string) bool {
	last := len(fields) - 1
	for i := range last {
		j := strings.IndexByte(packed, 0)
		if j < 0 {
			return false
		}
		fields[i], packed = packed[:j], packed[j+1:]
	}
	fields[last] = packed
	return strings.IndexByte(packed, 0) < 0
}
