package postgres

import (
	"context"
	"fmt"
	"iter"
	"time"

	"github.com/jackc/pgx/v5"
	"loginshell/internal/audit"
)

// committed tells the Checkpointer that cp (nil for none) is committed.
func (s *Store) committed(cp *audit.Checkpoint) {
	if cp != nil {
		s.cp.Committed(*cp)
	}
}

// AuditTrail reads the trail for audit.CheckTrail and exports: in one
// REPEATABLE READ transaction (one snapshot, so every checkpoint read
// belongs to an entry read, and every entry read has its checkpoint) it
// reads the store's identity, the stations' keys and every checkpoint,
// then calls fn with them and the entries in Seq order. entries can be
// ranged over once, and only while fn runs; fn must not write to the
// store. When the connection dies before fn returns, fn is called again
// from the start on a fresh one (a new snapshot): it must start over.
// fn's error is returned as it is.
func (s *Store) AuditTrail(ctx context.Context, fn func(audit.Proof, iter.Seq2[audit.Entry, error]) error) error {
	var fnErr error
	err := s.read(ctx, "audit trail", func(tx pgx.Tx) error {
		fnErr = nil
		p, err := readProof(ctx, tx)
		if err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT `+auditColumns+` FROM audit ORDER BY seq`)
		if err != nil {
			return err
		}
		defer rows.Close()
		var readErr error // a dead connection, for read to try again
		entries := func(yield func(audit.Entry, error) bool) {
			for rows.Next() {
				e, err := scanEntry(rows)
				if err != nil {
					readErr = err
				}
				if !yield(e, err) || err != nil {
					return
				}
			}
			if err := rows.Err(); err != nil {
				readErr = err
				yield(audit.Entry{}, err)
			}
		}
		fnErr = fn(p, entries)
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

// readProof reads the store's identity, keys and checkpoints.
func readProof(ctx context.Context, tx pgx.Tx) (audit.Proof, error) {
	p := audit.Proof{Keys: []audit.StationKey{}, Checkpoints: []audit.Checkpoint{}}
	if err := tx.QueryRow(ctx, `SELECT uuid FROM store_identity WHERE id = 1`).Scan(&p.Store); err != nil {
		return p, fmt.Errorf("read the store's identity: %w", err)
	}
	rows, err := tx.Query(ctx, `SELECT station, public_key, registered FROM station_keys ORDER BY station, registered, public_key`)
	if err != nil {
		return p, err
	}
	for rows.Next() {
		var k audit.StationKey
		if err := rows.Scan(&k.Station, &k.Key, &k.Registered); err != nil {
			rows.Close()
			return p, err
		}
		k.Registered = k.Registered.UTC()
		p.Keys = append(p.Keys, k)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return p, err
	}
	rows, err = tx.Query(ctx, `SELECT seq, prev, first, hash, time, station, public_key, signature FROM checkpoints ORDER BY seq`)
	if err != nil {
		return p, err
	}
	defer rows.Close()
	for rows.Next() {
		c := audit.Checkpoint{Store: p.Store}
		var t time.Time
		if err := rows.Scan(&c.Seq, &c.Prev, &c.From, &c.Hash, &t, &c.Station, &c.Key, &c.Signature); err != nil {
			return p, err
		}
		c.Time = t.UTC()
		p.Checkpoints = append(p.Checkpoints, c)
	}
	return p, rows.Err()
}
