package postgres

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"loginshell/internal/signature"
	"loginshell/internal/store/postgres/pgtest"
)

func TestWatch(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := pgtest.DB(t)
	a, b := open(t, dsn), open(t, dsn)
	heard := make(chan uuid.UUID, 8)
	wctx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { a.Watch(wctx, func(slot uuid.UUID, _ signature.State) { heard <- slot }); close(done) }()
	defer func() { stop(); <-done }()

	queue := func(name string) signature.Request {
		r := signature.Request{ID: uuid.New(), Template: "T", Name: name, State: signature.Pending, Station: "A", Session: "s",
			QueuedAt: time.Now(), Slots: []signature.Slot{{ID: uuid.New(), Clause: "{role:A}"}}}
		if err := a.Queue(ctx, r); err != nil {
			t.Fatal(err)
		}
		return r
	}
	sig := signature.Signature{Signer: signature.Signer{UserID: "bob"}, Approve: true, SignedAt: time.Now(), Station: "B"}

	// The listener may not be up yet: sign until the first is heard.
	var first signature.Request
	deadline := time.After(10 * time.Second)
	for got := false; !got; {
		first = queue("first")
		if _, err := b.Sign(ctx, first.Slots[0].ID, sig, false); err != nil {
			t.Fatal(err)
		}
		select {
		case slot := <-heard:
			got = slot == first.Slots[0].ID
		case <-time.After(200 * time.Millisecond):
		case <-deadline:
			t.Fatal("no notification within 10 s")
		}
	}

	t.Run("a signature at another station is heard within a second", func(t *testing.T) {
		r := queue("second")
		start := time.Now()
		if _, err := b.Sign(ctx, r.Slots[0].ID, sig, false); err != nil {
			t.Fatal(err)
		}
		select {
		case slot := <-heard:
			if slot != r.Slots[0].ID {
				t.Errorf("heard %s, want %s", slot, r.Slots[0].ID)
			}
			t.Logf("heard after %v", time.Since(start))
		case <-time.After(time.Second):
			t.Fatal("not heard within a second")
		}
	})

	t.Run("a cancel at another station is heard, a change of its own is not", func(t *testing.T) {
		own := queue("own")
		if _, err := a.Cancel(ctx, own.ID); err != nil {
			t.Fatal(err)
		}
		other := queue("other")
		if _, err := b.Cancel(ctx, other.ID); err != nil {
			t.Fatal(err)
		}
		select {
		case slot := <-heard:
			if slot != other.Slots[0].ID {
				t.Errorf("heard %s, want the other station's cancel %s", slot, other.Slots[0].ID)
			}
		case <-time.After(time.Second):
			t.Fatal("not heard within a second")
		}
		select {
		case slot := <-heard:
			t.Errorf("heard %s as well", slot)
		case <-time.After(100 * time.Millisecond):
		}
	})
}
