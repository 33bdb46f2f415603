package keychain

import (
	"errors"
	"log/slog"
	"os"
	"testing"
	"time"
)

// The tests in this file pin what the README and the doc comments promise
// with the promised numbers written out, never through the package's own
// constants or functions: a test that compares LockoutThreshold with
// LockoutThreshold keeps passing when someone raises it to 11.

// TestTenWrongPasswordsLockOut pins "lockout after 10 wrong passwords"
// (README, Data directory): nine wrong passwords in a row are only wrong,
// the tenth locks the user out for 30 s.
func TestTenWrongPasswordsLockOut(t *testing.T) {
	t.Parallel()
	if LockoutThreshold != 10 {
		t.Errorf("LockoutThreshold = %d, the README promises 10", LockoutThreshold)
	}
	k, clock, _ := newAlice(t)
	for i := 1; i <= 9; i++ {
		if _, err := k.Unlock("alice", otherPassword); !errors.Is(err, ErrWrongPassword) || errors.Is(err, ErrLocked) {
			t.Fatalf("wrong password %d of 9: %v, want ErrWrongPassword and no lockout", i, err)
		}
	}
	_, err := k.Unlock("alice", otherPassword)
	var locked *LockedError
	if !errors.As(err, &locked) {
		t.Fatalf("wrong password 10: %v, want a *LockedError", err)
	}
	if locked.Failures != 10 {
		t.Errorf("LockedError.Failures = %d, want 10", locked.Failures)
	}
	if want := clock.Now().Add(30 * time.Second); !locked.Until.Equal(want) {
		t.Errorf("locked until %v, want 30 s later (%v)", locked.Until, want)
	}
	// Even the right password is refused now: the lockout is not advisory.
	if _, err := k.Unlock("alice", goodPassword); !errors.Is(err, ErrLocked) {
		t.Errorf("the right password during the lockout = %v, want ErrLocked", err)
	}
}

