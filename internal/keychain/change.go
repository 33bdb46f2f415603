package keychain

import (
	"fmt"

	"loginshell/internal/user"
)

// ChangePassword replaces username's offline password. The new password is
// checked against the rules first ([*PasswordError], nothing counted); then
// the old one must open the vault, with the same lockout and errors as
// [Keychain.Unlock] (a wrong old password counts as a failure). When profile
// is non-nil it replaces the cached profile ([ErrProfileMismatch] if it names
// another user); otherwise the cached one is kept. The vault is resealed with
// a fresh salt and the Keychain's current Params, so this is also how a vault
// moves to stronger parameters.
func (k *Keychain) ChangePassword(username, oldPassword, newPassword string, profile *user.Profile) error {
	if err := checkUsername(username); err != nil {
		return fmt.Errorf("change password: %w", err)
	}
	if err := CheckPassword(newPassword); err != nil {
		return fmt.Errorf("change password: %w", err)
	}
	var replacement *user.Profile
	if profile != nil {
		p, err := profileFor(username, *profile)
		if err != nil {
			return fmt.Errorf("change password: %w", err)
		}
		replacement = &p
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	cached, err := k.unlock(username, oldPassword)
	if err != nil {
		return fmt.Errorf("change password: %w", err)
	}
	if replacement != nil {
		cached = *replacement
	}
	if err := k.writeVault(username, newPassword, cached); err != nil {
		return fmt.Errorf("change password: %w", err)
	}
	k.log.Info("keychain password changed", "event", "changed", "user", username,
		"profile_replaced", replacement != nil, "params", k.params.String())
	return nil
}
