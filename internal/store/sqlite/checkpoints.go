package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"iter"
	"strconv"

	"loginshell/internal/audit"
	"loginshell/internal/signature"
)

// newestCheckpointQuery reads the newest checkpoint's Seq (0 for none).
const newestCheckpointQuery = `SELECT coalesce(max(seq), 0) FROM checkpoints`

// newestOfKeyQuery reads the newest checkpoint of a key (index
// checkpoints_key), which the next one links to.
var newestOfKeyQuery = `SELECT ` + checkpointColumns + ` FROM checkpoints c WHERE c.public_key = ? ORDER BY c.seq DESC LIMIT 1`

// checkpoint signs and stores the checkpoint of the entries sealed in
// this transaction (not empty), with the station's key: the key once
// (its first checkpoint registers it), the checkpoint always. Prev is
// the newest checkpoint stored, read here under the write lock, so the
// checkpoints of every process on the file form one chain.
func (s *Store) checkpoint(ctx context.Context, tx *sql.Tx, sealed []audit.Entry) (*audit.Checkpoint, error) {
	var prev int64
	if err := tx.QueryRowContext(ctx, newestCheckpointQuery).Scan(&prev); err != nil {
		return nil, fmt.Errorf("read the newest checkpoint: %w", err)
	}
	head := sealed[len(sealed)-1]
	link, err := s.link(ctx, tx)
	if err != nil {
		return nil, err
	}
	c := s.cp.Sign(audit.Checkpoint{Store: s.id, Prev: prev, From: sealed[0].Seq, Seq: head.Seq, Hash: head.Hash, Link: link})
	if _, err := tx.ExecContext(ctx, `INSERT INTO station_keys (station, public_key, registered) VALUES (?, ?, ?)
ON CONFLICT (station, public_key) DO NOTHING`, c.Station, c.Key, timeText(c.Time)); err != nil {
		return nil, fmt.Errorf("register the station's key: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO checkpoints (seq, prev, first, hash, time, station, public_key, signature, link)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, c.Seq, c.Prev, c.From, c.Hash, timeText(c.Time), c.Station, c.Key, c.Signature, c.Link); err != nil {
		return nil, fmt.Errorf("store the checkpoint of entries %d-%d: %w", c.From, c.Seq, err)
	}
	return &c, nil
}

// link is the Link of the checkpoint this transaction signs: to the
// newest checkpoint of the station's key (audit.NextLink), read under
// the write lock, so the checkpoints of every process using the key form
// one chain.
func (s *Store) link(ctx context.Context, tx *sql.Tx) (string, error) {
	rows, err := tx.QueryContext(ctx, newestOfKeyQuery, s.cp.PublicKey())
	if err != nil {
		return "", fmt.Errorf("read the station's newest checkpoint: %w", err)
	}
	defer rows.Close()
	var prev *audit.Checkpoint
	if rows.Next() {
		if prev, err = scanCheckpoint(rows, s.id); err != nil {
			return "", fmt.Errorf("read the station's newest checkpoint: %w", err)
		}
	}
	if err := rows.Err(); err != nil {
		return "", fmt.Errorf("read the station's newest checkpoint: %w", err)
	}
	return audit.NextLink(prev, s.mine.Load()), nil
}

// committed tells the Checkpointer that cp (nil for none) is committed.
func (s *Store) committed(cp *audit.Checkpoint) {
	if cp != nil {
		s.mine.Store(cp)
		s.cp.Committed(*cp)
	}
}

// AuditTrail reads the trail for audit.CheckTrail and exports: in one
// read transaction (one snapshot, so every checkpoint read belongs to an
// entry read, and every entry read has its checkpoint) it calls fn with
// the store's identity, the stations' keys, and the rows: each entry with
// the checkpoint that ends at it, then the checkpoints no entry has. The
// rows can be ranged over once, and only while fn runs; fn must not write
// to the store. fn's error is returned as it is.
func (s *Store) AuditTrail(ctx context.Context, fn func(audit.Trail) error) error {
	return s.AuditRecords(ctx, func(_ iter.Seq2[signature.Request, error], t audit.Trail) error { return fn(t) })
}

// trailMmap is how much of the file AuditRecords maps: no more than the
// file is mapped, and SQLite's own limit (2 GiB) applies.
const trailMmap = 1 << 40

// AuditRecords is AuditTrail with the requests the trail recorded, what
// `audit verify` compares with it (signature.Records): fn also gets every
// request the store holds, in any state, in the order they were stored,
// each with its slots and signatures, from the same snapshot as the
// trail. Each can be ranged over once, the requests before the rows, and
// only while fn runs; both stream, so neither the trail nor the requests
// are held in memory.
func (s *Store) AuditRecords(ctx context.Context, fn func(requests iter.Seq2[signature.Request, error], t audit.Trail) error) error {
	var fnErr error
	err := s.read(ctx, "audit trail", func(tx *sql.Tx) error {
		// The whole file is read once: mapped, SQLite reads its pages
		// without a system call and a copy each (a million entries are a
		// gigabyte). Only for this read: the connection maps nothing
		// once it is back in the pool.
		if _, err := tx.ExecContext(ctx, `PRAGMA mmap_size = `+strconv.Itoa(trailMmap)); err != nil {
			return err
		}
		defer tx.ExecContext(context.WithoutCancel(ctx), `PRAGMA mmap_size = 0`)
		t, err := readKeys(ctx, tx)
		if err != nil {
			return err
		}
		requests := func(yield func(signature.Request, error) bool) {
			stopped := false
			err := eachRequestPaged(ctx, tx, func(r signature.Request) bool {
				stopped = !yield(r, nil)
				return !stopped
			})
			if err != nil && !stopped {
				yield(signature.Request{}, err)
			}
		}
		t.Rows = func(yield func(audit.Row, error) bool) { trailRows(ctx, tx, t.Store, yield) }
		fnErr = fn(requests, t)
		return fnErr
	})
	if fnErr != nil {
		return fnErr
	}
	return err
}

// readKeys reads the store's identity and the stations' keys.
func readKeys(ctx context.Context, tx *sql.Tx) (audit.Trail, error) {
	t := audit.Trail{Keys: []audit.StationKey{}}
	if err := tx.QueryRowContext(ctx, `SELECT uuid FROM store_identity WHERE id = 1`).Scan(&t.Store); err != nil {
		return t, fmt.Errorf("read the store's identity: %w", err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT station, public_key, registered FROM station_keys ORDER BY station, registered, public_key`)
	if err != nil {
		return t, err
	}
	defer rows.Close()
	for rows.Next() {
		var k audit.StationKey
		var r string
		if err := rows.Scan(&k.Station, &k.Key, &r); err != nil {
			return t, err
		}
		if k.Registered, err = parseTime(r); err != nil {
			return t, err
		}
		t.Keys = append(t.Keys, k)
	}
	return t, rows.Err()
}

// scanCheckpoint reads a row of checkpointColumns.
func scanCheckpoint(rows *sql.Rows, store string) (*audit.Checkpoint, error) {
	var c audit.Checkpoint
	if err := scanCheckpointInto(rows, &c, store); err != nil {
		return nil, err
	}
	return &c, nil
}
