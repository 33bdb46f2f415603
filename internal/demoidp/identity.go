package demoidp

import (
	"crypto/subtle"
	"strings"

	"loginshell/internal/fault"
	"loginshell/internal/signature"
)

// ErrWrongCredentials refuses a demo signature: no demo user has that user
// ID and password.
var ErrWrongCredentials = fault.New(fault.Forbidden, "wrong user ID or password")

// Identity is the demo's identity provider for electronic signatures (the
// template idp "demo"): the demo users sign with the passwords the demo
// sign-in page lists, so the tour needs no offline password for each
// signer. It exists only with --demo.
type Identity struct{ Users []User }

// Knows reports whether userID names a demo user.
func (d Identity) Knows(userID string) bool {
	for _, u := range d.Users {
		if strings.EqualFold(u.Username, strings.TrimSpace(userID)) {
			return true
		}
	}
	return false
}

// Verify checks userID and password against the demo users.
func (d Identity) Verify(userID, password string) (signature.Signer, error) {
	for _, u := range d.Users {
		if strings.EqualFold(u.Username, strings.TrimSpace(userID)) &&
			subtle.ConstantTimeCompare([]byte(u.Password), []byte(password)) == 1 {
			return signature.Signer{UserID: u.Username, PrintedName: u.Name, Roles: u.Roles, Groups: u.Groups}, nil
		}
	}
	return signature.Signer{}, ErrWrongCredentials
}
