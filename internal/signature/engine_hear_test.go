package signature

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
)

// hearingStore is a watchingStore that is told what its station hears
// (Hearer): it keeps each Hearing, and the channel it returns is closed
// when the test says the Watch listens.
type hearingStore struct {
	watchingStore
	mu      sync.Mutex
	told    []Hearing
	pending chan struct{} // nil: listened at once
}

func (h *hearingStore) Hear(hr Hearing) <-chan struct{} {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.told = append(h.told, hr)
	if h.pending != nil {
		return h.pending
	}
	done := make(chan struct{})
	close(done)
	return done
}

func (h *hearingStore) last() (Hearing, int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.told) == 0 {
		return Hearing{}, 0
	}
	return h.told[len(h.told)-1], len(h.told)
}

// TestEngineTellsTheStoreWhatItHears: the store is told the session keys
// of the subscribers, every change while one hears every session or a
// failed attempt is counted, and only when that changes; a new
// subscriber's Subscribe returns once the store listens for its session.
func TestEngineTellsTheStoreWhatItHears(t *testing.T) {
	t.Parallel()
	st := &hearingStore{watchingStore: watchingStore{Backend: &slotStore{}, changes: make(chan Change)}}
	e := &Engine{o: Options{Store: st, Log: slog.New(slog.DiscardHandler), AlertAfter: 100},
		failures: map[uuid.UUID]failures{}, outcomes: newOutcomes(slog.New(slog.DiscardHandler))}
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	go e.Watch(ctx)

	keys := func(sessions ...string) Hearing {
		h := Hearing{Sessions: []string{}}
		for _, s := range sessions {
			h.Sessions = append(h.Sessions, SessionKey(s))
		}
		slices.Sort(h.Sessions)
		return h
	}
	want := func(step string, h Hearing) {
		t.Helper()
		if got, _ := st.last(); !got.Equal(h) {
			t.Errorf("%s: the store was told %+v, want %+v", step, got, h)
		}
	}

	_, c1 := e.Subscribe("s-1")
	want("a subscriber of s-1", keys("s-1"))
	_, c2 := e.Subscribe("s-2")
	want("and one of s-2", keys("s-1", "s-2"))
	_, c1b := e.Subscribe("s-1")
	_, n := st.last()
	c1b()
	if _, m := st.last(); m != n {
		t.Errorf("a second subscriber of s-1 came and went: the store was told %d times more, want none", m-n)
	}
	_, all := e.Subscribe("")
	want("a subscriber of every session", Hearing{All: true})
	all()
	want("that one gone", keys("s-1", "s-2"))

	e.misuse(context.Background(), Challenge{Slot: uuid.New(), Request: uuid.New()}, Template{}, Signer{UserID: "x"}, nil)
	want("a failed attempt counted", Hearing{All: true})
	for slot := range e.failures {
		e.forgetFailures(slot)
	}
	want("its count ended", keys("s-1", "s-2"))
	c1()
	c2()
	want("no subscriber", keys())

	// Subscribe waits until the store listens.
	st.mu.Lock()
	st.pending = make(chan struct{})
	st.mu.Unlock()
	returned := make(chan func())
	go func() { _, c := e.Subscribe("s-3"); returned <- c }()
	select {
	case <-returned:
		t.Fatal("Subscribe returned before the store listened for its session")
	case <-time.After(100 * time.Millisecond):
	}
	close(st.pending)
	(<-returned)()
}
