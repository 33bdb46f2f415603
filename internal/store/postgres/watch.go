package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"loginshell/internal/signature"
)

// channel is the LISTEN/NOTIFY channel of committed signatures and
// cancels. A payload is "<slot UUID> <origin> <state>": a slot of the
// request that changed, the handle that changed it, and the state that
// change left the request in (a notice read late must not report what a
// later change did).
const channel = "loginshell_requests"

// Pauses between attempts to listen again after the database went away.
const (
	watchRetryMin = 500 * time.Millisecond
	watchRetryMax = 10 * time.Second
)

func newOrigin() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// notify tells every station watching the store that the request of slot
// changed; PostgreSQL delivers it when (and only if) tx commits.
func (s *Store) notify(ctx context.Context, tx pgx.Tx, slot uuid.UUID, state signature.State) error {
	_, err := tx.Exec(ctx, `SELECT pg_notify($1, $2)`, channel, slot.String()+" "+s.origin+" "+string(state))
	return err
}

// Watch calls changed with a slot of each request that another handle —
// another station, the MES server's CLI — signed or cancelled, soon after
// the change committed, until ctx ends or the store is closed; it returns
// then. Changes made through this handle are not reported: their caller
// knows. It listens on a connection of its own, and when the database goes
// away it listens again once it is back (pausing up to 10 s between
// tries); changes committed while it could not listen are NOT replayed —
// a station that must not miss one reads Pending after a reconnect.
// changed runs on Watch's goroutine and must not block for long.
func (s *Store) Watch(ctx context.Context, changed func(slot uuid.UUID, state signature.State)) error {
	ctx, stop := context.WithCancel(ctx)
	s.watchMu.Lock()
	if s.closed {
		s.watchMu.Unlock()
		stop()
		return nil
	}
	s.stops = append(s.stops, stop)
	s.watchMu.Unlock()
	defer stop()
	pause := watchRetryMin
	for ctx.Err() == nil {
		listened, err := s.listen(ctx, changed)
		if ctx.Err() != nil {
			break
		}
		if listened {
			pause = watchRetryMin
		}
		_ = err // the next Pending or Sign reports the database's state
		select {
		case <-ctx.Done():
		case <-time.After(pause):
		}
		pause = min(2*pause, watchRetryMax)
	}
	return nil
}

// listen runs one LISTEN connection until it fails or ctx ends; listened
// says whether it got as far as listening.
func (s *Store) listen(ctx context.Context, changed func(slot uuid.UUID, state signature.State)) (listened bool, err error) {
	conn, err := pgx.ConnectConfig(ctx, s.cfg.ConnConfig.Copy())
	if err != nil {
		return false, err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, `LISTEN `+channel); err != nil {
		return false, err
	}
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return true, err
		}
		f := strings.Fields(n.Payload)
		if len(f) != 3 || f[1] == s.origin {
			continue
		}
		slot, err := uuid.Parse(f[0])
		if err != nil {
			continue
		}
		changed(slot, signature.State(f[2]))
	}
}

// stopWatching ends every Watch of the store (Close).
func (s *Store) stopWatching() {
	s.watchMu.Lock()
	defer s.watchMu.Unlock()
	s.closed = true
	for _, stop := range s.stops {
		stop()
	}
	s.stops = nil
}
