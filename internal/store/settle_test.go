package store

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"loginshell/internal/signature"
)

// settleRequest is a pending request of n pending slots, with fixed
// UUIDs so the table can name them.
func settleRequest(n int) signature.Request {
	r := signature.Request{ID: uuid.MustParse("00000000-0000-4000-8000-000000000100"), State: signature.Pending}
	for i := range n {
		r.Slots = append(r.Slots, signature.Slot{
			ID: uuid.MustParse(fmt.Sprintf("00000000-0000-4000-8000-%012x", 0x101+i)), Request: r.ID,
			Index: i, Clause: "{role:Operator}", State: signature.Pending,
		})
	}
	return r
}

// signedBy is a signature by user.
func signedBy(user string, approve bool) signature.Signature {
	return signature.Signature{Signer: signature.Signer{UserID: user}, Approve: approve,
		SignedAt: time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)}
}

// cloneRequest is r with slots of its own, so a change to either is not
// seen in the other.
func cloneRequest(r signature.Request) signature.Request {
	r.Slots = append([]signature.Slot(nil), r.Slots...)
	return r
}

// signSlot is r with slot i signed by user.
func signSlot(r signature.Request, i int, user string, approve bool) signature.Request {
	r = cloneRequest(r)
	sig := signedBy(user, approve)
	r.Slots[i].Signature = &sig
	r.Slots[i].State = signature.Rejected
	if approve {
		r.Slots[i].State = signature.Approved
	}
	return r
}

// withState is r in state, its unsigned slots cancelled when it ended.
func withState(r signature.Request, state signature.State) signature.Request {
	r = cloneRequest(r)
	r.State = state
	for i, sl := range r.Slots {
		if state != signature.Pending && sl.State == signature.Pending {
			r.Slots[i].State = signature.Cancelled
		}
	}
	return r
}

