package app

import "testing"

// The C side asks loginshellHoldModal for every page's box; it answers what
// the hold it was handed says, and shows the box for anything else.
func TestHoldModalAnswersWhatHoldSays(t *testing.T) {
	t.Parallel()
	held := false
	h := handleOf(func() bool { return held })
	if got := loginshellHoldModal(h); got != 0 {
		t.Errorf("with no dialog open = %d, want 0 (the box shows)", got)
	}
	held = true
	if got := loginshellHoldModal(h); got != 1 {
		t.Errorf("with a dialog open = %d, want 1 (answered at once)", got)
	}
}
