package keychain

import (
	"fmt"
	"time"

	"loginshell/internal/fault"
)

// Kinds are the seed's: a wrong password is 403, a missing or existing
// vault is a bad request of the setup or change (400), like auth's own.
var (
	// ErrNoVault means the user has no offline password set up.
	ErrNoVault = fault.New(fault.BadRequest, "no offline password is set up for this user")
	// ErrExists means Create found a vault already; Remove it first (after a
	// fresh online login) to set up a new offline password.
	ErrExists = fault.New(fault.BadRequest, "an offline password is already set up for this user")
	// ErrWrongPassword means the password did not open the vault. It counts
	// towards the lockout.
	ErrWrongPassword = fault.New(fault.Forbidden, "wrong offline password")
	// ErrLocked is matched by every [*LockedError].
	ErrLocked = fault.New(fault.Locked, "offline sign-in is locked; try again later")
	// ErrTampered means the vault file fails its checksum or structural
	// checks, so no password can be tried against it. It does not count
	// towards the lockout.
	ErrTampered = fault.New(fault.Forbidden, "the vault file was modified or damaged; set up the offline password again after an online login")
	// ErrWeakPassword is matched by every [*PasswordError].
	ErrWeakPassword = fault.New(fault.BadRequest, "offline password refused")
	// ErrInvalidUsername means the username cannot name a vault.
	ErrInvalidUsername = fault.New(fault.BadRequest, "this user name cannot have an offline password on this computer")
	// ErrProfileMismatch means the profile handed to Create or
	// ChangePassword names a different user than the vault: a bug of the
	// caller, so its kind is Internal.
	ErrProfileMismatch = fault.New(fault.Internal, "profile is for another user")
)

// LockedError says the user may not try an offline password before Until.
// It matches [ErrLocked] with errors.Is.
type LockedError struct {
	// Until is when the next attempt will be allowed.
	Until time.Time
	// Failures is the number of consecutive wrong passwords so far.
	Failures int
}

// Error is the text shown to the person: until when, in local time, and
// after how many wrong passwords.
func (e *LockedError) Error() string {
	return fmt.Sprintf("Offline sign-in is locked after %d wrong passwords; try again after %s.",
		e.Failures, e.Until.Local().Format("15:04:05"))
}

// Kind is fault.Locked.
func (e *LockedError) Kind() fault.Kind { return fault.Locked }

// Is makes errors.Is(err, ErrLocked) true.
func (e *LockedError) Is(target error) bool { return target == ErrLocked }

// Kind is fault.BadRequest: the person chose a password the rules refuse.
func (e *PasswordError) Kind() fault.Kind { return fault.BadRequest }
