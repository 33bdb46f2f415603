package keychain

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"loginshell/internal/atomicfile"
	"loginshell/internal/fault"
	"loginshell/internal/lockout"
)

// Lockout policy: the one every identity used for signing applies
// (internal/lockout), here counted on disk. The first LockoutThreshold-1
// consecutive wrong passwords cost nothing but the argon2id time. The
// LockoutThreshold-th locks the user out for LockoutBase; each further
// wrong password (tried once a lockout has expired) doubles the delay,
// capped at LockoutMax. A correct password, a new vault (Create) or Remove
// resets the count.
const (
	LockoutThreshold = lockout.Threshold
	LockoutBase      = lockout.Base
	LockoutMax       = lockout.Max
)

// lockoutState is the per-user state file, kept apart from the vault so a
// failure never rewrites the vault.
type lockoutState struct {
	Failures    int       `json:"failures"`
	LastFailure time.Time `json:"last_failure"`
	LockedUntil time.Time `json:"locked_until,omitzero"`
}

// lockoutDelay is the lockout after the n-th consecutive failure.
func lockoutDelay(n int) time.Duration { return lockout.Delay(n) }

// loadState reads username's lockout state. A missing file is no failures.
// A damaged one fails closed: it is replaced by a fresh lockout, since a
// cleared count must not be one byte-flip away.
func (k *Keychain) loadState(username string) (lockoutState, error) {
	data, err := os.ReadFile(k.statePath(username))
	if errors.Is(err, os.ErrNotExist) {
		return lockoutState{}, nil
	}
	if err != nil {
		return lockoutState{}, fmt.Errorf("read lockout state: %w", err)
	}
	var s lockoutState
	if err := strictUnmarshal(data, &s); err == nil && s.Failures >= 0 {
		return s, nil
	}
	now := k.now()
	s = lockoutState{Failures: LockoutThreshold, LastFailure: now, LockedUntil: now.Add(LockoutBase)}
	k.log.Warn("keychain lockout state damaged; locking", "event", "lockout",
		"user", username, "failures", s.Failures, "until", s.LockedUntil)
	if err := k.saveState(username, s); err != nil {
		return lockoutState{}, err
	}
	return s, nil
}

func (k *Keychain) saveState(username string, s lockoutState) error {
	data, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("encode lockout state: %w", err)
	}
	if err := atomicfile.Write(k.statePath(username), data, 0o600); err != nil {
		return fmt.Errorf("write lockout state: %w", err)
	}
	return nil
}

// checkLocked returns a *LockedError while username is locked out. It runs
// before any argon2id work, so a locked user costs nothing.
func (k *Keychain) checkLocked(username string) error {
	s, err := k.loadState(username)
	if err != nil {
		return err
	}
	if k.now().Before(s.LockedUntil) {
		k.log.Warn("keychain attempt while locked out", "event", "locked", "user", username,
			"failures", s.Failures, "until", s.LockedUntil)
		return &LockedError{Until: s.LockedUntil, Failures: s.Failures}
	}
	return nil
}

// recordFailure counts a wrong password on disk and logs it. It returns
// ErrWrongPassword, joined with a *LockedError when this failure starts a
// lockout, so callers can tell the user at once.
func (k *Keychain) recordFailure(username string) error {
	s, err := k.loadState(username)
	if err != nil {
		return fmt.Errorf("%w; %w", ErrWrongPassword, err)
	}
	now := k.now()
	s.Failures++
	s.LastFailure = now
	var locked *LockedError
	if d := lockoutDelay(s.Failures); d > 0 {
		s.LockedUntil = now.Add(d)
		locked = &LockedError{Until: s.LockedUntil, Failures: s.Failures}
	}
	if err := k.saveState(username, s); err != nil {
		// Fail closed on the caller's side too: the attempt was wrong anyway.
		k.log.Error("keychain failure not recorded", "event", "failure", "user", username,
			"failures", s.Failures, "err", err)
		return fmt.Errorf("%w; %w", ErrWrongPassword, err)
	}
	k.log.Warn("keychain wrong password", "event", "failure", "user", username, "failures", s.Failures)
	if locked == nil {
		// The person learns how many tries are left, so a shift colleague
		// stops before locking the station's offline sign-in for a user.
		left := LockoutThreshold - s.Failures
		tries := "tries"
		if left == 1 {
			tries = "try"
		}
		return fault.Explain(ErrWrongPassword, "wrong offline password; %d %s left before offline sign-in is locked for a while", left, tries)
	}
	k.log.Warn("keychain user locked out", "event", "lockout", "user", username,
		"failures", s.Failures, "until", s.LockedUntil)
	return fault.Explain(ErrWrongPassword, "wrong offline password. %w", locked)
}

// clearFailures forgets username's failures. A missing file is fine.
func (k *Keychain) clearFailures(username string) error {
	err := os.Remove(k.statePath(username))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("clear lockout state: %w", err)
	}
	return nil
}
