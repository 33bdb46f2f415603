package signature_test

import (
	"context"
	"testing"

	"loginshell/internal/audit"
	"loginshell/internal/signature"
)

// TestMeaningOfTheDecision: the challenge states the meaning of the
// decision asked for, and the signature, the outcome and every audit
// entry of the slot record the meaning of the decision made: a rejection
// never the approval's meaning.
func TestMeaningOfTheDecision(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, tt := range []struct {
		name          string
		rejectMeaning string
		approve       bool
		want          string
	}{
		{"an approval means the template's meaning", "Rejection: the line stays stopped", true, "Approval"},
		{"a rejection means the template's reject meaning", "Rejection: the line stays stopped", false, "Rejection: the line stays stopped"},
		{"a rejection under a template without a reject meaning means Rejected", "", false, signature.DefaultRejectMeaning},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, "")
			tmpl := lineRelease
			tmpl.RejectMeaning = tt.rejectMeaning
			if err := e.eng.PutTemplate(ctx, tmpl); err != nil {
				t.Fatal(err)
			}
			ids := e.queue(t)
			if err := e.eng.Trigger(ctx, ids[0], e.screen.Session(), e.page, tt.approve, signature.Plant); err != nil {
				t.Fatal(err)
			}
			c := e.screen.Current().Challenge
			if c == nil || c.Meaning != tt.want {
				t.Fatalf("the dialog shows %+v, want the meaning %q", c, tt.want)
			}
			o, err := e.eng.Answer(ctx, c.ID, "operator", "operator-pass-1", "")
			if err != nil {
				t.Fatal(err)
			}
			if o.Meaning != tt.want {
				t.Errorf("the outcome means %q, want %q", o.Meaning, tt.want)
			}
			slot, _, err := e.store.Slot(ctx, ids[0])
			if err != nil || slot.Signature == nil || slot.Signature.Meaning != tt.want || slot.Signature.Approve != tt.approve {
				t.Fatalf("the slot holds %+v, %v; want a signature meaning %q", slot.Signature, err, tt.want)
			}
			var slotEntries int
			err = e.store.AuditEntries(ctx, func(en audit.Entry) error {
				if en.Slot != ids[0].String() {
					return nil
				}
				slotEntries++
				if en.Meaning != tt.want {
					t.Errorf("the %s entry means %q, want %q", en.Event, en.Meaning, tt.want)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if slotEntries < 4 { // trigger, attempt, success, approve or reject
				t.Errorf("%d audit entries of the slot, want its trigger, attempt, success and decision", slotEntries)
			}
		})
	}
}
