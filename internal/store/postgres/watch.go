package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"loginshell/internal/signature"
)

// channel is the LISTEN/NOTIFY channel of committed signatures and
// cancels. A payload is "<seq> <slot UUID> <origin> <state>": the change's
// number in the changes log, a slot of the request that changed, the
// handle that changed it, and the state that change left the request in
// (a notice read late must not report what a later change did). The
// origin field goes on with "/<request UUID>/<session key>" (the request
// and signature.SessionKey of its session), so a station tells whose
// change it is without reading it; a station of an older version takes
// the whole field for an origin not its own, as it took every other, and
// a notice without them (from such a station) is read in full. Each
// notice also goes on the channel of its request's session
// (sessionChannel), which is all a station listens on while its pages
// hear only their own sessions (Hear). A station of an older version
// notifies this channel only: while a plant upgrades, a station of this
// version hears those changes only while it hears every change; its
// pages see them when they read the request again.
const channel = "loginshell_requests"

// keptChanges is how many of the latest changes the changes log keeps for
// stations that could not listen for a while: a day of a busy plant.
const keptChanges = 10000

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

// change is one entry of the changes log.
type change struct {
	seq    int64
	origin string
	signature.Change
}

// notify queues into b the statement that records in the changes log
// that request r changed, naming slot, and tells every station watching
// the store; PostgreSQL delivers the notice when (and only if) the
// transaction commits. Queue it last in the transaction's last batch: it
// locks the log's head until the commit, which is what numbers changes
// in commit order. One statement, numbering, logging, pruning and
// notifying, so it goes to the database in the batch that appends the
// change's audit entries: no round trip more while the chain's head is
// locked. The notice goes on channel, for the stations that hear every
// change (and those of older versions), and on the channel of r's
// session (sessionChannel), for the stations whose pages hear that
// session (Hear): one commit, so PostgreSQL wakes each listening
// connection once for both.
func (s *Store) notify(b *pgx.Batch, slot uuid.UUID, r signature.Request) {
	key := signature.SessionKey(r.Session)
	origin := fmt.Sprintf("%s/%s/%s", s.origin, r.ID, key)
	b.Queue(notifyChange, slot, origin, string(r.State), keptChanges, channel, fmt.Sprintf("%s %s %s", slot, origin, r.State), sessionChannel(key))
}

// notifyChange is notify's statement.
const notifyChange = `WITH head AS (UPDATE changes_head SET seq = seq + 1 WHERE id = 1 RETURNING seq),
	logged AS (INSERT INTO changes (seq, slot, origin, state) SELECT seq, $1, $2, $3 FROM head RETURNING seq),
	pruned AS (DELETE FROM changes WHERE seq <= (SELECT seq FROM head) - $4)
SELECT pg_notify($5, seq::text || ' ' || $6), pg_notify($7, seq::text || ' ' || $6) FROM logged`

