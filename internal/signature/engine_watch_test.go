package signature

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"loginshell/internal/audit"
)

// notice is one change another station committed: a slot of the request
// and the state the change left it in (an older station's notice, which
// does not say whose change it is).
func notice(slot uuid.UUID, state State) Change { return Change{Slot: slot, State: state} }

// watchingStore is a Backend whose Watch reports the notices sent on
// changes, as another station's commits.
type watchingStore struct {
	Backend
	changes chan Change
}

func (w watchingStore) Watch(ctx context.Context, changed func(Change)) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case n := <-w.changes:
			changed(n)
		}
	}
}

func TestWatchPublishesChangesFromOtherStations(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)
	r := Request{ID: uuid.New(), Template: "T", Name: "batch-1", State: Approved, Session: "s-1", QueuedAt: now,
		Slots: []Slot{{ID: uuid.New(), Clause: "{role:A}", State: Approved,
			Signature: &Signature{Signer: Signer{UserID: "bob", PrintedName: "Bob"}, Approve: true, Meaning: "Approval", SignedAt: now}}}}
	r.Slots[0].Request = r.ID
	w := watchingStore{Backend: &slotStore{r: r}, changes: make(chan Change)}
	outcomes := watched(t, w, now)
	// A notice read late: the slot's own change left the request pending,
	// a later one approved it. This notice says "signed", never "approve":
	// the later change's notice (or its station's Answer) says that.
	w.changes <- notice(r.Slots[0].ID, Pending)
	if o := <-outcomes; o.Kind != OutcomeSigned {
		t.Errorf("a notice of a change that left the request pending published %+v, want signed", o)
	}
	w.changes <- notice(r.Slots[0].ID, Approved)
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

// TestAChangeThatSettlesNothingIsNotPublished: a notice, or a request's
// state, that a database administrator wrote without the signatures
// that settle it (the request set approved with its slots pending, or a
// notice that says approved while the request reads pending) gives the
// page no outcome, and the trail an alert naming the request; the
// request settled by its signatures is published as before.
func TestAChangeThatSettlesNothingIsNotPublished(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)
	signed := &Signature{Signer: Signer{UserID: "bob", PrintedName: "Bob"}, Approve: true, Meaning: "Approval", SignedAt: now}
	rejected := &Signature{Signer: Signer{UserID: "bob", PrintedName: "Bob"}, Meaning: "Rejected", SignedAt: now}
	for _, tt := range []struct {
		name   string
		state  State // the request's, as read
		slots  []Slot
		notice State
		want   string // an outcome kind; "" for none, and an alert
	}{
		{"approved by its signatures", Approved, []Slot{{State: Approved, Signature: signed}, {State: Approved, Signature: signed}}, Approved, OutcomeApprove},
		{"rejected by a signature", Rejected, []Slot{{State: Rejected, Signature: rejected}, {State: Cancelled}}, Rejected, OutcomeReject},
		{"cancelled", Cancelled, []Slot{{State: Cancelled}}, Cancelled, OutcomeError},
		{"set approved, its slots pending", Approved, []Slot{{State: Pending}, {State: Pending}}, Approved, ""},
		{"set approved, one slot signed", Approved, []Slot{{State: Approved, Signature: signed}, {State: Pending}}, Approved, ""},
		{"set rejected with no rejection", Rejected, []Slot{{State: Approved, Signature: signed}, {State: Pending}}, Rejected, ""},
		{"a notice of an approval the request does not show", Pending, []Slot{{State: Pending}}, Approved, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := Request{ID: uuid.New(), Template: "T", Name: "batch-1", State: tt.state, Session: "s-1", QueuedAt: now, Slots: tt.slots}
			for i := range r.Slots {
				r.Slots[i].ID, r.Slots[i].Request, r.Slots[i].Index = uuid.New(), r.ID, i
			}
			st := &auditingStore{slotStore: &slotStore{r: r}}
			w := watchingStore{Backend: st, changes: make(chan Change)}
			outcomes := watched(t, w, now)
			w.changes <- notice(r.Slots[0].ID, tt.notice)
			select {
			case o := <-outcomes:
				if o.Kind != tt.want {
					t.Errorf("outcome %+v, want kind %q", o, tt.want)
				}
			case <-time.After(300 * time.Millisecond):
				if tt.want != "" {
					t.Fatalf("no outcome, want %q", tt.want)
				}
			}
			if alerts := st.alerts(); tt.want == "" && (len(alerts) != 1 || alerts[0].Request != r.ID.String() ||
				!strings.Contains(alerts[0].Detail, "but its signatures do not settle it so")) || tt.want != "" && len(alerts) != 0 {
				t.Errorf("alerts %+v", alerts)
			}
		})
	}
}

// auditingStore is a slotStore that keeps what is appended to the trail.
type auditingStore struct {
	*slotStore
	mu      sync.Mutex
	entries []audit.Entry
}

func (s *auditingStore) AppendAudit(_ context.Context, e audit.Entry) (audit.Entry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.entries = append(s.entries, e)
	return e, nil
}

func (s *auditingStore) alerts() []audit.Entry {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.entries)
}

