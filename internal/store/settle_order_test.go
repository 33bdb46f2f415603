package store

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"loginshell/internal/fault"
	"loginshell/internal/signature"
)

// ordered is r queued under a template of order (Request.Rules), with
// clause i of clauses on slot i.
func ordered(r signature.Request, order bool, clauses ...string) signature.Request {
	r = cloneRequest(r)
	r.Rules = &signature.Template{Name: "Line Release", Expression: "{role:Operator}", Meaning: "Approval", Ordered: order}
	for i, c := range clauses {
		r.Slots[i].Clause = c
	}
	return r
}

// TestSettleInOrder: under an ordered template (the request's own, as
// queued), a signature of a slot whose earlier slot is still pending does
// not count, whatever dialog it came from; store.Settle is where both
// stores apply it.
func TestSettleInOrder(t *testing.T) {
	t.Parallel()
	three := settleRequest(3)
	inOrder := ordered(three, true, "{role:Operator}", "{role:Supervisor} OR {userName:bob}", "{role:QA}")
	tests := []struct {
		name     string
		r        signature.Request
		slot     int
		sig      signature.Signature
		want     Settlement
		wantErr  error
		wantText string
	}{
		{name: "the first slot of an ordered request counts", r: inOrder, slot: 0, sig: signedBy("alice", true),
			want: Settlement{Slot: signature.Approved, Request: signature.Pending}},
		{name: "a later slot while the first is pending is refused, naming the first in words", r: inOrder, slot: 1, sig: signedBy("bob", true),
			wantErr: signature.ErrNotPosted, wantText: "Could not post authorization challenge: signature 1 of 3 (an operator) must be given first"},
		{name: "the last slot names the earliest pending one", r: inOrder, slot: 2, sig: signedBy("carol", true),
			wantErr: signature.ErrNotPosted, wantText: "signature 1 of 3 (an operator) must be given first"},
		{name: "a rejection out of order is refused too", r: inOrder, slot: 2, sig: signedBy("carol", false),
			wantErr: signature.ErrNotPosted},
		{name: "after the first, the third waits for the second", r: signSlot(inOrder, 0, "alice", true), slot: 2, sig: signedBy("carol", true),
			wantErr: signature.ErrNotPosted, wantText: "signature 2 of 3 (a supervisor or bob) must be given first"},
		{name: "after the first, the second counts", r: signSlot(inOrder, 0, "alice", true), slot: 1, sig: signedBy("bob", true),
			want: Settlement{Slot: signature.Approved, Request: signature.Pending}},
		{name: "in order, the last approval approves the request", r: signSlot(signSlot(inOrder, 0, "alice", true), 1, "bob", true), slot: 2,
			sig: signedBy("carol", true), want: Settlement{Slot: signature.Approved, Request: signature.Approved}},
		{name: "a taken slot is taken before any order is looked at", r: signSlot(inOrder, 2, "carol", true), slot: 2, sig: signedBy("dave", true),
			wantErr: signature.ErrSlotTaken},
		{name: "an unordered template signs in any order", r: ordered(three, false), slot: 2, sig: signedBy("carol", true),
			want: Settlement{Slot: signature.Approved, Request: signature.Pending}},
		{name: "a request queued before templates were kept signs in any order", r: three, slot: 2, sig: signedBy("carol", true),
			want: Settlement{Slot: signature.Approved, Request: signature.Pending}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Settle(tt.r, tt.r.Slots[tt.slot].ID, tt.sig, false)
			if !errors.Is(err, tt.wantErr) || (err == nil) != (tt.wantErr == nil) {
				t.Fatalf("Settle = %+v, %v; want error %v", got, err, tt.wantErr)
			}
			if err != nil {
				if tt.wantText != "" && !strings.Contains(fault.Text(err), tt.wantText) {
					t.Errorf("the refusal says %q, want %q", fault.Text(err), tt.wantText)
				}
				if fault.KindOf(err) != fault.Conflict {
					t.Errorf("kind %v, want Conflict (409 over REST)", fault.KindOf(err))
				}
				return
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Settle = %+v, want %+v", got, tt.want)
			}
		})
	}
}
