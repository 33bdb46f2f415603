package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
)

// write runs fn in a READ COMMITTED transaction and commits it when fn
// returns nil; an error or a panic rolls it back. Every change locks the
// rows it decides on (see sign.go and audit.go) instead of relying on a
// stronger isolation level, so nothing has to be retried. fn may send
// its last statements with their COMMIT (writeTx.finish).
func (s *Store) write(ctx context.Context, op string, fn func(tx *writeTx) error) error {
	return s.fail(op, s.retrying(ctx, false, func(started *bool) error {
		conn, err := s.pool.Acquire(ctx)
		if err != nil {
			return err
		}
		// A connection left inside a transaction (a panic in fn) is
		// closed by the pool, which ends the transaction.
		defer conn.Release()
		tx, err := conn.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
		if err != nil {
			return err
		}
		*started = true
		w := &writeTx{Tx: tx}
		if err := fn(w); err != nil {
			if !w.committed {
				_ = tx.Rollback(context.WithoutCancel(ctx))
			}
			return err
		}
		if w.committed {
			return nil
		}
		return tx.Commit(ctx)
	}))
}

// commit is the statement finish ends a transaction with.
const commit = "COMMIT"

// prepare has the connection prepare each of sqls, once in its life (a
// statement prepared already costs nothing): what a statement's first use
// on a connection costs (a round trip to prepare it) is then paid here,
// not where its transaction holds a lock others wait for.
func (w *writeTx) prepare(ctx context.Context, sqls ...string) error {
	for _, q := range sqls {
		if _, err := w.Conn().Prepare(ctx, q, q); err != nil {
			return err
		}
	}
	return nil
}

// errNotCommitted: finish's COMMIT left the connection in a transaction.
var errNotCommitted = errors.New("the transaction did not commit")

// writeTx is write's transaction.
type writeTx struct {
	pgx.Tx
	committed bool
}

// finish sends b's statements and the transaction's COMMIT in one round
// trip: the locks the transaction holds (the audit chain's head, which
// every audited change of every station waits for) are released a round
// trip sooner than by a COMMIT of its own. Nothing may follow it in the
// transaction. When a statement of b fails, PostgreSQL skips the rest,
// the COMMIT too, and write rolls the transaction back.
func (w *writeTx) finish(ctx context.Context, b *pgx.Batch) error {
	b.Queue(commit)
	if err := w.SendBatch(ctx, b).Close(); err != nil {
		return err
	}
	// A COMMIT of a transaction that failed answers ROLLBACK: every
	// error of b was returned above, so this one committed, unless the
	// connection says otherwise.
	w.committed = w.Conn().PgConn().TxStatus() == 'I'
	if !w.committed {
		return errNotCommitted
	}
	return nil
}
