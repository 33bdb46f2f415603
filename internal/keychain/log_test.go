package keychain

import (
	"log/slog"
	"os"
	"strings"
	"testing"

	"loginshell/internal/logtest"
	"loginshell/internal/user"
)

// TestLogNeverHoldsAPassword runs every event through a text logger and
// checks that the events are there and no password is.
func TestLogNeverHoldsAPassword(t *testing.T) {
	t.Parallel()
	const (
		first  = "first-secret-Passw0rd"
		wrong  = "wrong-secret-Guess99"
		second = "second-secret-Passw0rd"
		weak   = "weak-1"
	)
	var out logtest.Buffer
	log := slog.New(slog.NewTextHandler(&out, &slog.HandlerOptions{Level: slog.LevelDebug}))
	clock := newClock()
	k := openTest(t, t.TempDir(), clock, log)

	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(k.Create("alice", first, aliceProfile()))
	k.Create("alice", weak, user.Profile{})
	for range LockoutThreshold + 1 {
		k.Unlock("alice", wrong)
	}
	clock.Advance(LockoutMax)
	_, err := k.Unlock("alice", first)
	must(err)
	k.ChangePassword("alice", wrong, second, nil)
	k.ChangePassword("alice", first, weak, nil)
	must(k.ChangePassword("alice", first, second, nil))
	must(os.WriteFile(k.vaultPath("alice"), []byte(`{"body":{}}`), 0o600))
	k.Unlock("alice", second)
	must(k.Remove("alice"))

	logged := out.String()
	for _, pw := range []string{first, wrong, second, weak} {
		if strings.Contains(logged, pw) {
			t.Errorf("the log holds password %q:\n%s", pw, logged)
		}
	}
	for _, want := range []string{
		"event=created", "event=failure", "event=lockout", "event=locked", "event=changed", "event=tampered", "event=removed",
		"user=alice", "failures=10",
	} {
		if !strings.Contains(logged, want) {
			t.Errorf("the log lacks %q:\n%s", want, logged)
		}
	}
}
