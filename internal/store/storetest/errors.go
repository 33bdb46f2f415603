package storetest

import (
	"context"
	"strings"
	"testing"

	"github.com/google/uuid"
	"loginshell/internal/fault"
	"loginshell/internal/signature"
)

// testErrors pins how a store reports what went wrong, the same in every
// store (store.Wrap): a refusal is the engine's own error exactly as
// fault.Detail makes it, never wrapped, so the dialog shows one text
// whichever store a station uses; any other failure is named by the
// operation, for the log.
func testErrors(t *testing.T, newDB NewDB) {
	ctx := context.Background()
	s := fresh(t, newDB)
	r := request("Line Release", "batch-1", 0, "{role:Operator}", "{role:Supervisor}", "{role:QA}")
	mustQueue(t, s, r)
	mustSign(t, s, r, 0, signer("alice", true, 1))
	cancelled := request("Line Release", "batch-2", 0, "{role:Operator}")
	mustQueue(t, s, cancelled)
	if _, err := s.Cancel(ctx, cancelled.ID); err != nil {
		t.Fatal(err)
	}
	unknown := uuid.MustParse("00000000-0000-4000-8000-000000000404")

	refusals := []struct {
		name string
		do   func() error
		want error
	}{
		{"an unknown slot", func() error { _, _, err := s.Slot(ctx, unknown); return err },
			fault.Detail(signature.ErrNoSlot, "%s", unknown)},
		{"signing an unknown slot", func() error { _, err := s.Sign(ctx, unknown, signer("bob", true, 2), false); return err },
			fault.Detail(signature.ErrNoSlot, "%s", unknown)},
		{"signing a signed slot", func() error { _, err := s.Sign(ctx, r.Slots[0].ID, signer("bob", true, 2), false); return err },
			fault.Detail(signature.ErrSlotTaken, "%s", r.Slots[0].ID)},
		{"signing a slot of a cancelled request", func() error {
			_, err := s.Sign(ctx, cancelled.Slots[0].ID, signer("bob", true, 2), false)
			return err
		}, fault.Detail(signature.ErrNoRequest, "%s is cancelled", cancelled.ID)},
		{"signing a second slot under forceUniqueUser", func() error { _, err := s.Sign(ctx, r.Slots[1].ID, signer("alice", true, 2), true); return err },
			fault.Detail(signature.ErrSameSigner, "alice signed slot %s", r.Slots[0].ID)},
		{"cancelling a request no longer pending", func() error { _, err := s.Cancel(ctx, cancelled.ID); return err },
			fault.Detail(signature.ErrNoRequest, "%s", cancelled.ID)},
		{"an unknown template", func() error { _, err := s.Template(ctx, "Nope"); return err },
			fault.Detail(signature.ErrNoTemplate, "%q", "Nope")},
		{"deleting an unknown template", func() error { return s.DeleteTemplate(ctx, "Nope") },
			fault.Detail(signature.ErrNoTemplate, "%q", "Nope")},
	}
	for _, tt := range refusals {
		t.Run("refused as the engine's error, unwrapped: "+tt.name, func(t *testing.T) {
			err := tt.do()
			if err == nil || err.Error() != tt.want.Error() || fault.KindOf(err) != fault.KindOf(tt.want) {
				t.Errorf("got %v, want exactly %v", err, tt.want)
			}
		})
	}

	t.Run("a failure of the database is named by the operation", func(t *testing.T) {
		again := request("Line Release", "batch-3", 0, "{role:Operator}")
		again.ID, again.Slots[0].Request = r.ID, r.ID // the UUID is in use
		err := s.Queue(ctx, again)
		if prefix := "queue " + r.ID.String() + ": "; err == nil || !strings.HasPrefix(err.Error(), prefix) || fault.KindOf(err) != fault.Internal {
			t.Errorf("got %v (%v), want an internal error starting %q", err, fault.KindOf(err), prefix)
		}
	})

	t.Run("a request refused before the database is named by the operation", func(t *testing.T) {
		bad := request("Line Release", "batch-4", 0, "{role:Operator}")
		bad.ID, bad.Slots[0].Request = uuid.Nil, uuid.Nil
		if err := s.Queue(ctx, bad); err == nil || err.Error() != "queue: the request has no UUID" {
			t.Errorf("got %v, want %q", err, "queue: the request has no UUID")
		}
	})
}
