package storetest

import (
	"context"
	"errors"
	"testing"

	"loginshell/internal/audit"
	"loginshell/internal/signature"
)

// testOrder: a request queued under an ordered template (Request.Rules)
// takes its signatures in the order of its slots, whichever dialog or
// station they come from: store.Settle refuses one too early with
// signature.ErrNotPosted, and nothing is written.
func testOrder(t *testing.T, newDB NewDB) {
	ctx := context.Background()
	queue := func(t *testing.T, s Store, ordered bool) signature.Request {
		t.Helper()
		r := request("Line Release", "batch-7", 1, "{role:Operator}", "{role:Supervisor}")
		r.Rules = &signature.Template{Name: "Line Release", Expression: "{role:Operator} AND {role:Supervisor}", Meaning: "Approval", Ordered: ordered}
		if err := s.Queue(ctx, r); err != nil {
			t.Fatal(err)
		}
		return r
	}
	t.Run("a later slot of an ordered request is refused while an earlier one is pending, writing nothing", func(t *testing.T) {
		t.Parallel()
		s := fresh(t, newDB)
		r := queue(t, s, true)
		called := false
		_, _, err := s.SignAudited(ctx, r.Slots[1].ID, signer("bob", true, 5), false, func(signature.Request) []audit.Entry {
			called = true
			return nil
		})
		if !errors.Is(err, signature.ErrNotPosted) {
			t.Fatalf("SignAudited of the second slot first = %v, want ErrNotPosted", err)
		}
		if called {
			t.Error("the entries of a refused signature were asked for")
		}
		slot, _, err := s.Slot(ctx, r.Slots[1].ID)
		if err != nil || slot.State != signature.Pending || slot.Signature != nil {
			t.Errorf("the refused slot is %+v, %v; want it pending and unsigned", slot, err)
		}
		if _, err := s.Sign(ctx, r.Slots[0].ID, signer("alice", true, 6), false); err != nil {
			t.Fatal(err)
		}
		got, err := s.Sign(ctx, r.Slots[1].ID, signer("bob", true, 7), false)
		if err != nil || got.State != signature.Approved {
			t.Errorf("the second slot after the first = %v, %v; want the request approved", got.State, err)
		}
	})
	t.Run("an unordered request takes its slots in any order", func(t *testing.T) {
		t.Parallel()
		s := fresh(t, newDB)
		r := queue(t, s, false)
		if _, err := s.Sign(ctx, r.Slots[1].ID, signer("bob", true, 5), false); err != nil {
			t.Errorf("the second slot first = %v", err)
		}
	})
}
