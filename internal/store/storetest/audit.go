package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"loginshell/internal/audit"
	"loginshell/internal/signature"
)

// fullEntry returns an entry with every field of audit.Entry set (but
// those Seal sets), each to text of its own; it fails t on a field kind it
// does not know, so a field added to audit.Entry fails here until the
// suite, and so every store, keeps it.
func fullEntry(t *testing.T, tag string, approve *bool) audit.Entry {
	t.Helper()
	var e audit.Entry
	v := reflect.ValueOf(&e).Elem()
	for i := range v.NumField() {
		f, name := v.Field(i), v.Type().Field(i).Name
		switch {
		case name == "Seq" || name == "Prev" || name == "Hash":
			// Seal sets them.
		case f.Type() == reflect.TypeFor[time.Time]():
			f.Set(reflect.ValueOf(base.Add(1500 * time.Millisecond)))
		case f.Type() == reflect.TypeFor[*bool]():
			f.Set(reflect.ValueOf(approve))
		case f.Kind() == reflect.String:
			f.SetString(fmt.Sprintf("%s %s: «Grüße» \"quoted\"\nsecond line", tag, name))
		default:
			t.Fatalf("audit.Entry.%s is a %s, which the suite does not fill: teach fullEntry, and every store, to keep it", name, f.Type())
		}
	}
	e.Offset = "" // Seal takes it from Time's zone
	return e
}

