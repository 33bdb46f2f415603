package signature_test

import (
	"context"
	"testing"

	"loginshell/internal/signature"
)

// TestQueueHandsTheStoreTheAtoms queues through the engine and lists by
// user: the store matches Filter.User from the atoms the engine parsed,
// having no parser of its own, so a request the engine queued without
// them would match no user.
func TestQueueHandsTheStoreTheAtoms(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "")
	ctx := context.Background()
	tmpl := lineRelease
	tmpl.Name, tmpl.Expression = "Named", `{role:Operator} AND ({role:Supervisor} OR { USERNAME : d\{a\}ve\\ })`
	if err := e.eng.PutTemplate(ctx, tmpl); err != nil {
		t.Fatal(err)
	}
	ids, err := e.eng.Queue(ctx, signature.Queuing{Template: tmpl.Name, Name: "Release line", Session: e.screen.Session()})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		user string
		want int
	}{
		{"the user a clause names finds the request", `d{a}ve\`, 1},
		{"in any case", `D{A}VE\`, 1},
		{"a role is not a user", "Operator", 0},
		{"another user does not", "bob", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := e.eng.Pending(ctx, signature.Filter{User: tt.user})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tt.want || (tt.want == 1 && got[0].Slots[0].ID != ids[0]) {
				t.Errorf("Pending(User %q) = %+v, want %d request(s)", tt.user, got, tt.want)
			}
		})
	}
}
