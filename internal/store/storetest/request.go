package storetest

import (
	"context"
	"errors"
	"testing"

	"github.com/google/uuid"
	"loginshell/internal/signature"
)

// testRequest is Store.Request: one request by its own UUID, whole, in
// every state it can be in, and nothing for any other UUID.
func testRequest(t *testing.T, newDB NewDB) {
	ctx := context.Background()
	t.Run("a request reads back whole by its UUID while pending, approved, rejected and cancelled", func(t *testing.T) {
		t.Parallel()
		s := fresh(t, newDB)
		pending := request("Line Release", "pending", 0, "{role:Operator}", "{role:Supervisor}")
		pending.Owner = "lineapp"
		pending.Rules = &signature.Template{Name: "Line Release", Expression: "{role:Operator} AND {role:Supervisor}", IDP: "local", Meaning: "Approval"}
		// The template as the engine keeps it (RulesJSON), byte for byte.
		pending.RulesJSON = `{"name":"Line Release","expression":"{role:Operator} AND {role:Supervisor}","idp":"local","meaning":"Approval"}`
		approved := request("Line Release", "approved", 1, "{role:Operator}")
		rejected := request("Line Release", "rejected", 2, "{role:Operator}", "{role:Supervisor}")
		cancelled := request("Line Release", "cancelled", 3, "{role:Operator}")
		for _, r := range []signature.Request{pending, approved, rejected, cancelled} {
			mustQueue(t, s, r)
		}
		alice, bob, carol := signer("alice", true, 5), signer("bob", true, 6), signer("carol", false, 7)
		mustSign(t, s, pending, 0, alice)
		mustSign(t, s, approved, 0, bob)
		mustSign(t, s, rejected, 0, carol)
		if _, err := s.Cancel(ctx, cancelled.ID); err != nil {
			t.Fatal(err)
		}

		wantApproved := withSignature(approved, 0, bob)
		wantApproved.State = signature.Approved
		wantRejected := withSignature(rejected, 0, carol)
		wantRejected.State, wantRejected.Slots[1].State = signature.Rejected, signature.Cancelled
		wantCancelled := asStored(cancelled)
		wantCancelled.State, wantCancelled.Slots[0].State = signature.Cancelled, signature.Cancelled
		for _, tt := range []struct {
			name string
			want signature.Request
		}{
			{"pending, one slot signed", withSignature(pending, 0, alice)},
			{"approved", wantApproved},
			{"rejected", wantRejected},
			{"cancelled", wantCancelled},
		} {
			got, err := s.Request(ctx, tt.want.ID)
			if err != nil {
				t.Errorf("Request(%s) = %v", tt.name, err)
				continue
			}
			sameRequest(t, "Request("+tt.name+")", got, tt.want)
		}
	})

	t.Run("a slot's UUID or an unknown one is ErrUnknownRequest", func(t *testing.T) {
		t.Parallel()
		s := fresh(t, newDB)
		r := request("Line Release", "batch-1", 0, "{role:Operator}")
		mustQueue(t, s, r)
		for name, id := range map[string]uuid.UUID{"a slot's UUID": r.Slots[0].ID, "an unknown UUID": uuid.New()} {
			if got, err := s.Request(ctx, id); !errors.Is(err, signature.ErrUnknownRequest) {
				t.Errorf("Request(%s) = %+v, %v; want ErrUnknownRequest", name, got, err)
			}
		}
	})
}
