package postgres

import (
	"context"
	"fmt"
	"iter"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"loginshell/internal/audit"
	"loginshell/internal/signature"
)

// committed tells the Checkpointer that cp (nil for none) is committed.
func (s *Store) committed(cp *audit.Checkpoint) {
	if cp != nil {
		s.mine.Store(cp)
		s.cp.Committed(*cp)
	}
}

// AuditTrail reads the trail for audit.CheckTrail and exports: in one
// REPEATABLE READ transaction (one snapshot, so every checkpoint read
// belongs to an entry read, and every entry read has its checkpoint) it
// calls fn with the store's identity, the stations' keys, and the rows:
// each entry with the checkpoint that ends at it, then the checkpoints no
// entry has. The rows can be ranged over once, and only while fn runs; fn
// must not write to the store. When the connection dies before fn
// returns, fn is called again from the start on a fresh one (a new
// snapshot): it must start over. fn's error is returned as it is.
func (s *Store) AuditTrail(ctx context.Context, fn func(audit.Trail) error) error {
	return s.AuditRecords(ctx, func(_ iter.Seq2[signature.Request, error], t audit.Trail) error { return fn(t) })
}

// AuditRecords is AuditTrail with the requests the trail recorded, what
// `audit verify` compares with it (signature.Records): fn also gets every
// request the store holds, in any state, in the order they were stored,
// each with its slots and signatures, from the same snapshot as the
// trail. Each can be ranged over once, the requests before the rows, and
// only while fn runs; both stream, so neither the trail nor the requests
// are held in memory. As with AuditTrail, fn starts over on a fresh
// connection when the first one died.
func (s *Store) AuditRecords(ctx context.Context, fn func(requests iter.Seq2[signature.Request, error], t audit.Trail) error) error {
	var fnErr error
	err := s.read(ctx, "audit trail", func(tx pgx.Tx) error {
		fnErr = nil
		t, err := readKeys(ctx, tx)
		if err != nil {
			return err
		}
		var readErr error // a dead connection, for read to try again
		requests := func(yield func(signature.Request, error) bool) {
			stopped := false
			err := eachRequest(ctx, tx, `true`, `r.n`, func(r signature.Request) bool {
				stopped = !yield(r, nil)
				return !stopped
			})
			if err != nil && !stopped {
				readErr = err
				yield(signature.Request{}, err)
			}
		}
		t.Rows = func(yield func(audit.Row, error) bool) {
			yieldErr := func(row audit.Row, err error) bool {
				if err != nil {
					readErr = err
				}
				return yield(row, err)
			}
			if !trailRows(ctx, tx, `SELECT `+joinedColumns+` FROM audit a LEFT JOIN checkpoints c ON c.seq = a.seq ORDER BY a.seq`, t.Store, yieldErr) {
				return
			}
			trailRows(ctx, tx, `SELECT `+orphanColumns+` FROM checkpoints c
WHERE NOT EXISTS (SELECT 1 FROM audit a WHERE a.seq = c.seq) ORDER BY c.seq`, t.Store, yieldErr)
		}
		fnErr = fn(requests, t)
		if readErr != nil {
			return readErr
		}
		return fnErr
	})
	if fnErr != nil {
		return fnErr
	}
	return err
}

// The columns of AuditTrail's rows: an entry's (NULL for a checkpoint
// alone), then its checkpoint's (NULL for none).
var (
	checkpointColumns = `c.seq, c.prev, c.first, c.hash, c.time, c.station, c.public_key, c.signature, c.link`
	joinedColumns     = "a." + strings.Join(strings.Fields(strings.ReplaceAll(auditColumns, ",", " ")), ", a.") + ", " + checkpointColumns
	orphanColumns     = strings.Repeat("NULL, ", len(strings.Split(auditColumns, ","))) + checkpointColumns
)

// trailRows yields the rows query reads until yield stops (false) or
// they end (true).
func trailRows(ctx context.Context, tx pgx.Tx, query, store string, yield func(audit.Row, error) bool) bool {
	rows, err := tx.Query(ctx, query)
	if err != nil {
		yield(audit.Row{}, err)
		return false
	}
	defer rows.Close()
	for rows.Next() {
		row, err := scanRow(rows, store)
		if !yield(row, err) || err != nil {
			return false
		}
	}
	if err := rows.Err(); err != nil {
		yield(audit.Row{}, err)
		return false
	}
	return true
}

// scanRow reads an entry (when its seq is not NULL) and a checkpoint
// (when its seq is not NULL). It scans into values, not pointers: pgx
// allocates a pointer for each column of each row by reflection, which
// was a third of the time `audit verify` spent in the process.
func scanRow(rows pgx.Rows, store string) (audit.Row, error) {
	var (
		e       audit.Entry
		seq     pgtype.Int8
		t       pgtype.Timestamptz
		approve pgtype.Bool
		text    [17]pgtype.Text
		c       audit.Checkpoint
		cInt    [3]pgtype.Int8
		cTime   pgtype.Timestamptz
		cText   [5]pgtype.Text
	)
	if err := rows.Scan(&seq, &t, &text[0], &text[1], &text[2], &text[3], &text[4], &text[5], &text[6], &text[7], &text[8],
		&text[9], &approve, &text[10], &text[11], &text[12], &text[13], &text[14], &text[15], &text[16],
		&cInt[0], &cInt[1], &cInt[2], &cText[0], &cTime, &cText[1], &cText[2], &cText[3], &cText[4]); err != nil {
		return audit.Row{}, err
	}
	var row audit.Row
	if seq.Valid {
		e = audit.Entry{Seq: seq.Int64, Time: t.Time.UTC(), Offset: text[0].String, Station: text[1].String, Event: text[2].String,
			Request: text[3].String, RequestName: text[4].String, Slot: text[5].String, Template: text[6].String,
			UserID: text[7].String, PrintedName: text[8].String, Meaning: text[9].String,
			Comment: text[10].String, Detail: text[11].String, Prev: text[12].String, Hash: text[13].String, IdP: text[14].String,
			Actor: text[15].String, Content: text[16].String}
		if approve.Valid {
			e.Approve = &approve.Bool
		}
		row.Entry = &e
	}
	if cInt[0].Valid {
		c = audit.Checkpoint{Store: store, Seq: cInt[0].Int64, Prev: cInt[1].Int64, From: cInt[2].Int64, Hash: cText[0].String, Time: cTime.Time.UTC(),
			Station: cText[1].String, Key: cText[2].String, Signature: cText[3].String, Link: cText[4].String}
		row.Checkpoint = &c
	}
	return row, nil
}

// readKeys reads the store's identity and the stations' keys.
func readKeys(ctx context.Context, tx pgx.Tx) (audit.Trail, error) {
	t := audit.Trail{Keys: []audit.StationKey{}}
	if err := tx.QueryRow(ctx, `SELECT uuid FROM store_identity WHERE id = 1`).Scan(&t.Store); err != nil {
		return t, fmt.Errorf("read the store's identity: %w", err)
	}
	rows, err := tx.Query(ctx, `SELECT station, public_key, registered FROM station_keys ORDER BY station, registered, public_key`)
	if err != nil {
		return t, err
	}
	defer rows.Close()
	for rows.Next() {
		var k audit.StationKey
		if err := rows.Scan(&k.Station, &k.Key, &k.Registered); err != nil {
			return t, err
		}
		k.Registered = k.Registered.UTC()
		t.Keys = append(t.Keys, k)
	}
	return t, rows.Err()
}
