package postgres

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"loginshell/internal/signature"
	"loginshell/internal/store/postgres/pgtest"
)

// TestHearSendsOnlyWhatAStationHears: a station told to hear some
// sessions is sent the changes of those sessions' requests and no other
// (what 200 stations on one database need: each signature reaches the
// stations whose pages wait for it, not all 200); told more, it hears a
// change committed as soon as Hear's channel is closed; told every
// change, it hears them all; told nothing, nothing.
func TestHearSendsOnlyWhatAStationHears(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := pgtest.DB(t)
	a, b := open(t, dsn), open(t, dsn)
	heard := make(chan signature.Change, 16)
	wctx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		a.Watch(wctx, func(c signature.Change) { heard <- c })
		close(done)
	}()
	defer func() { stop(); <-done }()

	sig := signature.Signature{Signer: signature.Signer{UserID: "bob"}, Approve: true, SignedAt: time.Now(), Station: "B"}
	sign := func(session string) signature.Request {
		t.Helper()
		r := signature.Request{ID: uuid.New(), Template: "T", Name: session, State: signature.Pending, Station: "B", Session: session,
			QueuedAt: time.Now(), Slots: []signature.Slot{{ID: uuid.New(), Clause: "{role:A}"}}}
		if err := b.Queue(ctx, r); err != nil {
			t.Fatal(err)
		}
		if _, err := b.Sign(ctx, r.Slots[0].ID, sig, false); err != nil {
			t.Fatal(err)
		}
		return r
	}
	key := signature.SessionKey
	hear := func(h signature.Hearing) {
		t.Helper()
		select {
		case <-a.Hear(h):
		case <-time.After(10 * time.Second):
			t.Fatalf("Hear(%+v) not listened within 10 s", h)
		}
	}
	// next is the request of the next change heard; uuid.Nil for none
	// within quiet.
	next := func(quiet time.Duration) uuid.UUID {
		select {
		case c := <-heard:
			return c.Request
		case <-time.After(quiet):
			return uuid.Nil
		}
	}

	// The Watch listens once a probe of a session it hears is heard.
	hear(signature.Hearing{Sessions: []string{key("s-1")}})
	deadline := time.Now().Add(10 * time.Second)
	for next(200*time.Millisecond) == uuid.Nil {
		if time.Now().After(deadline) {
			t.Fatal("the Watch does not hear s-1 within 10 s")
		}
		sign("s-1")
	}
	for next(300*time.Millisecond) != uuid.Nil { // the probes' backlog
	}

	// s-2's change commits first: were it sent, it would be heard first.
	sign("s-2")
	mine := sign("s-1")
	if got := next(5 * time.Second); got != mine.ID {
		t.Fatalf("heard %s first, want s-1's request %s (s-2's is not this station's)", got, mine.ID)
	}
	if got := next(300 * time.Millisecond); got != uuid.Nil {
		t.Errorf("heard %s as well", got)
	}

	hear(signature.Hearing{Sessions: []string{key("s-1"), key("s-3")}})
	if r := sign("s-3"); next(5*time.Second) != r.ID {
		t.Errorf("s-3's change, committed once Hear was done, was not heard")
	}

	hear(signature.Hearing{All: true})
	if r := sign("s-2"); next(5*time.Second) != r.ID {
		t.Errorf("told to hear every change, s-2's was not heard")
	}

	hear(signature.Hearing{})
	sign("s-1")
	if got := next(300 * time.Millisecond); got != uuid.Nil {
		t.Errorf("told to hear nothing, heard %s", got)
	}
}