func TestSettle(t *testing.T) {
	t.Parallel()
	three := settleRequest(3)
	slot := func(i int) uuid.UUID { return three.Slots[i].ID }
	tests := []struct {
		name     string
		r        signature.Request
		slot     uuid.UUID
		sig      signature.Signature
		unique   bool
		want     Settlement
		wantErr  error
		wantText string // a part of the error's text, when it matters
	}{
		{
			name: "the first approval of several leaves the request pending",
			r:    three, slot: slot(0), sig: signedBy("alice", true),
			want: Settlement{Slot: signature.Approved, Request: signature.Pending},
		},
		{
			name: "the last approval approves the request",
			r:    signSlot(signSlot(three, 0, "alice", true), 2, "bob", true), slot: slot(1), sig: signedBy("carol", true),
			want: Settlement{Slot: signature.Approved, Request: signature.Approved},
		},
		{
			name: "the approval of the only slot approves the request",
			r:    settleRequest(1), slot: settleRequest(1).Slots[0].ID, sig: signedBy("alice", true),
			want: Settlement{Slot: signature.Approved, Request: signature.Approved},
		},
		{
			name: "an approval in any order counts: the middle slot first",
			r:    three, slot: slot(1), sig: signedBy("alice", true),
			want: Settlement{Slot: signature.Approved, Request: signature.Pending},
		},
		{
			name: "a rejection rejects the request and cancels every other pending slot",
			r:    three, slot: slot(1), sig: signedBy("alice", false),
			want: Settlement{Slot: signature.Rejected, Request: signature.Rejected, Cancel: []uuid.UUID{slot(0), slot(2)}},
		},
		{
			name: "a rejection leaves the slots signed before it signed",
			r:    signSlot(three, 0, "alice", true), slot: slot(2), sig: signedBy("bob", false),
			want: Settlement{Slot: signature.Rejected, Request: signature.Rejected, Cancel: []uuid.UUID{slot(1)}},
		},
		{
			name: "a rejection of the last pending slot cancels nothing",
			r:    signSlot(signSlot(three, 0, "alice", true), 1, "bob", true), slot: slot(2), sig: signedBy("carol", false),
			want: Settlement{Slot: signature.Rejected, Request: signature.Rejected},
		},
		{
			name: "an unknown slot is ErrNoSlot",
			r:    three, slot: uuid.MustParse("00000000-0000-4000-8000-000000000999"), sig: signedBy("alice", true),
			wantErr: signature.ErrNoSlot, wantText: "00000000-0000-4000-8000-000000000999",
		},
		{
			name: "an approved slot is taken",
			r:    signSlot(three, 0, "alice", true), slot: slot(0), sig: signedBy("bob", true),
			wantErr: signature.ErrSlotTaken, wantText: slot(0).String(),
		},
		{
			name: "a rejected slot is taken, though its request is no longer pending",
			r:    withState(signSlot(three, 0, "alice", false), signature.Rejected), slot: slot(0), sig: signedBy("bob", true),
			wantErr: signature.ErrSlotTaken,
		},
		{
			name: "a slot taken by the same signer is taken, not a second signature of theirs",
			r:    signSlot(three, 0, "alice", true), slot: slot(0), sig: signedBy("alice", true), unique: true,
			wantErr: signature.ErrSlotTaken,
		},
		{
			name: "an unsigned slot of a request rejected through another slot is ErrNoRequest",
			r:    withState(signSlot(three, 0, "alice", false), signature.Rejected), slot: slot(1), sig: signedBy("bob", true),
			wantErr: signature.ErrNoRequest, wantText: three.ID.String() + " is rejected",
		},
		{
			name: "an unsigned slot of a cancelled request is ErrNoRequest",
			r:    withState(three, signature.Cancelled), slot: slot(2), sig: signedBy("bob", true),
			wantErr: signature.ErrNoRequest, wantText: three.ID.String() + " is cancelled",
		},
		{
			name: "a cancelled slot of a request still pending is ErrNoRequest",
			r: func() signature.Request {
				r := settleRequest(2)
				r.Slots[1].State = signature.Cancelled
				return r
			}(), slot: settleRequest(2).Slots[1].ID, sig: signedBy("bob", true),
			wantErr: signature.ErrNoRequest,
		},
		{
			name: "an ended request is ErrNoRequest before a same signer is looked for",
			r:    withState(signSlot(three, 0, "alice", false), signature.Rejected), slot: slot(1), sig: signedBy("alice", true), unique: true,
			wantErr: signature.ErrNoRequest,
		},
		{
			name: "under forceUniqueUser, the signer of another slot is refused",
			r:    signSlot(three, 0, "alice", true), slot: slot(1), sig: signedBy("alice", true), unique: true,
			wantErr: signature.ErrSameSigner, wantText: "alice signed slot " + slot(0).String(),
		},
		{
			name: "under forceUniqueUser, a signer of another slot is refused a rejection too",
			r:    signSlot(three, 2, "alice", true), slot: slot(0), sig: signedBy("alice", false), unique: true,
			wantErr: signature.ErrSameSigner,
		},
		{
			name: "under forceUniqueUser, another person counts",
			r:    signSlot(three, 0, "alice", true), slot: slot(1), sig: signedBy("bob", true), unique: true,
			want: Settlement{Slot: signature.Approved, Request: signature.Pending},
		},
		{
			name: "under forceUniqueUser, user IDs compare exactly, as the stores always have",
			r:    signSlot(three, 0, "alice", true), slot: slot(1), sig: signedBy("Alice", true), unique: true,
			want: Settlement{Slot: signature.Approved, Request: signature.Pending},
		},
		{
			name: "without forceUniqueUser, one person may sign every slot",
			r:    signSlot(signSlot(three, 0, "alice", true), 1, "alice", true), slot: slot(2), sig: signedBy("alice", true),
			want: Settlement{Slot: signature.Approved, Request: signature.Approved},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			before := cloneRequest(tt.r)
			got, err := Settle(tt.r, tt.slot, tt.sig, tt.unique)
			if !errors.Is(err, tt.wantErr) || (err == nil) != (tt.wantErr == nil) {
				t.Fatalf("Settle = %+v, %v; want error %v", got, err, tt.wantErr)
			}
			if err != nil {
				if !strings.Contains(err.Error(), tt.wantText) {
					t.Errorf("error %q does not say %q", err, tt.wantText)
				}
				if !reflect.DeepEqual(got, Settlement{}) {
					t.Errorf("a refusal settles %+v, want nothing", got)
				}
			} else if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Settle = %+v, want %+v", got, tt.want)
			}
			if !reflect.DeepEqual(tt.r, before) {
				t.Errorf("Settle changed the request it was given")
			}
		})
	}
}
