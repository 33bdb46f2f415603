package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// channel is the LISTEN/NOTIFY channel of committed signatures and
// cancels. A payload is "<slot UUID> <origin>": a slot of the request
// that changed, and the handle that changed it.
const channel = "loginshell_requests"

func newOrigin() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// notify tells every station watching the store that the request of slot
// changed; PostgreSQL delivers it when (and only if) tx commits.
func (s *Store) notify(ctx context.Context, tx pgx.Tx, slot uuid.UUID) error {
	_, err := tx.Exec(ctx, `SELECT pg_notify($1, $2)`, channel, slot.String()+" "+s.origin)
	return err
}

func (s *Store) stopWatching() {}