func testAudit(t *testing.T, newDB NewDB) {
	ctx := context.Background()
	t.Run("appends are sealed into one chain and read back in order", func(t *testing.T) {
		t.Parallel()
		s := fresh(t, newDB)
		events := []string{audit.EventQueue, audit.EventTrigger, audit.EventAttempt, audit.EventApprove}
		var want []audit.Entry
		for i, ev := range events {
			in := audit.Entry{Time: at(i), Station: "ST-7", Event: ev, Request: "r", UserID: "alice"}
			got, err := s.AppendAudit(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			var prev *audit.Entry
			if i > 0 {
				prev = &want[i-1]
			}
			if sealed := audit.Seal(prev, in); !reflect.DeepEqual(got, sealed) {
				t.Errorf("AppendAudit #%d = %+v, want audit.Seal's %+v", i+1, got, sealed)
			}
			if got.Seq != int64(i+1) || (prev != nil && got.Prev != prev.Hash) || (prev == nil && got.Prev != "") {
				t.Errorf("entry #%d: Seq %d, Prev %q", i+1, got.Seq, got.Prev)
			}
			want = append(want, got)
		}
		if got := verified(t, s); !reflect.DeepEqual(got, want) {
			t.Errorf("AuditEntries = %+v\nwant %+v", got, want)
		}
	})

	for _, approve := range []*bool{nil, boolPtr(true), boolPtr(false)} {
		name := "no decision"
		if approve != nil {
			name = fmt.Sprintf("approve %v", *approve)
		}
		t.Run("every field is kept: "+name, func(t *testing.T) {
			t.Parallel()
			s := fresh(t, newDB)
			if _, err := s.AppendAudit(ctx, audit.Entry{Time: base, Event: audit.EventTemplate}); err != nil {
				t.Fatal(err)
			}
			got, err := s.AppendAudit(ctx, fullEntry(t, name, approve))
			if err != nil {
				t.Fatal(err)
			}
			if got.Offset != "+01:00" || got.Time.Location() != time.UTC || !got.Time.Equal(stored(base.Add(1500*time.Millisecond))) {
				t.Errorf("sealed Time %v, Offset %q: want UTC to the microsecond and +01:00", got.Time, got.Offset)
			}
			es := verified(t, s)
			if len(es) != 2 || !reflect.DeepEqual(es[1], got) {
				t.Errorf("read back %+v\nwant %+v", es, got)
			}
			if len(es) == 2 && es[1].Time.Location() != time.UTC {
				t.Errorf("read back in %v, want UTC", es[1].Time.Location())
			}
		})
	}

	t.Run("an empty trail reads as nothing and verifies", func(t *testing.T) {
		t.Parallel()
		if es := verified(t, fresh(t, newDB)); len(es) != 0 {
			t.Errorf("a new store holds %d entries", len(es))
		}
	})

	t.Run("AuditEntries stops at fn's error and returns it", func(t *testing.T) {
		t.Parallel()
		s := fresh(t, newDB)
		for i := range 3 {
			if _, err := s.AppendAudit(ctx, audit.Entry{Time: at(i), Event: audit.EventQueue}); err != nil {
				t.Fatal(err)
			}
		}
		errEnough := errors.New("enough")
		calls := 0
		err := s.AuditEntries(ctx, func(e audit.Entry) error {
			calls++
			if e.Seq == 2 {
				return errEnough
			}
			return nil
		})
		if !errors.Is(err, errEnough) || calls != 2 {
			t.Errorf("AuditEntries = %v after %d calls, want errEnough after 2", err, calls)
		}
	})
}

// recorder is an entries function that keeps what it was called with and
// writes a request's entries as the engine would: one for the change and,
// when a signature settled the request, one for the request.
type recorder struct {
	event string
	seen  []signature.Request
}

func (rec *recorder) entries(r signature.Request) []audit.Entry {
	rec.seen = append(rec.seen, r)
	es := []audit.Entry{entryFor(rec.event, r)}
	switch r.State {
	case signature.Approved:
		es = append(es, entryFor(audit.EventApprove, r))
	case signature.Rejected:
		es = append(es, entryFor(audit.EventReject, r))
	}
	return es
}

func testAudited(t *testing.T, newDB NewDB) {
	ctx := context.Background()
	t.Run("queue, sign and cancel commit their entries with the change", func(t *testing.T) {
		t.Parallel()
		s := fresh(t, newDB)
		r := request("Line Release", "batch-1", 0, "{role:A}", "{role:B}")
		alice, bob := signer("alice", true, 5), signer("bob", true, 6)

		queued := &recorder{event: audit.EventQueue}
		sealed, err := s.QueueAudited(ctx, r, queued.entries)
		if err != nil {
			t.Fatal(err)
		}
		if len(queued.seen) != 1 || len(sealed) != 1 || sealed[0].Seq != 1 {
			t.Fatalf("QueueAudited called entries %d times and sealed %+v", len(queued.seen), sealed)
		}
		sameRequest(t, "what Queue's entries saw", queued.seen[0], asStored(r))

		signed := &recorder{event: "slot"}
		got, sealed, err := s.SignAudited(ctx, r.Slots[0].ID, alice, true, signed.entries)
		if err != nil {
			t.Fatal(err)
		}
		sameRequest(t, "what the first signature's entries saw", signed.seen[0], withSignature(r, 0, alice))
		sameRequest(t, "SignAudited's request", got, signed.seen[0])
		if len(sealed) != 1 || sealed[0].Seq != 2 {
			t.Errorf("the first signature sealed %+v, want entry 2", sealed)
		}

		got, sealed, err = s.SignAudited(ctx, r.Slots[1].ID, bob, true, signed.entries)
		if err != nil {
			t.Fatal(err)
		}
		want := withSignature(withSignature(r, 0, alice), 1, bob)
		want.State = signature.Approved
		sameRequest(t, "what the last signature's entries saw", signed.seen[1], want)
		sameRequest(t, "SignAudited's request", got, want)
		if len(sealed) != 2 || sealed[0].Seq != 3 || sealed[1].Seq != 4 || sealed[1].Event != audit.EventApprove {
			t.Errorf("the last signature sealed %+v, want entries 3 (slot) and 4 (approve)", sealed)
		}

		other := request("Line Release", "batch-2", 1, "{role:A}")
		mustQueue(t, s, other)
		cancelled := &recorder{event: audit.EventCancel}
		got, sealed, err = s.CancelAudited(ctx, other.ID, cancelled.entries)
		if err != nil {
			t.Fatal(err)
		}
		if len(cancelled.seen) != 1 || cancelled.seen[0].State != signature.Cancelled || got.State != signature.Cancelled {
			t.Errorf("Cancel's entries saw %+v", cancelled.seen)
		}
		if len(sealed) != 1 || sealed[0].Seq != 5 {
			t.Errorf("Cancel sealed %+v, want entry 5", sealed)
		}

		es := verified(t, s)
		var events []string
		for _, e := range es {
			events = append(events, e.Event+" "+e.Detail)
		}
		if want := []string{"queue pending", "slot pending", "slot approved", "approve approved", "cancel cancelled"}; !reflect.DeepEqual(events, want) {
			t.Errorf("trail %q, want %q", events, want)
		}
	})

	t.Run("nil entries or none returned write nothing to the trail", func(t *testing.T) {
		t.Parallel()
		s := fresh(t, newDB)
		r := request("Line Release", "batch-1", 0, "{role:A}", "{role:B}")
		none := func(signature.Request) []audit.Entry { return nil }
		if sealed, err := s.QueueAudited(ctx, r, none); err != nil || len(sealed) != 0 {
			t.Fatalf("QueueAudited = %+v, %v", sealed, err)
		}
		if _, sealed, err := s.SignAudited(ctx, r.Slots[0].ID, signer("alice", true, 5), false, nil); err != nil || len(sealed) != 0 {
			t.Fatalf("SignAudited = %+v, %v", sealed, err)
		}
		if _, sealed, err := s.CancelAudited(ctx, r.ID, none); err != nil || len(sealed) != 0 {
			t.Fatalf("CancelAudited = %+v, %v", sealed, err)
		}
		if es := verified(t, s); len(es) != 0 {
			t.Errorf("the trail holds %d entries", len(es))
		}
	})

	refusals := []struct {
		name    string
		call    func(s Store, r signature.Request, entries func(signature.Request) []audit.Entry) error
		wantErr error
	}{
		{"a taken slot", func(s Store, r signature.Request, entries func(signature.Request) []audit.Entry) error {
			_, _, err := s.SignAudited(ctx, r.Slots[0].ID, signer("bob", true, 6), false, entries)
			return err
		}, signature.ErrSlotTaken},
		{"the same signer", func(s Store, r signature.Request, entries func(signature.Request) []audit.Entry) error {
			_, _, err := s.SignAudited(ctx, r.Slots[1].ID, signer("alice", true, 6), true, entries)
			return err
		}, signature.ErrSameSigner},
		{"an unknown slot", func(s Store, r signature.Request, entries func(signature.Request) []audit.Entry) error {
			_, _, err := s.SignAudited(ctx, r.ID, signer("bob", true, 6), false, entries)
			return err
		}, signature.ErrNoSlot},
		{"an unknown request to cancel", func(s Store, r signature.Request, entries func(signature.Request) []audit.Entry) error {
			_, _, err := s.CancelAudited(ctx, r.Slots[0].ID, entries)
			return err
		}, signature.ErrNoRequest},
		{"a request queued twice", func(s Store, r signature.Request, entries func(signature.Request) []audit.Entry) error {
			_, err := s.QueueAudited(ctx, r, entries)
			return err
		}, nil},
	}
	for _, tt := range refusals {
		t.Run("a refused change writes no entry and calls no entries: "+tt.name, func(t *testing.T) {
			t.Parallel()
			s := fresh(t, newDB)
			r := request("Line Release", "batch-1", 0, "{role:A}", "{role:B}")
			if _, err := s.QueueAudited(ctx, r, (&recorder{event: audit.EventQueue}).entries); err != nil {
				t.Fatal(err)
			}
			mustSign(t, s, r, 0, signer("alice", true, 5))
			rec := &recorder{event: "refused"}
			err := tt.call(s, r, rec.entries)
			if err == nil || (tt.wantErr != nil && !errors.Is(err, tt.wantErr)) {
				t.Errorf("err = %v, want %v", err, tt.wantErr)
			}
			if len(rec.seen) != 0 {
				t.Errorf("entries was called with %+v", rec.seen)
			}
			if es := verified(t, s); len(es) != 1 {
				t.Errorf("the trail holds %d entries, want the queue's 1", len(es))
			}
		})
	}

	t.Run("an entries function that panics leaves neither the change nor an entry", func(t *testing.T) {
		t.Parallel()
		s := fresh(t, newDB)
		r := request("Line Release", "batch-1", 0, "{role:A}")
		mustQueue(t, s, r)
		boom := func(signature.Request) []audit.Entry { panic("boom") }
		calls := []struct {
			name string
			call func()
		}{
			{"QueueAudited", func() { s.QueueAudited(ctx, request("Line Release", "batch-2", 1, "{role:A}"), boom) }},
			{"SignAudited", func() { s.SignAudited(ctx, r.Slots[0].ID, signer("alice", true, 5), false, boom) }},
			{"CancelAudited", func() { s.CancelAudited(ctx, r.ID, boom) }},
		}
		for _, c := range calls {
			func() {
				defer func() {
					if recover() == nil {
						t.Errorf("%s did not pass the panic on", c.name)
					}
				}()
				c.call()
			}()
		}
		pending, err := s.Pending(ctx, signature.Filter{})
		if err != nil || len(pending) != 1 {
			t.Fatalf("Pending = %v, %v; want the one request, untouched", ids(pending), err)
		}
		sameRequest(t, "the request after the panics", pending[0], asStored(r))
		if es := verified(t, s); len(es) != 0 {
			t.Errorf("the trail holds %d entries", len(es))
		}
		// The store still writes.
		if got := mustSign(t, s, r, 0, signer("alice", true, 5)); got.State != signature.Approved {
			t.Errorf("after the panics a signature left the request %s", got.State)
		}
	})
}
