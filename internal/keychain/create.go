package keychain

import (
	"fmt"
	"os"

	"loginshell/internal/user"
)

// Create sets up username's offline password, sealing profile (the one the
// fresh online login produced) under it. It refuses a password that breaks
// the rules ([*PasswordError]), a profile for another user
// ([ErrProfileMismatch]; an empty profile Username is filled in) and an
// existing vault ([ErrExists]). It clears any lockout count.
//
// Create does NOT check who is asking: internal/auth requires a fresh online
// login for username first, and the caller enforces it.
func (k *Keychain) Create(username, password string, profile user.Profile) error {
	if err := checkUsername(username); err != nil {
		return fmt.Errorf("create vault: %w", err)
	}
	if err := CheckPassword(password); err != nil {
		return fmt.Errorf("create vault: %w", err)
	}
	profile, err := profileFor(username, profile)
	if err != nil {
		return fmt.Errorf("create vault: %w", err)
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if _, err := os.Stat(k.vaultPath(username)); err == nil {
		return fmt.Errorf("create vault: %w", ErrExists)
	}
	if err := k.writeVault(username, password, profile); err != nil {
		return fmt.Errorf("create vault: %w", err)
	}
	if err := k.clearFailures(username); err != nil {
		return fmt.Errorf("create vault: %w", err)
	}
	k.log.Info("keychain vault created", "event", "created", "user", username, "params", k.params.String())
	return nil
}

// profileFor checks that p describes username, filling in an empty Username.
func profileFor(username string, p user.Profile) (user.Profile, error) {
	switch p.Username {
	case "":
		p.Username = username
	case username:
	default:
		return user.Profile{}, ErrProfileMismatch
	}
	return p, nil
}
