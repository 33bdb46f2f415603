package keychain

import (
	"log/slog"
	"sync"
	"testing"
	"time"

	"loginshell/internal/user"
)

// cheapParams keep argon2id fast enough for -race; Options.InsecureAllowWeakParams
// lets the tests use them.
var cheapParams = Params{Time: 1, MemoryKiB: 64, Threads: 1}

const (
	goodPassword  = "correct horse battery"
	otherPassword = "tr0ub4dor&3-nope"
)

// fakeClock is a fixed clock the test moves by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *fakeClock {
	return &fakeClock{t: time.Date(2025, 3, 4, 8, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// openTest opens a Keychain with cheap parameters over dir.
func openTest(t *testing.T, dir string, clock *fakeClock, log *slog.Logger) *Keychain {
	t.Helper()
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	k, err := Open(Options{Dir: dir, Now: clock.Now, Params: cheapParams, Log: log, InsecureAllowWeakParams: true})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return k
}

func aliceProfile() user.Profile {
	return user.Profile{
		Username:        "alice",
		Name:            "Alice Martin",
		Email:           "alice@example.com",
		Roles:           []string{"operator", "qa"},
		IdP:             "https://idp.example.com",
		AuthenticatedAt: time.Date(2025, 3, 4, 7, 59, 0, 0, time.UTC),
	}
}

// newAlice returns a keychain in a fresh directory holding alice's vault.
func newAlice(t *testing.T) (*Keychain, *fakeClock, string) {
	t.Helper()
	dir := t.TempDir()
	clock := newClock()
	k := openTest(t, dir, clock, nil)
	if err := k.Create("alice", goodPassword, aliceProfile()); err != nil {
		t.Fatalf("Create: %v", err)
	}
	return k, clock, dir
}