// TestLockoutScheduleInNumbers pins the delays lockout.go documents: 30 s
// at the tenth failure, doubling per further failure, capped at one hour.
func TestLockoutScheduleInNumbers(t *testing.T) {
	t.Parallel()
	if LockoutBase != 30*time.Second || LockoutMax != time.Hour {
		t.Errorf("LockoutBase = %v, LockoutMax = %v; documented 30s and 1h", LockoutBase, LockoutMax)
	}
	tests := []struct {
		name     string
		failures int
		want     time.Duration
	}{
		{"nine failures cost nothing", 9, 0},
		{"the tenth failure locks for 30 seconds", 10, 30 * time.Second},
		{"the eleventh locks for a minute", 11, time.Minute},
		{"the twelfth locks for two minutes", 12, 2 * time.Minute},
		{"the sixteenth locks for 32 minutes", 16, 32 * time.Minute},
		{"the seventeenth reaches the one-hour cap", 17, time.Hour},
		{"the cap holds after that", 18, time.Hour},
		{"no failure count exceeds the cap", 1 << 20, time.Hour},
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

// TestDamagedStateLocksForThirtySeconds pins the fail-closed value of a
// damaged state file: a fresh lockout at ten failures, not a cleared count.
func TestDamagedStateLocksForThirtySeconds(t *testing.T) {
	t.Parallel()
	k, clock, _ := newAlice(t)
	if err := os.WriteFile(k.statePath("alice"), []byte(`{"failures":-1}`), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := k.Unlock("alice", goodPassword)
	var locked *LockedError
	if !errors.As(err, &locked) {
		t.Fatalf("Unlock with a negative failure count = %v, want a *LockedError", err)
	}
	if locked.Failures != 10 || !locked.Until.Equal(clock.Now().Add(30*time.Second)) {
		t.Errorf("locked = %+v, want 10 failures and 30 s", locked)
	}
}

// TestDefaultParamsAreSixtyFourMiBThreePassesTwoLanes pins the defaults the
// doc comment promises (m=64 MiB, t=3, p=2), both as returned and as what
// Open picks when Options.Params is zero.
func TestDefaultParamsAreSixtyFourMiBThreePassesTwoLanes(t *testing.T) {
	t.Parallel()
	want := Params{Time: 3, MemoryKiB: 65536, Threads: 2}
	if got := DefaultParams(); got != want {
		t.Errorf("DefaultParams() = %v, want %v", got, want)
	}
	k, err := Open(Options{Dir: t.TempDir(), Now: newClock().Now, Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	if k.params != want {
		t.Errorf("Open with zero Params uses %v, want %v", k.params, want)
	}
	if k.minimum != (Params{Time: 2, MemoryKiB: 19456, Threads: 1}) {
		t.Errorf("Open without the insecure switch enforces %v, want m=19456KiB,t=2,p=1", k.minimum)
	}
}

// owaspBoundary lists parameters at and just below the OWASP minimum
// (m=19 MiB = 19456 KiB, t=2, p=1), one dimension at a time.
var owaspBoundary = []struct {
	name   string
	params Params
	ok     bool
}{
	{"exactly the OWASP minimum is accepted", Params{Time: 2, MemoryKiB: 19456, Threads: 1}, true},
	{"one KiB less memory is refused", Params{Time: 2, MemoryKiB: 19455, Threads: 1}, false},
	{"1 MiB of memory is refused", Params{Time: 2, MemoryKiB: 1024, Threads: 1}, false},
	{"one pass is refused", Params{Time: 1, MemoryKiB: 19456, Threads: 1}, false},
	{"zero lanes are refused", Params{Time: 2, MemoryKiB: 19456, Threads: 0}, false},
	{"more of everything is accepted", Params{Time: 3, MemoryKiB: 19457, Threads: 2}, true},
}

func TestMinParamsAreTheOWASPMinimum(t *testing.T) {
	t.Parallel()
	if got, want := MinParams(), (Params{Time: 2, MemoryKiB: 19456, Threads: 1}); got != want {
		t.Errorf("MinParams() = %v, want %v", got, want)
	}
	// A caller cannot lower the floor through the value it was given.
	m := MinParams()
	m.MemoryKiB = 1
	if MinParams().MemoryKiB != 19456 {
		t.Error("changing a returned MinParams changed the package's minimum")
	}
	d := DefaultParams()
	d.Time = 1
	if DefaultParams().Time != 3 {
		t.Error("changing a returned DefaultParams changed the package's defaults")
	}
}

// TestOpenEnforcesTheOWASPMinimum: Options.Params below m=19 MiB, t=2, p=1
// are refused without the insecure switch.
func TestOpenEnforcesTheOWASPMinimum(t *testing.T) {
	t.Parallel()
	for _, tt := range owaspBoundary {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Open(Options{Dir: t.TempDir(), Now: newClock().Now, Log: slog.New(slog.DiscardHandler), Params: tt.params})
			if (err == nil) != tt.ok {
				t.Errorf("Open with %v: %v, want accepted = %v", tt.params, err, tt.ok)
			}
		})
	}
}

// TestVaultBelowTheOWASPMinimumIsTampered: a vault file whose parameters
// were lowered below m=19 MiB, t=2, p=1 (checksum redone) is refused as
// tampered before any key is derived; one at the minimum is not.
func TestVaultBelowTheOWASPMinimumIsTampered(t *testing.T) {
	t.Parallel()
	k, _, _ := newAlice(t)
	data, err := os.ReadFile(k.vaultPath("alice"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range owaspBoundary {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			edited := editBody(setParams(tt.params), true)(t, data)
			_, err := parse(edited, "alice", MinParams())
			if tt.ok && err != nil {
				t.Errorf("parse with %v: %v, want accepted", tt.params, err)
			}
			if !tt.ok && !errors.Is(err, ErrTampered) {
				t.Errorf("parse with %v: %v, want ErrTampered", tt.params, err)
			}
		})
	}
}

// TestAVaultAtTheMinimumWorksInProduction runs the real argon2id at the
// OWASP minimum (19 MiB, so cheap enough under -race) through Open, Create
// and Unlock without the insecure switch.
func TestAVaultAtTheMinimumWorksInProduction(t *testing.T) {
	t.Parallel()
	clock := newClock()
	floor := Params{Time: 2, MemoryKiB: 19456, Threads: 1}
	k, err := Open(Options{Dir: t.TempDir(), Now: clock.Now, Log: slog.New(slog.DiscardHandler), Params: floor})
	if err != nil {
		t.Fatal(err)
	}
	if err := k.Create("alice", goodPassword, aliceProfile()); err != nil {
		t.Fatal(err)
	}
	if _, err := k.Unlock("alice", goodPassword); err != nil {
		t.Fatalf("Unlock at the minimum: %v", err)
	}
	b, err := k.readVault("alice")
	if err != nil {
		t.Fatal(err)
	}
	if b.Params != floor {
		t.Errorf("vault params = %v, want %v", b.Params, floor)
	}
}
