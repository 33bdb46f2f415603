package signature

import "loginshell/internal/user"

// Vault opens a person's offline vault; *keychain.Keychain is one.
type Vault interface {
	Unlock(username, password string) (user.Profile, error)
}

// KeychainIdentity is the Identity of the template idp "local": the user
// ID and offline password open that person's vault on this computer, whose
// lockout applies (ten wrong passwords lock it), and the profile cached
// there says who they are: printed name and roles.
type KeychainIdentity struct{ Vault Vault }

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
	return Signer{UserID: p.Username, PrintedName: name, Roles: p.Roles, Groups: p.Roles}, nil
}
