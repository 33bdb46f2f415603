package signature

import (
	"slices"
	"time"
)

// Hearing is which changes of other stations a station needs to hear:
// every change (All), or the changes of the requests of the sessions
// whose SessionKey is in Sessions (sorted, each once). The zero Hearing
// hears nothing.
type Hearing struct {
	All      bool
	Sessions []string
}

// Equal says whether h and o hear the same changes.
func (h Hearing) Equal(o Hearing) bool {
	if h.All || o.All {
		return h.All == o.All
	}
	return slices.Equal(h.Sessions, o.Sessions)
}

// A Hearer is a Watcher that can be told what its station hears, so that
// another station's change nobody here hears of is not even sent here:
// with 200 stations on one database, every station woken for every
// signature is 200 wakeups a signature (the PostgreSQL store: a LISTEN
// channel per session key). Until told, a Hearer reports every change;
// it may report more than it is told (Watch filters again).
type Hearer interface {
	// Hear has the store's running and later Watch calls listen for h
	// from now on, instead of what they were told before. The channel
	// returned is closed once every running Watch listens for h: a
	// change committed after that is reported.
	Hear(h Hearing) <-chan struct{}
}

// hearWait bounds how long a new subscriber waits for the store's Watch
// to listen for its session (one round trip, unless the database is
// away: then the Watch reads what it missed once it is back).
const hearWait = 5 * time.Second

// hearing is what this station hears (see hears): every change while a
// subscriber hears every session or a slot's failed attempts are
// counted (rare: the count ends with the slot), else the sessions of its
// subscribers. Call with e.mu held.
func (e *Engine) hearing() Hearing {
	if e.listeners[""] > 0 || len(e.failures) > 0 {
		return Hearing{All: true}
	}
	h := Hearing{Sessions: make([]string, 0, len(e.listeners))}
	for k := range e.listeners {
		h.Sessions = append(h.Sessions, k)
	}
	slices.Sort(h.Sessions)
	return h
}

// retune tells the store what this station hears now, when it changed
// and the store is a Hearer; with wait, it returns once the store's Watch
// listens for it (a new subscriber: what is committed after Subscribe
// returns is heard), or after hearWait. Never call it with wait on
// Watch's own goroutine: that goroutine is what listens.
func (e *Engine) retune(wait bool) {
	h, ok := e.o.Store.(Hearer)
	if !ok {
		return
	}
	// tuneMu orders the calls of Hear as the hearings were read: the
	// store ends up told the latest. It is not held while waiting.
	e.tuneMu.Lock()
	e.mu.Lock()
	want := e.hearing()
	e.mu.Unlock()
	if e.told != nil && e.told.Equal(want) {
		e.tuneMu.Unlock()
		return
	}
	e.told = &want
	listened := h.Hear(want)
	e.tuneMu.Unlock()
	if !wait {
		return
	}
	t := time.NewTimer(hearWait)
	defer t.Stop()
	select {
	case <-listened:
	case <-t.C:
		e.o.Log.Warn("the signature store did not listen for a new subscriber's session in time; a change meanwhile may reach its page only when read again")
	}
}
