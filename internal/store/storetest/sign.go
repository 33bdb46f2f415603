package storetest

import (
	"context"
	"errors"
	"testing"

	"github.com/google/uuid"
	"loginshell/internal/signature"
)

// step is one signature of a sign test: slot i of the request.
type step struct {
	slot   int
	sig    signature.Signature
	unique bool // forceUniqueUser
}

func testSign(t *testing.T, newDB NewDB) {
	ctx := context.Background()
	alice, bob := signer("alice", true, 5), signer("bob", true, 6)
	aliceRejects, bobRejects := signer("alice", false, 5), signer("bob", false, 6)
	tests := []struct {
		name    string
		clauses []string
		before  []step // signed first, each must count
		cancel  bool   // cancel the request after before
		sign    step
		wantErr error
		// what the request is after sign (or as before when it fails)
		wantState  signature.State
		wantSlots  []signature.State
		wantSigned map[int]signature.Signature // slot -> signature
	}{
		{
			name: "approving one slot of two leaves the request pending", clauses: []string{"{role:A}", "{role:B}"},
			sign:      step{slot: 0, sig: alice},
			wantState: signature.Pending, wantSlots: []signature.State{signature.Approved, signature.Pending},
			wantSigned: map[int]signature.Signature{0: alice},
		},
		{
			name: "approving the last slot approves the request", clauses: []string{"{role:A}", "{role:B}"},
			before: []step{{slot: 1, sig: bob}}, sign: step{slot: 0, sig: alice},
			wantState: signature.Approved, wantSlots: []signature.State{signature.Approved, signature.Approved},
			wantSigned: map[int]signature.Signature{0: alice, 1: bob},
		},
		{
			name: "approving the only slot approves the request", clauses: []string{"{role:A}"},
			sign:      step{slot: 0, sig: alice},
			wantState: signature.Approved, wantSlots: []signature.State{signature.Approved},
			wantSigned: map[int]signature.Signature{0: alice},
		},
		{
			name: "rejecting a slot rejects the request and cancels its unsigned slots", clauses: []string{"{role:A}", "{role:B}", "{role:C}"},
			before: []step{{slot: 0, sig: alice}}, sign: step{slot: 2, sig: bobRejects},
			wantState: signature.Rejected, wantSlots: []signature.State{signature.Approved, signature.Cancelled, signature.Rejected},
			wantSigned: map[int]signature.Signature{0: alice, 2: bobRejects},
		},
		{
			name: "rejecting the last slot rejects the request", clauses: []string{"{role:A}", "{role:B}"},
			before: []step{{slot: 0, sig: alice}}, sign: step{slot: 1, sig: bobRejects},
			wantState: signature.Rejected, wantSlots: []signature.State{signature.Approved, signature.Rejected},
			wantSigned: map[int]signature.Signature{0: alice, 1: bobRejects},
		},
		{
			name: "an approved slot is taken", clauses: []string{"{role:A}", "{role:B}"},
			before: []step{{slot: 0, sig: alice}}, sign: step{slot: 0, sig: bob},
			wantErr:   signature.ErrSlotTaken,
			wantState: signature.Pending, wantSlots: []signature.State{signature.Approved, signature.Pending},
			wantSigned: map[int]signature.Signature{0: alice},
		},
		{
			name: "a rejected slot is taken", clauses: []string{"{role:A}", "{role:B}"},
			before: []step{{slot: 0, sig: aliceRejects}}, sign: step{slot: 0, sig: bob},
			wantErr:   signature.ErrSlotTaken,
			wantState: signature.Rejected, wantSlots: []signature.State{signature.Rejected, signature.Cancelled},
			wantSigned: map[int]signature.Signature{0: aliceRejects},
		},
		{
			name: "a slot of the last approval is taken", clauses: []string{"{role:A}"},
			before: []step{{slot: 0, sig: alice}}, sign: step{slot: 0, sig: bobRejects},
			wantErr:   signature.ErrSlotTaken,
			wantState: signature.Approved, wantSlots: []signature.State{signature.Approved},
			wantSigned: map[int]signature.Signature{0: alice},
		},
		{
			name: "an unsigned slot of a rejected request has no pending request", clauses: []string{"{role:A}", "{role:B}"},
			before: []step{{slot: 0, sig: aliceRejects}}, sign: step{slot: 1, sig: bob},
			wantErr:   signature.ErrNoRequest,
			wantState: signature.Rejected, wantSlots: []signature.State{signature.Rejected, signature.Cancelled},
			wantSigned: map[int]signature.Signature{0: aliceRejects},
		},
		{
			name: "a slot of a cancelled request has no pending request", clauses: []string{"{role:A}", "{role:B}"},
			before: []step{{slot: 0, sig: alice}}, cancel: true, sign: step{slot: 1, sig: bob},
			wantErr:   signature.ErrNoRequest,
			wantState: signature.Cancelled, wantSlots: []signature.State{signature.Approved, signature.Cancelled},
			wantSigned: map[int]signature.Signature{0: alice},
		},
		{
			name: "under forceUniqueUser a second slot by the same person is refused", clauses: []string{"{role:A}", "{role:B}"},
			before: []step{{slot: 0, sig: alice}}, sign: step{slot: 1, sig: signer("alice", true, 7), unique: true},
			wantErr:   signature.ErrSameSigner,
			wantState: signature.Pending, wantSlots: []signature.State{signature.Approved, signature.Pending},
			wantSigned: map[int]signature.Signature{0: alice},
		},
		{
			name: "under forceUniqueUser a rejection by the same person is refused too", clauses: []string{"{role:A}", "{role:B}"},
			before: []step{{slot: 0, sig: alice}}, sign: step{slot: 1, sig: signer("alice", false, 7), unique: true},
			wantErr:   signature.ErrSameSigner,
			wantState: signature.Pending, wantSlots: []signature.State{signature.Approved, signature.Pending},
			wantSigned: map[int]signature.Signature{0: alice},
		},
		{
			name: "under forceUniqueUser another person counts", clauses: []string{"{role:A}", "{role:B}"},
			before: []step{{slot: 0, sig: alice}}, sign: step{slot: 1, sig: bob, unique: true},
			wantState: signature.Approved, wantSlots: []signature.State{signature.Approved, signature.Approved},
			wantSigned: map[int]signature.Signature{0: alice, 1: bob},
		},
		{
			name: "without forceUniqueUser one person may sign every slot", clauses: []string{"{role:A}", "{role:B}"},
			before: []step{{slot: 0, sig: alice}}, sign: step{slot: 1, sig: signer("alice", true, 7)},
			wantState: signature.Approved, wantSlots: []signature.State{signature.Approved, signature.Approved},
			wantSigned: map[int]signature.Signature{0: alice, 1: signer("alice", true, 7)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := fresh(t, newDB)
			r := request("Line Release", "batch-1", 0, tt.clauses...)
			mustQueue(t, s, r)
			for _, st := range tt.before {
				mustSign(t, s, r, st.slot, st.sig)
			}
			if tt.cancel {
				if _, err := s.Cancel(ctx, r.ID); err != nil {
					t.Fatal(err)
				}
			}
			got, err := s.Sign(ctx, r.Slots[tt.sign.slot].ID, tt.sign.sig, tt.sign.unique)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Sign: %v, want %v", err, tt.wantErr)
			}

			want := asStored(r)
			want.State = tt.wantState
			for i, st := range tt.wantSlots {
				want.Slots[i].State = st
			}
			for i, sig := range tt.wantSigned {
				sig.SignedAt = stored(sig.SignedAt)
				want.Slots[i].Signature = &sig
			}
			if err == nil {
				sameRequest(t, "Sign's request", got, want)
			}
			_, read, err := s.Slot(ctx, r.Slots[0].ID)
			if err != nil {
				t.Fatal(err)
			}
			sameRequest(t, "the request read back", read, want)
		})
	}

	t.Run("an unknown slot is ErrNoSlot", func(t *testing.T) {
		t.Parallel()
		s := fresh(t, newDB)
		mustQueue(t, s, request("Line Release", "batch-1", 0, "{role:A}"))
		if _, err := s.Sign(ctx, uuid.New(), alice, false); !errors.Is(err, signature.ErrNoSlot) {
			t.Errorf("Sign(unknown) = %v, want ErrNoSlot", err)
		}
	})
}

