package keychain

import (
	"errors"
	"os"
	"testing"
	"time"

	"loginshell/internal/user"
)

func TestLockoutDelay(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		failures int
		want     time.Duration
	}{
		{"no failures, no delay", 0, 0},
		{"one short of the threshold, no delay", LockoutThreshold - 1, 0},
		{"the threshold locks for the base delay", LockoutThreshold, 30 * time.Second},
		{"each further failure doubles it", LockoutThreshold + 1, time.Minute},
		{"six more reach 32 minutes", LockoutThreshold + 6, 32 * time.Minute},
		{"seven more hit the one-hour cap", LockoutThreshold + 7, time.Hour},
		{"the cap holds for ever", 1000, time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := lockoutDelay(tt.failures); got != tt.want {
				t.Errorf("lockoutDelay(%d) = %v, want %v", tt.failures, got, tt.want)
			}
		})
	}
}

// TestLockoutSurvivesRestart walks one user through a lockout, a restart and
// its expiry; the steps depend on each other, so they run in order.
func TestLockoutSurvivesRestart(t *testing.T) {
	t.Parallel()
	k, clock, dir := newAlice(t)
	for i := 1; i < LockoutThreshold; i++ {
		_, err := k.Unlock("alice", otherPassword)
		if !errors.Is(err, ErrWrongPassword) || errors.Is(err, ErrLocked) {
			t.Fatalf("failure %d: %v, want ErrWrongPassword only", i, err)
		}
	}
	_, err := k.Unlock("alice", otherPassword)
	var locked *LockedError
	if !errors.Is(err, ErrWrongPassword) || !errors.As(err, &locked) {
		t.Fatalf("failure %d: %v, want ErrWrongPassword and a *LockedError", LockoutThreshold, err)
	}
	if want := clock.Now().Add(LockoutBase); !locked.Until.Equal(want) || locked.Failures != LockoutThreshold {
		t.Fatalf("locked = %+v, want until %v after %d failures", locked, want, LockoutThreshold)
	}

	// A locked user gets LockedError before the vault is even read: a
	// damaged vault does not change the answer, so no key was derived.
	vault, err := os.ReadFile(k.vaultPath("alice"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(k.vaultPath("alice"), []byte("garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := k.Unlock("alice", goodPassword); !errors.Is(err, ErrLocked) {
		t.Fatalf("Unlock while locked = %v, want ErrLocked", err)
	}
	if err := k.ChangePassword("alice", goodPassword, "a brand new password", nil); !errors.Is(err, ErrLocked) {
		t.Fatalf("ChangePassword while locked = %v, want ErrLocked", err)
	}
	if err := os.WriteFile(k.vaultPath("alice"), vault, 0o600); err != nil {
		t.Fatal(err)
	}

	restarted := openTest(t, dir, clock, nil)
	clock.Advance(LockoutBase - time.Second)
	if _, err := restarted.Unlock("alice", goodPassword); !errors.Is(err, ErrLocked) {
		t.Fatalf("Unlock after restart, still inside the delay = %v, want ErrLocked", err)
	}
	clock.Advance(time.Second)
	got, err := restarted.Unlock("alice", goodPassword)
	if err != nil {
		t.Fatalf("Unlock once the delay passed: %v", err)
	}
	if got.Username != "alice" {
		t.Errorf("profile username = %q", got.Username)
	}
	// The success reset the count: one wrong password is just wrong again.
	if _, err := restarted.Unlock("alice", otherPassword); !errors.Is(err, ErrWrongPassword) || errors.Is(err, ErrLocked) {
		t.Fatalf("first failure after a success = %v, want ErrWrongPassword only", err)
	}
}

func TestLockoutGrowsAfterExpiry(t *testing.T) {
	t.Parallel()
	k, clock, _ := newAlice(t)
	for range LockoutThreshold {
		k.Unlock("alice", otherPassword)
	}
	clock.Advance(LockoutBase)
	_, err := k.Unlock("alice", otherPassword)
	var locked *LockedError
	if !errors.As(err, &locked) {
		t.Fatalf("failure after the lockout expired = %v, want a new *LockedError", err)
	}
	if want := clock.Now().Add(2 * LockoutBase); !locked.Until.Equal(want) {
		t.Errorf("locked until %v, want %v (doubled)", locked.Until, want)
	}
}

func TestLockoutIsPerUser(t *testing.T) {
	t.Parallel()
	k, _, _ := newAlice(t)
	if err := k.Create("bob", goodPassword, aliceProfileAs("bob")); err != nil {
		t.Fatal(err)
	}
	for range LockoutThreshold {
		k.Unlock("alice", otherPassword)
	}
	if _, err := k.Unlock("bob", goodPassword); err != nil {
		t.Fatalf("bob is caught by alice's lockout: %v", err)
	}
}

func TestRemoveAndCreateLiftALockout(t *testing.T) {
	t.Parallel()
	k, _, _ := newAlice(t)
	for range LockoutThreshold {
		k.Unlock("alice", otherPassword)
	}
	if err := k.Remove("alice"); err != nil {
		t.Fatal(err)
	}
	if err := k.Create("alice", otherPassword, aliceProfile()); err != nil {
		t.Fatal(err)
	}
	if _, err := k.Unlock("alice", otherPassword); err != nil {
		t.Fatalf("Unlock after a fresh setup: %v", err)
	}
}

func TestDamagedStateFailsClosed(t *testing.T) {
	t.Parallel()
	k, clock, _ := newAlice(t)
	if err := os.WriteFile(k.statePath("alice"), []byte(`{"failures":`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := k.Unlock("alice", goodPassword); !errors.Is(err, ErrLocked) {
		t.Fatalf("Unlock with a damaged state file = %v, want ErrLocked", err)
	}
	clock.Advance(LockoutBase)
	if _, err := k.Unlock("alice", goodPassword); err != nil {
		t.Fatalf("Unlock after the delay: %v", err)
	}
}

func aliceProfileAs(username string) (p user.Profile) {
	p = aliceProfile()
	p.Username = username
	return p
}
