package postgres

import (
	"context"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5"
	"loginshell/internal/signature"
)

// ears is what the Watch calls of a store handle listen for (Hear), and
// how far each has got. PostgreSQL wakes every connection that listens
// in the database for every notice, whatever its channel, but sends the
// notice only to those listening on its channel, and wakes none that
// listens on nothing: a station listens only on the channels of the
// sessions its pages hear, so a signature is sent to the stations whose
// pages wait for it, and a station whose pages hear nothing is not woken
// at all.
type ears struct {
	mu   sync.Mutex
	want signature.Hearing
	gen  int // bumped by each Hear that changes want
	// running are the Watch calls' listening connections, each with what
	// it has listened for.
	running map[*ear]struct{}
	// settled is closed when every running connection listens for gen.
	settled chan struct{}
}

// ear is one listening connection of a Watch.
type ear struct {
	wake chan struct{} // Hear changed what to listen for
	gen  int           // what it listens for; -1 until it listens
}

func newEars() *ears {
	closed := make(chan struct{})
	close(closed)
	return &ears{want: signature.Hearing{All: true}, running: map[*ear]struct{}{}, settled: closed}
}

// Hear has the handle's Watch calls listen for h from now on (a handle
// not told hears every change); the channel is closed once every
// listening connection does (signature.Hearer). A connection that is
// not listening yet (the database away) reads what it missed when it
// does.
func (s *Store) Hear(h signature.Hearing) <-chan struct{} {
	e := s.ears
	e.mu.Lock()
	defer e.mu.Unlock()
	if h.Equal(e.want) {
		return e.settled
	}
	e.want = h
	e.gen++
	e.settled = make(chan struct{})
	for r := range e.running {
		select {
		case r.wake <- struct{}{}:
		default: // woken already
		}
	}
	e.settle()
	return e.settled
}

// settle closes settled when no running connection is behind. Call
// with e.mu held.
func (e *ears) settle() {
	for r := range e.running {
		if r.gen < e.gen {
			return
		}
	}
	select {
	case <-e.settled:
	default:
		close(e.settled)
	}
}

// join registers a listening connection; leave ends it.
func (e *ears) join() *ear {
	e.mu.Lock()
	defer e.mu.Unlock()
	r := &ear{wake: make(chan struct{}, 1), gen: -1}
	e.running[r] = struct{}{}
	return r
}

func (e *ears) leave(r *ear) {
	e.mu.Lock()
	defer e.mu.Unlock()
	delete(e.running, r)
	e.settle()
}

// current is what to listen for now, and its generation.
func (e *ears) current() (signature.Hearing, int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.want, e.gen
}

// listened records that r listens for gen.
func (e *ears) listened(r *ear, gen int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	r.gen = gen
	if gen == e.gen {
		e.settle()
	}
}

// channels are the LISTEN channels of h: channel itself for every
// change, else one per session key.
func channels(h signature.Hearing) map[string]bool {
	if h.All {
		return map[string]bool{channel: true}
	}
	c := make(map[string]bool, len(h.Sessions))
	for _, k := range h.Sessions {
		c[sessionChannel(k)] = true
	}
	return c
}

// sessionChannel is the channel of the changes to the requests of the
// sessions whose signature.SessionKey is key. A key is 16 hex digits, so
// the name stays within PostgreSQL's 63 bytes and needs no quoting.
func sessionChannel(key string) string { return channel + "_" + key }

// tune has conn listen on exactly the channels of what r is to listen
// for, given those it listens on (updated), in one round trip.
func (s *Store) tune(ctx context.Context, conn *pgx.Conn, r *ear, on map[string]bool) error {
	h, gen := s.ears.current()
	want := channels(h)
	var sql []string
	for c := range on {
		if !want[c] {
			sql = append(sql, "UNLISTEN "+pgx.Identifier{c}.Sanitize())
		}
	}
	for c := range want {
		if !on[c] {
			sql = append(sql, "LISTEN "+pgx.Identifier{c}.Sanitize())
		}
	}
	if len(sql) > 0 {
		// Several statements: the simple protocol, one round trip.
		if err := conn.PgConn().Exec(ctx, strings.Join(sql, "; ")).Close(); err != nil {
			return err
		}
	}
	clear(on)
	for c := range want {
		on[c] = true
	}
	s.ears.listened(r, gen)
	return nil
}