// watched starts an engine over w, watching it until the test ends, and
// returns the outcomes of session s-1.
func watched(t *testing.T, w watchingStore, now time.Time) <-chan Outcome {
	e := &Engine{o: Options{Store: w, Now: func() time.Time { return now }, Log: slog.New(slog.DiscardHandler)}, outcomes: newOutcomes(slog.New(slog.DiscardHandler))}
	outcomes, cancel := e.Subscribe("s-1")
	ctx, stop := context.WithCancel(context.Background())
	t.Cleanup(func() { stop(); cancel() })
	go e.Watch(ctx)
	return outcomes
}

// slotStore answers Slot with one request, after failing the first
// fail calls as a database that went away does.
type slotStore struct {
	Backend
	r     Request
	fail  atomic.Int32
	reads atomic.Int32
}

func (s *slotStore) Slot(_ context.Context, id uuid.UUID) (Slot, Request, error) {
	s.reads.Add(1)
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
	w := watchingStore{Backend: st, changes: make(chan Change)}
	outcomes := watched(t, w, now)
	w.changes <- notice(r.Slots[0].ID, Approved)
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

// TestWatchReadsOnlyWhatThisStationHears: another station's change is read
// (and published) when a page here hears its request's session, or
// every session, or this station counts failed attempts at one of its
// slots, or the notice does not say whose change it is; else it is not
// read at all (200 stations each reading every change is what kept a
// plant of 200 from scaling).
func TestWatchReadsOnlyWhatThisStationHears(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)
	r := Request{ID: uuid.New(), Template: "T", Name: "batch-3", State: Approved, Session: "s-1", QueuedAt: now,
		Slots: []Slot{{ID: uuid.New(), Clause: "{role:A}", State: Approved,
			Signature: &Signature{Signer: Signer{UserID: "bob", PrintedName: "Bob"}, Approve: true, SignedAt: now}}}}
	r.Slots[0].Request = r.ID
	whose := Change{Slot: r.Slots[0].ID, State: Approved, Request: r.ID, Session: SessionKey("s-1")}
	for _, tc := range []struct {
		name      string
		subscribe string // "-" for no subscriber
		failing   bool   // a failed attempt at the slot was counted here
		change    Change
		read      bool
	}{
		{"a page here hears the request's session", "s-1", false, whose, true},
		{"a subscriber here hears every session", "", false, whose, true},
		{"pages here hear other sessions only", "s-2", false, whose, false},
		{"no page here hears anything", "-", false, whose, false},
		{"a failed attempt at its slot is counted here", "s-2", true, whose, true},
		{"an older station's notice does not say whose", "s-2", false, notice(r.Slots[0].ID, Approved), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			st := &slotStore{r: r}
			w := watchingStore{Backend: st, changes: make(chan Change)}
			e := &Engine{o: Options{Store: w, Now: func() time.Time { return now }, Log: slog.New(slog.DiscardHandler)},
				failures: map[uuid.UUID]failures{}, outcomes: newOutcomes(slog.New(slog.DiscardHandler))}
			if tc.failing {
				e.failures[r.Slots[0].ID] = failures{request: r.ID, n: 1}
			}
			outcomes := make(<-chan Outcome)
			if tc.subscribe != "-" {
				ch, cancel := e.Subscribe(tc.subscribe)
				defer cancel()
				outcomes = ch
			}
			wctx, stop := context.WithCancel(context.Background())
			defer stop()
			go e.Watch(wctx)
			w.changes <- tc.change
			// The first change was handled once this one, which only a
			// subscriber of every session hears, is taken.
			w.changes <- Change{Slot: r.Slots[0].ID, State: Approved, Request: uuid.New(), Session: SessionKey("nobody's")}
			if got := st.reads.Load() > 0; got != tc.read {
				t.Errorf("the request was read: %v, want %v", got, tc.read)
			}
			if tc.failing && len(e.failures) != 0 {
				t.Errorf("the failed attempts at the signed slot are still counted: %v", e.failures)
			}
			if tc.read && tc.subscribe != "-" && (tc.subscribe == "" || tc.subscribe == r.Session) {
				if o := <-outcomes; o.Kind != OutcomeApprove || o.Request != r.ID {
					t.Errorf("outcome %+v, want the approval of %s", o, r.ID)
				}
			}
		})
	}
}

// TestSubscribeCountsListeners: a cancelled subscription no longer makes
// Watch read its session's changes, and cancelling twice counts once.
func TestSubscribeCountsListeners(t *testing.T) {
	t.Parallel()
	e := &Engine{outcomes: newOutcomes(slog.New(slog.DiscardHandler))}
	_, c1 := e.Subscribe("s-1")
	_, c2 := e.Subscribe("s-1")
	c1()
	c1()
	if !e.hears(Change{Request: uuid.New(), Session: SessionKey("s-1")}) {
		t.Fatal("one subscriber of s-1 is left, but its changes are not heard")
	}
	c2()
	if e.hears(Change{Request: uuid.New(), Session: SessionKey("s-1")}) || len(e.listeners) != 0 {
		t.Errorf("no subscriber is left, but changes are heard (listeners %v)", e.listeners)
	}
}
