package signature_test

import (
	"context"
	"errors"
	"testing"

	"loginshell/internal/fault"
	"loginshell/internal/signature"
)

// TestOrderedSlots: under an ordered template a later slot cannot be
// triggered while an earlier one is pending: the seed's "Could not post
// authorization challenge" (ErrNotPosted, 409 over REST) saying which
// signature comes first; the template as the request was queued decides,
// not the template as it is now.
func TestOrderedSlots(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, tt := range []struct {
		name    string
		queued  bool // the template is ordered when the request is queued
		now     bool // and after
		first   bool // the first slot is signed before the second is triggered
		wantErr error
	}{
		{name: "the second slot waits for the first", queued: true, now: true, wantErr: signature.ErrNotPosted},
		{name: "the second slot follows the first", queued: true, now: true, first: true},
		{name: "a request queued ordered stays ordered when the template no longer is", queued: true, now: false, wantErr: signature.ErrNotPosted},
		{name: "a request queued unordered stays unordered when the template becomes ordered", queued: false, now: true},
		{name: "an unordered template signs in any order", queued: false, now: false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, "")
			put := func(order bool) {
				tmpl := lineRelease
				tmpl.Ordered = order
				if err := e.eng.PutTemplate(ctx, tmpl); err != nil {
					t.Fatal(err)
				}
			}
			put(tt.queued)
			ids := e.queue(t)
			put(tt.now)
			if tt.first {
				if _, err := e.sign(t, ids[0], true, "operator", "operator-pass-1", ""); err != nil {
					t.Fatal(err)
				}
			}
			for _, approve := range []bool{true, false} {
				err := e.eng.Trigger(ctx, ids[1], e.screen.Session(), e.page, approve, signature.Plant)
				if !errors.Is(err, tt.wantErr) || (err == nil) != (tt.wantErr == nil) {
					t.Fatalf("Trigger(approve %v) = %v, want %v", approve, err, tt.wantErr)
				}
				if err == nil {
					if c := e.screen.Current().Challenge; c == nil || c.Slot != ids[1] {
						t.Fatalf("the dialog shows %+v, want the second slot", c)
					}
					if err := e.eng.Dismiss(ctx, e.screen.Current().Challenge.ID); err != nil {
						t.Fatal(err)
					}
					continue
				}
				const want = "Could not post authorization challenge: signature 1 of 2 (an operator) must be given first"
				if fault.Text(err) != want || fault.KindOf(err) != fault.Conflict {
					t.Errorf("the refusal says %q (%v), want %q (Conflict)", fault.Text(err), fault.KindOf(err), want)
				}
				if c := e.screen.Current().Challenge; c != nil {
					t.Errorf("a dialog is up for a slot out of order: %+v", c)
				}
			}
		})
	}
}
