package demoidp

import (
	"crypto/subtle"
	"errors"
	"strings"
	"time"

	"loginshell/internal/fault"
	"loginshell/internal/lockout"
	"loginshell/internal/signature"
)

// ErrWrongCredentials refuses a demo signature: no demo user has that user
// ID and password.
var ErrWrongCredentials = fault.New(fault.Forbidden, "wrong user ID or password")

// Identity is the demo's identity provider for electronic signatures (the
// template idp "demo"): the demo users sign with the passwords the demo
// sign-in page lists, so the tour needs no offline password for each
// signer. It exists only with --demo.
//
// It locks a demo user out as the keychain does (internal/lockout: ten
// consecutive wrong passwords, a growing delay), so a signature made with
// it is guarded, and reported (the signature engine's alerts), like any
// other. The count is kept in memory only and starts again with each run:
// the demo's passwords are listed on its sign-in page anyway, and the
// lockout is there to show the behaviour, not to keep a secret.
type Identity struct {
	users   []User
	lockout *lockout.Memory
}

// NewIdentity returns the identity of users on the clock now.
func NewIdentity(users []User, now func() time.Time) (*Identity, error) {
	if now == nil {
		return nil, errors.New("demoidp: the identity needs a clock")
	}
	m, err := lockout.NewMemory(now)
	if err != nil {
		return nil, err
	}
	return &Identity{users: users, lockout: m}, nil
}

// user returns the demo user userID names (case-insensitive).
func (d *Identity) user(userID string) (User, bool) {
	for _, u := range d.users {
		if strings.EqualFold(u.Username, strings.TrimSpace(userID)) {
			return u, true
		}
	}
	return User{}, false
}

// Knows reports whether userID names a demo user.
func (d *Identity) Knows(userID string) bool {
	_, ok := d.user(userID)
	return ok
}

// PrintedName returns the demo user's name ("Sam Supervisor" for
// supervisor), "" for a user ID that names none: the dialog names a slot
// a template gives to one person by that person's name
// (signature.Namer).
func (d *Identity) PrintedName(userID string) string {
	u, _ := d.user(userID)
	return u.Name
}

// People returns every demo user as a signer (signature.Roster): the
// signature engine refuses a signature that would leave another with
// nobody to give it, since it knows everybody here.
func (d *Identity) People() []signature.Signer {
	out := make([]signature.Signer, 0, len(d.users))
	for _, u := range d.users {
		out = append(out, signature.Signer{UserID: u.Username, PrintedName: u.Name, Roles: u.Roles, Groups: u.Groups})
	}
	return out
}

// Verify checks userID and password against the demo users. A locked-out
// user is refused before the password is looked at (a *lockout.Error, kind
// fault.Locked); the wrong password that locks a user out is
// ErrWrongCredentials holding the lockout. Only known users are counted:
// a user ID that names none has nothing to lock.
func (d *Identity) Verify(userID, password string) (signature.Signer, error) {
	u, ok := d.user(userID)
	if !ok {
		return signature.Signer{}, ErrWrongCredentials
	}
	key := strings.ToLower(u.Username)
	if err := d.lockout.Check(key); err != nil {
		return signature.Signer{}, err
	}
	if subtle.ConstantTimeCompare([]byte(u.Password), []byte(password)) != 1 {
		if locked := d.lockout.Fail(key); locked != nil {
			return signature.Signer{}, fault.Explain(ErrWrongCredentials, "wrong user ID or password. %w", locked)
		}
		return signature.Signer{}, ErrWrongCredentials
	}
	d.lockout.Succeed(key)
	return signature.Signer{UserID: u.Username, PrintedName: u.Name, Roles: u.Roles, Groups: u.Groups}, nil
}
