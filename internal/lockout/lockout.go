// Package lockout is the one policy for wrong passwords that every
// identity used for signing applies: LockoutThreshold consecutive
// failures of one user lock that user out for a delay that grows with
// each further failure (Delay). The keychain keeps its count on disk
// (internal/keychain, which survives restarts); an identity with nothing
// of its own on disk keeps it in memory (Memory, the demo's).
//
// Callers see a lockout as an error of kind fault.Locked somewhere in an
// error's tree: In tells, so the signature engine can raise an alert
// whichever identity locked the signer out, without knowing its types.
package lockout

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"loginshell/internal/fault"
)

// The policy. The first Threshold-1 consecutive wrong passwords cost
// nothing but the identity's own time; the Threshold-th locks the user out
// for Base; each further wrong password (tried once a lockout has expired)
// doubles the delay, capped at Max. Ten tries cover honest mistakes; after
// that a guesser gets about 24 guesses a day instead of millions.
const (
	Threshold = 10
	Base      = 30 * time.Second
	Max       = time.Hour
)

// Delay is the lockout after the n-th consecutive failure: none before
// Threshold.
func Delay(n int) time.Duration {
	if n < Threshold {
		return 0
	}
	d := Base
	for i := Threshold; i < n && d < Max; i++ {
		d *= 2
	}
	return min(d, Max)
}

// Error says a user may not try a password before Until, after Failures
// consecutive wrong ones. Its kind is fault.Locked; its text is safe to
// show the signer.
type Error struct {
	Until    time.Time
	Failures int
}

// Error says until when, in local time, and after how many failures.
func (e *Error) Error() string {
	return fmt.Sprintf("Signing as this user is locked after %d wrong passwords; try again after %s.",
		e.Failures, e.Until.Local().Format("15:04:05"))
}

// Kind is fault.Locked.
func (e *Error) Kind() fault.Kind { return fault.Locked }

// In reports whether err holds, anywhere in its tree, an error of kind
// fault.Locked: a lockout in force, or one that the failure err reports
// has just started (the keychain joins its *LockedError to the wrong
// password that locks). fault.KindOf sees only the outermost kind; In
// looks at every error the tree holds.
func In(err error) bool { return Of(err) != nil }

// Of returns the first error of kind fault.Locked in err's tree (see In),
// or nil: its text, safe to show, says until when.
func Of(err error) error {
	if err == nil {
		return nil
	}
	var k fault.Kinded
	if errors.As(err, &k) && k.Kind() == fault.Locked {
		return k
	}
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		return Of(u.Unwrap())
	case interface{ Unwrap() []error }:
		for _, e := range u.Unwrap() {
			if l := Of(e); l != nil {
				return l
			}
		}
	}
	return nil
}

// Memory counts consecutive wrong passwords per user in memory, under the
// policy above: the lockout of an identity that keeps nothing on disk.
// Unlike the keychain's count it does NOT survive a restart, so it suits
// only an identity whose passwords are not secret anyway (the demo's) or
// one that counts again elsewhere. The caller chooses the key of a user
// (one key per person, e.g. the user name in lower case) and counts only
// users it knows, so the map holds no more entries than there are users.
// Safe for concurrent use.
type Memory struct {
	now func() time.Time

	mu    sync.Mutex
	users map[string]state
}

type state struct {
	failures int
	until    time.Time
}

// NewMemory returns an empty count on the clock now.
func NewMemory(now func() time.Time) (*Memory, error) {
	if now == nil {
		return nil, errors.New("lockout: a clock is required")
	}
	return &Memory{now: now, users: map[string]state{}}, nil
}

// Check returns an *Error while user is locked out, before any password is
// looked at, so a locked user costs nothing; nil otherwise.
func (m *Memory) Check(user string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.users[user]
	if m.now().Before(s.until) {
		return &Error{Until: s.until, Failures: s.failures}
	}
	return nil
}

// Fail counts a wrong password of user and returns the *Error of the
// lockout it starts, or nil when it starts none.
func (m *Memory) Fail(user string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.users[user]
	s.failures++
	var locked error
	if d := Delay(s.failures); d > 0 {
		s.until = m.now().Add(d)
		locked = &Error{Until: s.until, Failures: s.failures}
	}
	m.users[user] = s
	return locked
}

// Succeed forgets user's failures: a right password ends the count.
func (m *Memory) Succeed(user string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.users, user)
}