// Watch calls changed with a slot of each request that another handle —
// another station, the MES server's CLI — signed or cancelled, soon after
// the change committed, until ctx ends or the store is closed; it returns
// then. Changes made through this handle are not reported: their caller
// knows. Each change is reported once, in commit order. It listens on a
// connection of its own, and when the database goes away it listens
// again once it is back (pausing up to 10 s between tries) and first
// reports, from the changes log, what was committed while it could not
// listen: the last 10,000 changes are kept for that (a station away for
// longer misses the older ones; its pages' requests stay pending). Changes committed
// before Watch first listened are not reported. Once told what the
// station hears (Hear), it listens only for that, and reports the changes
// of other sessions only when it read them from the log (the caller
// filters them). changed runs on Watch's goroutine and must not block for
// long.
func (s *Store) Watch(ctx context.Context, changed func(signature.Change)) error {
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
	pause := s.retryMin
	// The last change reported: the log's head now, so what is committed
	// from here on is reported even if the first listening connection dies
	// before it could read the head itself; -1 when the database does not
	// answer yet (the first connection that listens reads it then).
	last := int64(-1)
	if err := s.pool.QueryRow(ctx, `SELECT seq FROM changes_head WHERE id = 1`).Scan(&last); err != nil {
		last = -1
	}
	for ctx.Err() == nil {
		listened, err := s.listen(ctx, &last, changed)
		if ctx.Err() != nil {
			break
		}
		if listened {
			pause = s.retryMin
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
// says whether it got as far as listening. *last is the number of the
// last change reported: on the first connection (-1) it becomes the log's
// head once listening, so history is not reported; on a later one, what
// the log holds after it is reported first. A notice of a change already
// reported that way is skipped.
func (s *Store) listen(ctx context.Context, last *int64, changed func(signature.Change)) (listened bool, err error) {
	cc := s.cfg.ConnConfig.Copy()
	// Named so a DBA (and the tests) can tell it in pg_stat_activity.
	cc.RuntimeParams["application_name"] += " watch"
	conn, err := pgx.ConnectConfig(ctx, cc)
	if err != nil {
		return false, err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	// Joined once connected: Hear waits for this connection to listen
	// for what it is told, not for a database that does not answer.
	r := s.ears.join()
	defer s.ears.leave(r)
	on := map[string]bool{} // the channels conn listens on
	if err := s.tune(ctx, conn, r, on); err != nil {
		return false, err
	}
	if s.afterListen != nil {
		s.afterListen()
	}
	// Listening now: every change committed from here on is noticed, so
	// reading the log after LISTEN misses nothing in between.
	if *last < 0 {
		if err := conn.QueryRow(ctx, `SELECT seq FROM changes_head WHERE id = 1`).Scan(last); err != nil {
			return true, err
		}
	} else {
		missed, err := s.changesAfter(ctx, conn, *last)
		if err != nil {
			return true, err
		}
		for _, c := range missed {
			*last = c.seq
			if c.origin != s.origin {
				changed(c.Change)
			}
		}
	}
	for {
		// The wait ends on a notice, or when Hear changes what to
		// listen for: conn then listens for that, and waits again.
		wait, retune := context.WithCancel(ctx)
		go func() {
			select {
			case <-r.wake:
				retune()
			case <-wait.Done():
			}
		}()
		err := s.notices(wait, conn, last, changed)
		woken := wait.Err() != nil // by Hear, or by ctx's end
		retune()
		if ctx.Err() != nil || !woken || conn.IsClosed() {
			return true, err
		}
		if err := s.tune(ctx, conn, r, on); err != nil {
			return true, err
		}
	}
}

// notices reports the notices conn receives until ctx ends or conn
// fails. Notices come in commit order; one of a change already reported
// (read from the log after LISTEN) is skipped.
func (s *Store) notices(ctx context.Context, conn *pgx.Conn, last *int64, changed func(signature.Change)) error {
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		c, ok := parseNotice(n.Payload)
		if !ok || c.seq <= *last {
			continue
		}
		*last = c.seq
		if c.origin != s.origin {
			changed(c.Change)
		}
	}
}

// changesAfter reads the changes log after seq, oldest first.
func (s *Store) changesAfter(ctx context.Context, conn *pgx.Conn, seq int64) ([]change, error) {
	rows, err := conn.Query(ctx, `SELECT seq, slot, origin, state FROM changes WHERE seq > $1 ORDER BY seq`, seq)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (change, error) {
		var seq int64
		var slot uuid.UUID
		var origin, state string
		if err := row.Scan(&seq, &slot, &origin, &state); err != nil {
			return change{}, err
		}
		return parseChange(seq, slot, origin, state), nil
	})
}

// parseNotice reads a notice's payload (see channel).
func parseNotice(payload string) (change, bool) {
	f := strings.Fields(payload)
	if len(f) != 4 {
		return change{}, false
	}
	seq, err := strconv.ParseInt(f[0], 10, 64)
	if err != nil {
		return change{}, false
	}
	slot, err := uuid.Parse(f[1])
	if err != nil {
		return change{}, false
	}
	return parseChange(seq, slot, f[2], f[3]), true
}

// parseChange reads a change's origin field: the handle's origin, and
// the request and session key after it when the writer named them.
func parseChange(seq int64, slot uuid.UUID, origin, state string) change {
	c := change{seq: seq, origin: origin, Change: signature.Change{Slot: slot, State: signature.State(state)}}
	f := strings.Split(origin, "/")
	if len(f) != 3 {
		return c
	}
	if id, err := uuid.Parse(f[1]); err == nil && f[2] != "" {
		c.origin, c.Request, c.Session = f[0], id, f[2]
	}
	return c
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
