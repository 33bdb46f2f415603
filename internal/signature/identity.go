package signature

import "loginshell/internal/user"

// Vault opens a person's offline vault; *keychain.Keychain is one.
type Vault interface {
	Unlock(username, password string) (user.Profile, error)
	Exists(username string) bool
}

// KeychainIdentity is the Identity of the template idp "local": the user
// ID and offline password open that person's vault on this computer, whose
// lockout applies (ten wrong passwords lock it), and the profile cached
// there says who they are: printed name, roles and groups (none for a
// vault sealed before groups were kept).
type KeychainIdentity struct{ Vault Vault }

// Knows reports whether userID has a vault here.
func (k KeychainIdentity) Knows(userID string) bool { return k.Vault.Exists(userID) }

// Verify opens userID's vault with password.
func (k KeychainIdentity) Verify(userID, password string) (Signer, error) {
	p, err := k.Vault.Unlock(userID, password)
	if err != nil {
		return Signer{}, err
	}
	name := p.Name
	if name == "" {
		name = p.Username
	}
	return Signer{UserID: p.Username, PrintedName: name, Roles: p.Roles, Groups: p.Groups}, nil
}

// Knower is an Identity that can tell whether a user ID names one of its
// users without a password. The trail records a failed attempt's user ID
// only when it does: people type their password into the wrong field, and
// an unknown "user ID" is often exactly that.
type Knower interface {
	Knows(userID string) bool
}

// typedID is a user ID as typed at the dialog, kept only if it names a
// known user.
type typedID struct{ Signer }

// known returns userID as a signer when identity knows it; an Identity
// that cannot tell (no Knower) is trusted with it as before.
func known(identity Identity, userID string) typedID {
	k, ok := identity.(Knower)
	if !ok || k.Knows(userID) {
		return typedID{Signer{UserID: userID}}
	}
	return typedID{}
}

// unknown is the trail's detail of an attempt whose user ID is not kept.
func (t typedID) unknown() string {
	if t.UserID == "" {
		return "unknown user ID"
	}
	return ""
}
