package keychain

import (
	"errors"
	"fmt"

	"loginshell/internal/user"
)

// Unlock opens username's vault with password and returns the cached
// profile, the proof of an offline login.
//
// Errors, in the order they are checked:
//   - [*LockedError] (matches [ErrLocked]) while the user is locked out; no
//     key is derived, so it is cheap and the password is not tried;
//   - [ErrNoVault] when no offline password is set up;
//   - [ErrTampered] when the file fails its checksum or structural checks;
//     this is not counted as a failure;
//   - [ErrWrongPassword] when the seal does not open; counted on disk, and
//     joined with a *LockedError when it starts a lockout.
//
// A success resets the failure count.
func (k *Keychain) Unlock(username, password string) (user.Profile, error) {
	if err := checkUsername(username); err != nil {
		return user.Profile{}, fmt.Errorf("unlock vault: %w", err)
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	p, err := k.unlock(username, password)
	if err != nil {
		return user.Profile{}, fmt.Errorf("unlock vault: %w", err)
	}
	return p, nil
}

// unlock is Unlock with k.mu held; ChangePassword shares it so both count
// failures and honour lockouts the same way.
func (k *Keychain) unlock(username, password string) (user.Profile, error) {
	if err := k.checkLocked(username); err != nil {
		return user.Profile{}, err
	}
	b, err := k.readVault(username)
	if err != nil {
		return user.Profile{}, err
	}
	p, err := b.open(password)
	if errors.Is(err, ErrWrongPassword) {
		return user.Profile{}, k.recordFailure(username)
	}
	if err != nil {
		return user.Profile{}, err
	}
	if err := k.clearFailures(username); err != nil {
		// The password was right; a stale count only locks out sooner.
		k.log.Error("keychain failure count not cleared", "event", "unlocked", "user", username, "err", err)
	}
	return p, nil
}
