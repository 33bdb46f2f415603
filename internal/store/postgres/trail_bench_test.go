package postgres

import (
	"context"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5"
	"loginshell/internal/audit"
	"loginshell/internal/signature"
	"loginshell/internal/store/storetest"
)

// BuildTrail writes requests requests of storetest.TrailFixture, and their
// trail, into the new database dsn names: ten entries each, in the
// engine's nine transactions, each with its checkpoint, signed by one of
// stations stations in turn. The entries are sealed and the checkpoints
// signed as the store does (audit.Seal, audit.SignCheckpoint) and the
// schema's triggers check every row, but a thousand requests go in one
// transaction, sent in one batch: a fixture of a million entries is built
// in minutes.
func BuildTrail(tb testing.TB, dsn string, requests, stations int) {
	tb.Helper()
	ctx := context.Background()
	s, err := Open(ctx, dsn)
	if err != nil {
		tb.Fatal(err)
	}
	defer s.Close()
	signer := &storetest.Stations{}
	var head *audit.Entry
	var checkpoint int64
	newest := map[string]*audit.Checkpoint{} // each station's, which its next links to
	const batch = 1000
	for start := 0; start < requests; start += batch {
		err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
			for i := start; i < min(requests, start+batch); i++ {
				signer.As = fmt.Sprintf("ST-%d", i%stations+1)
				r, txs := storetest.TrailFixture(i, signer.As)
				if err := insertRequests(ctx, tx, []signature.Request{r}); err != nil {
					return err
				}
				b := &pgx.Batch{}
				for _, es := range txs {
					var from int64
					for _, e := range es {
						e = audit.Seal(head, e)
						if from == 0 {
							from = e.Seq
						}
						b.Queue(`INSERT INTO audit (`+auditColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)`,
							e.Seq, e.Time, e.Offset, e.Station, e.Event, e.Request, e.RequestName, e.Slot, e.Template, e.UserID,
							e.PrintedName, e.Meaning, e.Approve, e.Comment, e.Detail, e.Prev, e.Hash, e.IdP, e.Actor, e.Content)
						head = &e
					}
					mine := newest[signer.As]
					c := signer.Sign(audit.Checkpoint{Store: s.id, Prev: checkpoint, From: from, Seq: head.Seq, Hash: head.Hash, Link: audit.NextLink(mine, mine)})
					newest[signer.As] = &c
					b.Queue(`INSERT INTO station_keys (station, public_key, registered) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, c.Station, c.Key, c.Time)
					b.Queue(`INSERT INTO checkpoints (seq, prev, first, hash, time, station, public_key, signature, link) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
						c.Seq, c.Prev, c.From, c.Hash, c.Time, c.Station, c.Key, c.Signature, c.Link)
					checkpoint = c.Seq
				}
				if err := tx.SendBatch(ctx, b).Close(); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			tb.Fatal(err)
		}
	}
	if _, err := s.pool.Exec(ctx, `ANALYZE`); err != nil {
		tb.Fatal(err)
	}
}
