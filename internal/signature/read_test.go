package signature_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/uuid"
	"loginshell/internal/fault"
	"loginshell/internal/signature"
)

// A page that reloaded reads what became of its request by any UUID
// queueAuthRequest gave it, settled or not, and never another package's.
func TestRequestByUUID(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t, "")
	queue := func(owner, to string) []uuid.UUID {
		t.Helper()
		ids, err := e.eng.Queue(ctx, signature.Queuing{Template: lineRelease.Name, Name: "Release line", Session: e.screen.Session(),
			Owner: owner, AddressedTo: to})
		if err != nil {
			t.Fatal(err)
		}
		return ids
	}
	own := queue("lineapp", "")
	routed := queue(signature.Plant, "lineapp")
	everyone := queue(signature.Plant, "")
	if _, err := e.sign(t, own[0], true, "operator", "operator-pass-1", "checked"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.sign(t, own[1], true, "supervisor", "supervisor-pass-1", "released"); err != nil {
		t.Fatal(err)
	}
	first, _, err := e.store.Slot(ctx, own[0])
	if err != nil {
		t.Fatal(err)
	}
	ownID := first.Request

	t.Run("a settled request reads back by its UUID and by each slot's, signatures included", func(t *testing.T) {
		t.Parallel()
		for _, id := range []uuid.UUID{ownID, own[0], own[1]} {
			for _, by := range []string{"lineapp", signature.Plant} {
				r, err := e.eng.Request(ctx, id, by)
				if err != nil {
					t.Fatalf("Request(%s) by %q = %v", id, by, err)
				}
				if r.ID != ownID || r.State != signature.Approved || len(r.Slots) != 2 {
					t.Fatalf("Request(%s) by %q = %+v, want the approved request", id, by, r)
				}
				if s := r.Slots[1].Signature; s == nil || s.Signer.UserID != "supervisor" || s.Comment != "released" || !s.Approve {
					t.Errorf("Request(%s) by %q: slot 2 signed %+v, want supervisor's approval", id, by, s)
				}
			}
		}
	})

	unknown := uuid.New()
	_, unknownErr := e.eng.Request(ctx, unknown, "lineapp")
	if !errors.Is(unknownErr, signature.ErrUnknownRequest) || fault.Text(unknownErr) != "No authorization request with UUID "+unknown.String() {
		t.Fatalf("Request(unknown) = %v, want ErrUnknownRequest naming the UUID", unknownErr)
	}
	for _, tt := range []struct {
		name string
		id   uuid.UUID
		by   string
		see  bool
	}{
		{"another package's own request, by its UUID", ownID, "hostile", false},
		{"another package's own request, by a slot's UUID", own[0], "hostile", false},
		{"the plant's request routed to another package", routed[0], "hostile", false},
		{"the plant's request routed to this package", routed[0], "lineapp", true},
		{"the plant's request routed to every package", everyone[1], "hostile", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r, err := e.eng.Request(ctx, tt.id, tt.by)
			if tt.see {
				if err != nil || r.State != signature.Pending {
					t.Errorf("Request = %+v, %v; want the pending request", r, err)
				}
				return
			}
			// As absent as an unknown UUID: the same error, the same text but the UUID.
			if !errors.Is(err, signature.ErrUnknownRequest) || fault.Text(err) != "No authorization request with UUID "+tt.id.String() || r.ID != uuid.Nil {
				t.Errorf("Request = %+v, %v; want it absent to %q", r, err, tt.by)
			}
		})
	}
}

// TestARequestSetApprovedInTheStoreIsNoOutcome: a page that reads a
// request (getAuthRequest) set approved in the store, its slots unsigned,
// gets ErrUnsettled saying so, never the approval; a request settled by
// its signatures reads as before.
func TestARequestSetApprovedInTheStoreIsNoOutcome(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t, "")
	ids := e.queue(t)
	db := e.owner(t)
	if _, err := db.Exec(`UPDATE requests SET state = 'approved'`); err != nil {
		t.Fatal(err)
	}
	r, err := e.eng.Request(ctx, ids[0], signature.Plant)
	if !errors.Is(err, signature.ErrUnsettled) || !strings.Contains(fault.Text(err), `("Release line") is approved in the signature store, but its signatures do not settle it so`) {
		t.Fatalf("Request of a request set approved = %+v, %v; want ErrUnsettled naming it", r, err)
	}
	if _, err := db.Exec(`UPDATE requests SET state = 'pending'`); err != nil {
		t.Fatal(err)
	}
	if r, err := e.eng.Request(ctx, ids[0], signature.Plant); err != nil || r.State != signature.Pending {
		t.Errorf("Request of the pending request = %v, %v", r.State, err)
	}
}
