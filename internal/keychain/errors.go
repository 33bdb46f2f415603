package keychain

import (
	"errors"
	"fmt"
	"time"
)

var (
	// ErrNoVault means the user has no offline password set up.
	ErrNoVault = errors.New("no offline password is set up for this user")
	// ErrExists means Create found a vault already; Remove it first (after a
	// fresh online login) to set up a new offline password.
	ErrExists = errors.New("an offline password is already set up for this user")
	// ErrWrongPassword means the password did not open the vault. It counts
	// towards the lockout.
	ErrWrongPassword = errors.New("wrong offline password")
	// ErrLocked is matched by every [*LockedError].
	ErrLocked = errors.New("offline login is locked")
	// ErrTampered means the vault file fails its checksum or structural
	// checks, so no password can be tried against it. It does not count
	// towards the lockout.
	ErrTampered = errors.New("the vault file was modified or damaged; set up the offline password again after an online login")
	// ErrWeakPassword is matched by every [*PasswordError].
	ErrWeakPassword = errors.New("offline password refused")
	// ErrInvalidUsername means the username cannot name a vault.
	ErrInvalidUsername = errors.New("invalid username")
	// ErrProfileMismatch means the profile handed to Create or
	// ChangePassword names a different user than the vault.
	ErrProfileMismatch = errors.New("profile is for another user")
)

// LockedError says the user may not try an offline password before Until.
// It matches [ErrLocked] with errors.Is.
type LockedError struct {
	// Until is when the next attempt will be allowed.
	Until time.Time
	// Failures is the number of consecutive wrong passwords so far.
	Failures int
}

func (e *LockedError) Error() string {
	return fmt.Sprintf("offline login is locked until %s after %d wrong passwords",
		e.Until.Format(time.RFC3339), e.Failures)
}

// Is makes errors.Is(err, ErrLocked) true.
func (e *LockedError) Is(target error) bool { return target == ErrLocked }

// Message returns the text to show a person for err, without the wrapping
// context that helps a log reader ("unlock vault: ..."), and false when err
// is not one of this package's. Lockouts say until when, in local time.
func Message(err error) (string, bool) {
	var locked *LockedError
	var weak *PasswordError
	switch {
	case errors.As(err, &locked):
		return fmt.Sprintf("Offline sign-in is locked after %d wrong passwords; try again after %s.",
			locked.Failures, locked.Until.Local().Format("15:04:05")), true
	case errors.As(err, &weak):
		return weak.Error(), true
	}
	for _, s := range []error{ErrWrongPassword, ErrTampered, ErrNoVault, ErrExists, ErrInvalidUsername, ErrProfileMismatch} {
		if errors.Is(err, s) {
			return s.Error(), true
		}
	}
	return "", false
}
