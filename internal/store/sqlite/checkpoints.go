package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"iter"

	"loginshell/internal/audit"
)

// checkpoint signs and stores the checkpoint of the entries sealed in
// this transaction (not empty), with the station's key: the key once
// (its first checkpoint registers it), the checkpoint always. Prev is
// the newest checkpoint stored, read here under the write lock, so the
// checkpoints of every process on the file form one chain.
func (s *Store) checkpoint(ctx context.Context, tx *sql.Tx, sealed []audit.Entry) (*audit.Checkpoint, error) {
	var prev int64
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0) FROM checkpoints`).Scan(&prev); err != nil {
		return nil, fmt.Errorf("read the newest checkpoint: %w", err)
	}
	head := sealed[len(sealed)-1]
	c := s.cp.Sign(audit.Checkpoint{Store: s.id, Prev: prev, From: sealed[0].Seq, Seq: head.Seq, Hash: head.Hash})
	if _, err := tx.ExecContext(ctx, `INSERT INTO station_keys (station, public_key, registered) VALUES (?, ?, ?)
ON CONFLICT (station, public_key) DO NOTHING`, c.Station, c.Key, timeText(c.Time)); err != nil {
		return nil, fmt.Errorf("register the station's key: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO checkpoints (seq, prev, first, hash, time, station, public_key, signature)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, c.Seq, c.Prev, c.From, c.Hash, timeText(c.Time), c.Station, c.Key, c.Signature); err != nil {
		return nil, fmt.Errorf("store the checkpoint of entries %d-%d: %w", c.From, c.Seq, err)
	}
	return &c, nil
}

// committed tells the Checkpointer that cp (nil for none) is committed.
func (s *Store) committed(cp *audit.Checkpoint) {
	if cp != nil {
		s.cp.Committed(*cp)
	}
}

// AuditTrail reads the trail for audit.CheckTrail and exports: in one
// read transaction (one snapshot, so every checkpoint read belongs to an
// entry read, and every entry read has its checkpoint) it reads the
// store's identity, the stations' keys and every checkpoint, then calls
// fn with them and the entries in Seq order. entries can be ranged over
// once, and only while fn runs; fn must not write to the store. fn's
// error is returned as it is.
func (s *Store) AuditTrail(ctx context.Context, fn func(audit.Proof, iter.Seq2[audit.Entry, error]) error) error {
	var fnErr error
	err := s.read(ctx, "audit trail", func(tx *sql.Tx) error {
		p, err := readProof(ctx, tx)
		if err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT `+auditColumns+` FROM audit ORDER BY seq`)
		if err != nil {
			return err
		}
		defer rows.Close()
		entries := func(yield func(audit.Entry, error) bool) {
			for rows.Next() {
				e, err := scanEntry(rows)
				if !yield(e, err) || err != nil {
					return
				}
			}
			if err := rows.Err(); err != nil {
				yield(audit.Entry{}, err)
			}
		}
		fnErr = fn(p, entries)
		return fnErr
	})
	if fnErr != nil {
		return fnErr
	}
	return err
}

// readProof reads the store's identity, keys and checkpoints.
func readProof(ctx context.Context, tx *sql.Tx) (audit.Proof, error) {
	p := audit.Proof{Keys: []audit.StationKey{}, Checkpoints: []audit.Checkpoint{}}
	if err := tx.QueryRowContext(ctx, `SELECT uuid FROM store_identity WHERE id = 1`).Scan(&p.Store); err != nil {
		return p, fmt.Errorf("read the store's identity: %w", err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT station, public_key, registered FROM station_keys ORDER BY station, registered, public_key`)
	if err != nil {
		return p, err
	}
	defer rows.Close()
	for rows.Next() {
		var k audit.StationKey
		var t string
		if err := rows.Scan(&k.Station, &k.Key, &t); err != nil {
			return p, err
		}
		if k.Registered, err = parseTime(t); err != nil {
			return p, err
		}
		p.Keys = append(p.Keys, k)
	}
	if err := rows.Err(); err != nil {
		return p, err
	}
	rows, err = tx.QueryContext(ctx, `SELECT seq, prev, first, hash, time, station, public_key, signature FROM checkpoints ORDER BY seq`)
	if err != nil {
		return p, err
	}
	defer rows.Close()
	for rows.Next() {
		c := audit.Checkpoint{Store: p.Store}
		var t string
		if err := rows.Scan(&c.Seq, &c.Prev, &c.From, &c.Hash, &t, &c.Station, &c.Key, &c.Signature); err != nil {
			return p, err
		}
		if c.Time, err = parseTime(t); err != nil {
			return p, err
		}
		p.Checkpoints = append(p.Checkpoints, c)
	}
	return p, rows.Err()
}
