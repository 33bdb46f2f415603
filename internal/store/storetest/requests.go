package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/google/uuid"
	"loginshell/internal/signature"
)

func testQueue(t *testing.T, newDB NewDB) {
	ctx := context.Background()
	t.Run("a queued request comes back whole through each of its slots", func(t *testing.T) {
		t.Parallel()
		s := fresh(t, newDB)
		r := request("Line Release", "batch-1", 0, "{role:Operator}", "{role:Supervisor} OR {userName:bob}")
		mustQueue(t, s, r)
		for i, want := range asStored(r).Slots {
			slot, got, err := s.Slot(ctx, want.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(slot, want) {
				t.Errorf("Slot(%d) = %+v, want %+v", i, slot, want)
			}
			sameRequest(t, "Slot's request", got, asStored(r))
		}
	})

	t.Run("defaults: an empty state is pending, a slot's zero request is the request", func(t *testing.T) {
		t.Parallel()
		s := fresh(t, newDB)
		r := request("Line Release", "batch-1", 0, "{role:Operator}")
		want := asStored(r)
		r.State, r.Slots[0].State, r.Slots[0].Request = "", "", uuid.Nil
		mustQueue(t, s, r)
		if _, got, err := s.Slot(ctx, r.Slots[0].ID); err != nil {
			t.Fatal(err)
		} else {
			sameRequest(t, "Slot's request", got, want)
		}
	})

	t.Run("a request recreated from another station keeps its signatures", func(t *testing.T) {
		t.Parallel()
		s := fresh(t, newDB)
		r := request("Line Release", "batch-1", 0, "{role:Operator}", "{userName:bob}")
		sig := signer("alice", true, 3)
		r.Slots[0].State, r.Slots[0].Signature = signature.Approved, &sig
		mustQueue(t, s, r)
		if _, got, err := s.Slot(ctx, r.Slots[1].ID); err != nil {
			t.Fatal(err)
		} else {
			sameRequest(t, "recreated request", got, asStored(r))
		}
		done := mustSign(t, s, r, 1, signer("bob", true, 4))
		if done.State != signature.Approved {
			t.Errorf("after the last slot the request is %s, want approved", done.State)
		}
	})

	t.Run("a clause naming one user in two spellings is queued and found by either", func(t *testing.T) {
		t.Parallel()
		s := fresh(t, newDB)
		r := request("Line Release", "batch-1", 0, "{userName:bob} OR {userName:Bob}")
		mustQueue(t, s, r)
		for _, user := range []string{"bob", "Bob", "BOB"} {
			if got, err := s.Pending(ctx, signature.Filter{User: user}); err != nil || !reflect.DeepEqual(ids(got), ids([]signature.Request{r})) {
				t.Errorf("Pending(User %q) = %v, %v; want the request", user, ids(got), err)
			}
		}
	})

	t.Run("whose a request is and the rules it was queued under come back", func(t *testing.T) {
		t.Parallel()
		s := fresh(t, newDB)
		r := request("Line Release", "batch-1", 0, "{role:Operator}")
		r.Owner = "lineapp"
		r.Rules = &signature.Template{Name: "Line Release", Expression: "{role:Operator}", IDP: "local", Timeout: 3,
			ForceUniqueUser: true, Meaning: "Approval"}
		// The bytes as the engine made them, kept as they are: the
		// request's content hash covers them.
		r.RulesJSON = `{"name":"Line Release",  "expression":"{role:Operator}","idp":"local","timeout":3,"forceUniqueUser":true,"meaning":"Approval"}`
		r.Record = `{"batch":"4711","line":4}`
		mustQueue(t, s, r)
		if _, got, err := s.Slot(ctx, r.Slots[0].ID); err != nil {
			t.Fatal(err)
		} else {
			sameRequest(t, "owned request", got, asStored(r))
			if signature.ContentHash(got) != signature.ContentHash(r) {
				t.Error("the request read back has another content hash than the one queued")
			}
		}
	})

	t.Run("a package lists its own requests and the plant's routed to it, no other's", func(t *testing.T) {
		t.Parallel()
		s := fresh(t, newDB)
		own := request("Line Release", "own", 0, "{role:Operator}")
		own.Owner = "lineapp"
		other := request("Line Release", "other", 1, "{role:Operator}")
		other.Owner = "hostile"
		plant := request("Line Release", "plant", 2, "{role:Operator}")
		routed := request("Line Release", "routed", 3, "{role:Operator}")
		routed.AddressedTo = "lineapp"
		elsewhere := request("Line Release", "elsewhere", 4, "{role:Operator}")
		elsewhere.AddressedTo = "hostile"
		for _, r := range []signature.Request{own, other, plant, routed, elsewhere} {
			mustQueue(t, s, r)
		}
		for _, tt := range []struct {
			pkg  string
			want []signature.Request
		}{
			{"lineapp", []signature.Request{own, plant, routed}},
			{"hostile", []signature.Request{other, plant, elsewhere}},
			{"quiet", []signature.Request{plant}},
			{"", []signature.Request{own, other, plant, routed, elsewhere}},
		} {
			got, err := s.Pending(ctx, signature.Filter{Package: tt.pkg})
			if err != nil || !reflect.DeepEqual(ids(got), ids(tt.want)) {
				t.Errorf("Pending(Package %q) = %v, %v; want %v", tt.pkg, ids(got), err, ids(tt.want))
			}
		}
	})

	t.Run("an unknown slot is ErrNoSlot", func(t *testing.T) {
		t.Parallel()
		s := fresh(t, newDB)
		mustQueue(t, s, request("Line Release", "batch-1", 0, "{role:Operator}"))
		id := uuid.New()
		if _, _, err := s.Slot(ctx, id); !errors.Is(err, signature.ErrNoSlot) {
			t.Errorf("Slot(unknown) = %v, want ErrNoSlot", err)
		}
	})

	refused := []struct {
		name  string
		build func(existing signature.Request) signature.Request
	}{
		{"a request without a UUID", func(signature.Request) signature.Request {
			r := request("T", "x", 1, "{role:A}")
			r.ID = uuid.Nil
			r.Slots[0].Request = uuid.Nil
			return r
		}},
		{"a request without slots", func(signature.Request) signature.Request {
			r := request("T", "x", 1)
			return r
		}},
		{"a slot without a UUID", func(signature.Request) signature.Request {
			r := request("T", "x", 1, "{role:A}")
			r.Slots[0].ID = uuid.Nil
			return r
		}},
		{"a slot of another request", func(signature.Request) signature.Request {
			r := request("T", "x", 1, "{role:A}")
			r.Slots[0].Request = uuid.New()
			return r
		}},
		{"a request UUID in use", func(existing signature.Request) signature.Request {
			r := request("T", "x", 1, "{role:A}")
			r.ID = existing.ID
			r.Slots[0].Request = existing.ID
			return r
		}},
		{"a slot UUID in use", func(existing signature.Request) signature.Request {
			r := request("T", "x", 1, "{role:A}", "{role:B}")
			r.Slots[1].ID = existing.Slots[0].ID
			return r
		}},
		{"two slots with one index", func(signature.Request) signature.Request {
			r := request("T", "x", 1, "{role:A}", "{role:B}")
			r.Slots[1].Index = 0
			return r
		}},
	}
	for _, tt := range refused {
		t.Run("refused, nothing stored: "+tt.name, func(t *testing.T) {
			t.Parallel()
			s := fresh(t, newDB)
			existing := request("Line Release", "batch-0", 0, "{role:Operator}")
			mustQueue(t, s, existing)
			r := tt.build(existing)
			if err := s.Queue(ctx, r); err == nil {
				t.Fatal("Queue succeeded")
			}
			pending, err := s.Pending(ctx, signature.Filter{})
			if err != nil {
				t.Fatal(err)
			}
			if len(pending) != 1 {
				t.Fatalf("Pending holds %d requests after a refused queue, want the 1 before", len(pending))
			}
			sameRequest(t, "the request queued before", pending[0], asStored(existing))
			for _, sl := range r.Slots {
				if sl.ID == existing.Slots[0].ID || sl.ID == uuid.Nil {
					continue
				}
				if _, _, err := s.Slot(ctx, sl.ID); !errors.Is(err, signature.ErrNoSlot) {
					t.Errorf("a slot of the refused request: %v, want ErrNoSlot", err)
				}
			}
		})
	}
}

func testPending(t *testing.T, newDB NewDB) {
	ctx := context.Background()
	s := fresh(t, newDB)
	// Queued out of time order on purpose; r1 and r6 at the same minute.
	r1 := request("Line Release", "batch-1", 2, "{role:Operator}", "{role:Supervisor} OR {userName:bob}")
	r2 := request("Deviation", "batch-1", 1, "{userName:alice}")
	r3 := request("line release", "batch-2", 3, "{userName:bob}")
	r4 := request("Deviation", "Batch-1", 0, "{userName:carol} OR {userName:bob}", "{role:QA}")
	r5 := request("Deviation", "batch-5", 4, "{userName:alice}")
	r6 := request("DEVIATION", "batch-6", 2, `{ userName : d\{a\}ve\\ }`, "{role:QA}")
	for _, r := range []signature.Request{r1, r2, r3, r4, r5, r6} {
		mustQueue(t, s, r)
	}
	mustSign(t, s, r3, 0, signer("bob", true, 5))   // approved: never pending
	mustSign(t, s, r4, 0, signer("carol", true, 5)) // still pending, bob's and carol's slot signed
	if _, err := s.Cancel(ctx, r5.ID); err != nil { // cancelled: never pending
		t.Fatal(err)
	}

	tests := []struct {
		name   string
		filter signature.Filter
		want   []signature.Request
	}{
		{"no filter lists every pending request, oldest first, ties in queue order", signature.Filter{}, []signature.Request{r4, r2, r1, r6}},
		{"template matches without regard to case", signature.Filter{Template: "LINE RELEASE"}, []signature.Request{r1}},
		{"template matches each spelling it was queued with", signature.Filter{Template: "deviation"}, []signature.Request{r4, r2, r6}},
		{"template is not a prefix", signature.Filter{Template: "Line"}, nil},
		{"name matches exactly", signature.Filter{Name: "batch-1"}, []signature.Request{r2, r1}},
		{"name matches case too", signature.Filter{Name: "Batch-1"}, []signature.Request{r4}},
		{"user matches a pending slot naming them", signature.Filter{User: "bob"}, []signature.Request{r1}},
		{"user matches with spaces and escapes in the clause", signature.Filter{User: `d{a}ve\`}, []signature.Request{r6}},
		{"user does not match a signed slot", signature.Filter{User: "carol"}, nil},
		{"user does not match a cancelled request", signature.Filter{User: "alice"}, []signature.Request{r2}},
		{"user is a user name, not a role", signature.Filter{User: "Operator"}, nil},
		{"user names match without regard to case", signature.Filter{User: "BOB"}, []signature.Request{r1}},
		{"a user name is not a prefix", signature.Filter{User: "bo"}, nil},
		{"template and name together", signature.Filter{Template: "deviation", Name: "batch-1"}, []signature.Request{r2}},
		{"every field together", signature.Filter{Template: "line release", Name: "batch-1", User: "bob"}, []signature.Request{r1}},
		{"fields that match apart but not together", signature.Filter{Template: "Deviation", User: "bob"}, nil},
		{"an unknown template matches nothing", signature.Filter{Template: "Nope"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := s.Pending(ctx, tt.filter)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(ids(got), ids(tt.want)) {
				t.Fatalf("Pending(%+v) = %v, want %v", tt.filter, ids(got), ids(tt.want))
			}
			for i, r := range got {
				if r.State != signature.Pending {
					t.Errorf("request %s is %s", r.ID, r.State)
				}
				if len(r.Slots) != len(tt.want[i].Slots) {
					t.Errorf("request %s has %d slots, want all %d", r.ID, len(r.Slots), len(tt.want[i].Slots))
				}
			}
		})
	}

	t.Run("a pending request comes back whole, signed slots too", func(t *testing.T) {
		t.Parallel()
		got, err := s.Pending(ctx, signature.Filter{Name: "Batch-1"})
		if err != nil || len(got) != 1 {
			t.Fatalf("Pending = %v, %v", ids(got), err)
		}
		sameRequest(t, "pending request", got[0], withSignature(r4, 0, signer("carol", true, 5)))
	})

	t.Run("PendingOwned counts a package's own pending requests, and no other", func(t *testing.T) {
		t.Parallel()
		s := fresh(t, newDB)
		var owned []signature.Request
		for i, who := range []struct{ owner, to string }{{"lineapp", ""}, {"lineapp", ""}, {"lineapp", ""}, {"lineapp", ""},
			{"", "lineapp"}, {"", ""}, {"other", ""}} {
			r := request("Line Release", fmt.Sprintf("owned-%d", i), i, "{role:Operator}")
			r.Owner, r.AddressedTo = who.owner, who.to
			mustQueue(t, s, r)
			if who.owner == "lineapp" {
				owned = append(owned, r)
			}
		}
		mustSign(t, s, owned[0], 0, signer("bob", true, 5)) // approved: no longer pending
		if _, err := s.Cancel(ctx, owned[1].ID); err != nil {
			t.Fatal(err)
		}
		for owner, want := range map[string]int{"lineapp": 2, "other": 1, "": 2, "nobody": 0} {
			if n, err := s.PendingOwned(ctx, owner); err != nil || n != want {
				t.Errorf("PendingOwned(%q) = %d, %v; want %d", owner, n, err, want)
			}
		}
	})
}
