package signature

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
)

// notice is one change another station committed: a slot of the request
// and the state the change left it in.
type notice struct {
	slot  uuid.UUID
	state State
}

// watchingStore is a Backend whose Watch reports the notices sent on
// changes, as another station's commits.
type watchingStore struct {
	Backend
	changes chan notice
}

func (w watchingStore) Watch(ctx context.Context, changed func(uuid.UUID, State)) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case n := <-w.changes:
			changed(n.slot, n.state)
		}
	}
}

func TestWatchPublishesChangesFromOtherStations(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	now := time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)
	r := Request{ID: uuid.New(), Template: "T", Name: "batch-1", State: Approved, Session: "s-1", QueuedAt: now,
		Slots: []Slot{{ID: uuid.New(), Clause: "{role:A}", State: Approved,
			Signature: &Signature{Signer: Signer{UserID: "bob", PrintedName: "Bob"}, Approve: true, Meaning: "Approval", SignedAt: now}}}}
	r.Slots[0].Request = r.ID
	w := watchingStore{Backend: &slotStore{r: r}, changes: make(chan notice)}
	e := &Engine{o: Options{Store: w, Now: func() time.Time { return now }, Log: slog.New(slog.DiscardHandler)}, outcomes: newOutcomes(slog.New(slog.DiscardHandler))}
	outcomes, cancel := e.Subscribe("s-1")
	defer cancel()
	wctx, stop := context.WithCancel(ctx)
	defer stop()
	go e.Watch(wctx)
	// A notice read late: the slot's own change left the request pending,
	// a later one approved it. This notice says "signed", never "approve":
	// the later change's notice (or its station's Answer) says that.
	w.changes <- notice{r.Slots[0].ID, Pending}
	if o := <-outcomes; o.Kind != OutcomeSigned {
		t.Errorf("a notice of a change that left the request pending published %+v, want signed", o)
	}
	w.changes <- notice{r.Slots[0].ID, Approved}
	select {
	case o := <-outcomes:
		if o.Kind != OutcomeApprove || o.Request != r.ID || o.UserID != "bob" || !o.Approved {
			t.Errorf("outcome %+v, want bob's approval of %s", o, r.ID)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no outcome published")
	}
	select {
	case o := <-outcomes:
		t.Errorf("a second outcome: %+v", o)
	case <-time.After(50 * time.Millisecond):
	}
}

// slotStore answers Slot with one request, after failing the first
// fail calls as a database that went away does.
type slotStore struct {
	Backend
	r    Request
	fail atomic.Int32
}

func (s *slotStore) Slot(_ context.Context, id uuid.UUID) (Slot, Request, error) {
	if s.fail.Add(-1) >= 0 {
		return Slot{}, Request{}, errors.New("the signature database is unavailable")
	}
	for _, sl := range s.r.Slots {
		if sl.ID == id {
			return sl, s.r, nil
		}
	}
	return Slot{}, Request{}, ErrNoSlot
}

// TestWatchReadsAgainWhenTheDatabaseIsAway: the change's slot cannot be
// read when the notice arrives (the database went away a moment after the
// commit); the page still hears of it once a read succeeds, once.
func TestWatchReadsAgainWhenTheDatabaseIsAway(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)
	r := Request{ID: uuid.New(), Template: "T", Name: "batch-2", State: Approved, Session: "s-1", QueuedAt: now,
		Slots: []Slot{{ID: uuid.New(), Clause: "{role:A}", State: Approved,
			Signature: &Signature{Signer: Signer{UserID: "bob", PrintedName: "Bob"}, Approve: true, SignedAt: now}}}}
	st := &slotStore{r: r}
	st.fail.Store(2)
	w := watchingStore{Backend: st, changes: make(chan notice)}
	e := &Engine{o: Options{Store: w, Now: func() time.Time { return now }, Log: slog.New(slog.DiscardHandler)}, outcomes: newOutcomes(slog.New(slog.DiscardHandler))}
	outcomes, cancel := e.Subscribe("s-1")
	defer cancel()
	wctx, stop := context.WithCancel(context.Background())
	defer stop()
	go e.Watch(wctx)
	w.changes <- notice{r.Slots[0].ID, Approved}
	select {
	case o := <-outcomes:
		if o.Kind != OutcomeApprove || o.UserID != "bob" {
			t.Errorf("outcome %+v, want bob's approval", o)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the change was lost: no outcome after the database came back")
	}
	select {
	case o := <-outcomes:
		t.Errorf("a second outcome: %+v", o)
	case <-time.After(50 * time.Millisecond):
	}
}
