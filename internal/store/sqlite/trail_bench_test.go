package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"testing"

	"loginshell/internal/audit"
	"loginshell/internal/signature"
	"loginshell/internal/store/storetest"
)

// BuildTrail writes requests requests of storetest.TrailFixture, and their
// trail, into a new store at path: ten entries each, in the engine's nine
// transactions, each with its checkpoint, signed by one of stations
// stations in turn. The entries are sealed and the checkpoints signed as
// the store does (audit.Seal, audit.SignCheckpoint) and the schema's
// triggers check every row, but a thousand requests go in one
// transaction with statements prepared once: a fixture of a million
// entries is built in minutes, not the hours the engine's own
// transactions would take.
func BuildTrail(tb testing.TB, path string, requests, stations int) {
	tb.Helper()
	s, err := Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	id := s.id
	if err := s.Close(); err != nil {
		tb.Fatal(err)
	}
	db, err := sql.Open("sqlite", dsn(path, url.Values{"_pragma": {"foreign_keys(1)", "journal_mode(WAL)", "synchronous(OFF)"}}))
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	ctx := context.Background()
	signer := &storetest.Stations{}
	var head *audit.Entry
	var checkpoint int64
	newest := map[string]*audit.Checkpoint{} // each station's, which its next links to
	const batch = 1000
	for start := 0; start < requests; start += batch {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			tb.Fatal(err)
		}
		insEntry, err := tx.PrepareContext(ctx, `INSERT INTO audit (`+auditColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			tb.Fatal(err)
		}
		insKey, err := tx.PrepareContext(ctx, `INSERT INTO station_keys (station, public_key, registered) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`)
		if err != nil {
			tb.Fatal(err)
		}
		insCheckpoint, err := tx.PrepareContext(ctx, `INSERT INTO checkpoints (seq, prev, first, hash, time, station, public_key, signature, link) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			tb.Fatal(err)
		}
		for i := start; i < min(requests, start+batch); i++ {
			signer.As = fmt.Sprintf("ST-%d", i%stations+1)
			r, txs := storetest.TrailFixture(i, signer.As)
			if err := insertRequests(ctx, tx, []signature.Request{r}); err != nil {
				tb.Fatal(err)
			}
			for _, es := range txs {
				var from int64
				for _, e := range es {
					e = audit.Seal(head, e)
					if from == 0 {
						from = e.Seq
					}
					var approve sql.NullInt64
					if e.Approve != nil {
						approve = sql.NullInt64{Int64: int64(boolInt(*e.Approve)), Valid: true}
					}
					if _, err := insEntry.ExecContext(ctx, e.Seq, timeText(e.Time), e.Offset, e.Station, e.Event, e.Request,
						e.RequestName, e.Slot, e.Template, e.UserID, e.PrintedName, e.Meaning, approve, e.Comment,
						e.Detail, e.Prev, e.Hash, e.IdP, e.Actor, e.Content); err != nil {
						tb.Fatal(err)
					}
					head = &e
				}
				mine := newest[signer.As]
				c := signer.Sign(audit.Checkpoint{Store: id, Prev: checkpoint, From: from, Seq: head.Seq, Hash: head.Hash, Link: audit.NextLink(mine, mine)})
				newest[signer.As] = &c
				if _, err := insKey.ExecContext(ctx, c.Station, c.Key, timeText(c.Time)); err != nil {
					tb.Fatal(err)
				}
				if _, err := insCheckpoint.ExecContext(ctx, c.Seq, c.Prev, c.From, c.Hash, timeText(c.Time), c.Station, c.Key, c.Signature, c.Link); err != nil {
					tb.Fatal(err)
				}
				checkpoint = c.Seq
			}
		}
		if err := tx.Commit(); err != nil {
			tb.Fatal(err)
		}
	}
}