func testCancel(t *testing.T, newDB NewDB) {
	ctx := context.Background()
	t.Run("cancel ends a pending request and keeps its signatures", func(t *testing.T) {
		t.Parallel()
		s := fresh(t, newDB)
		r := request("Line Release", "batch-1", 0, "{role:A}", "{role:B}")
		other := request("Line Release", "batch-2", 1, "{role:A}")
		mustQueue(t, s, r)
		mustQueue(t, s, other)
		alice := signer("alice", true, 5)
		mustSign(t, s, r, 0, alice)
		got, err := s.Cancel(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := withSignature(r, 0, alice)
		want.State, want.Slots[1].State = signature.Cancelled, signature.Cancelled
		sameRequest(t, "Cancel's request", got, want)
		if _, read, err := s.Slot(ctx, r.Slots[1].ID); err != nil {
			t.Fatal(err)
		} else {
			sameRequest(t, "the request read back", read, want)
		}
		pending, err := s.Pending(ctx, signature.Filter{})
		if err != nil || len(pending) != 1 || pending[0].ID != other.ID {
			t.Errorf("Pending after cancel = %v, %v; want only the other request", ids(pending), err)
		}
	})

	tests := []struct {
		name  string
		setup func(t *testing.T, s Store, r signature.Request) uuid.UUID
	}{
		{"an unknown request", func(t *testing.T, s Store, r signature.Request) uuid.UUID { return uuid.New() }},
		{"a slot's UUID", func(t *testing.T, s Store, r signature.Request) uuid.UUID { return r.Slots[0].ID }},
		{"a cancelled request", func(t *testing.T, s Store, r signature.Request) uuid.UUID {
			if _, err := s.Cancel(ctx, r.ID); err != nil {
				t.Fatal(err)
			}
			return r.ID
		}},
		{"an approved request", func(t *testing.T, s Store, r signature.Request) uuid.UUID {
			mustSign(t, s, r, 0, signer("alice", true, 5))
			return r.ID
		}},
		{"a rejected request", func(t *testing.T, s Store, r signature.Request) uuid.UUID {
			mustSign(t, s, r, 0, signer("alice", false, 5))
			return r.ID
		}},
	}
	for _, tt := range tests {
		t.Run("cancel refuses "+tt.name+" with ErrNoRequest", func(t *testing.T) {
			t.Parallel()
			s := fresh(t, newDB)
			r := request("Line Release", "batch-1", 0, "{role:A}")
			mustQueue(t, s, r)
			id := tt.setup(t, s, r)
			_, before, err := s.Slot(ctx, r.Slots[0].ID)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.Cancel(ctx, id); !errors.Is(err, signature.ErrNoRequest) {
				t.Errorf("Cancel = %v, want ErrNoRequest", err)
			}
			if _, after, err := s.Slot(ctx, r.Slots[0].ID); err != nil {
				t.Fatal(err)
			} else {
				sameRequest(t, "the request after a refused cancel", after, before)
			}
		})
	}
}
