package signature

import (
	"log/slog"
	"sync"

	"loginshell/internal/pubsub"
)

// outcomeBuffer is how many outcomes a subscriber may leave unread
// before it loses new ones: far more than one page's requests end at once.
const outcomeBuffer = 64

// newOutcomes returns the fan-out of outcomes to subscribers, logging
// every outcome a subscriber loses.
func newOutcomes(log *slog.Logger) *pubsub.Hub[Outcome] {
	return pubsub.Queue(outcomeBuffer, func(o Outcome) {
		log.Warn("an outcome was dropped for a subscriber that does not read", "request", o.Request)
	})
}

// Subscribe returns the outcomes of session's requests ("" for every
// session) from now on: on a store that other stations share, it returns
// once the store listens for the session's changes (Hearer; one round
// trip, or at most hearWait). The publisher never waits for a reader: one that
// leaves outcomeBuffer (64) outcomes unread keeps those and loses every
// outcome published until it reads again, each loss logged as a warning
// (pubsub.Queue). Call cancel to stop.
func (e *Engine) Subscribe(session string) (<-chan Outcome, func()) {
	return e.SubscribeFor(session, Plant)
}

// SubscribeFor is Subscribe for the pages of package pkg: only the
// outcomes of its own requests and of the challenges its pages triggered
// (Outcome.For), never another package's.
func (e *Engine) SubscribeFor(session, pkg string) (<-chan Outcome, func()) {
	key := ""
	if session != "" {
		key = SessionKey(session)
	}
	e.mu.Lock()
	if e.listeners == nil {
		e.listeners = map[string]int{}
	}
	e.listeners[key]++
	added := e.listeners[key] == 1
	e.mu.Unlock()
	ch, cancel := e.outcomes.SubscribeWhere(func(o Outcome) bool { return (session == "" || o.Session == session) && o.For(pkg) })
	if added {
		// The store's Watch listens for the session before Subscribe
		// returns (a round trip, on a PostgreSQL store).
		e.retune(true)
	}
	var once sync.Once
	return ch, func() {
		once.Do(func() {
			e.mu.Lock()
			removed := false
			if e.listeners[key]--; e.listeners[key] == 0 {
				delete(e.listeners, key)
				removed = true
			}
			e.mu.Unlock()
			if removed {
				e.retune(false)
			}
		})
		cancel()
	}
}

func (e *Engine) publish(o Outcome) { e.outcomes.Publish(o) }
