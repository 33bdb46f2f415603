package auth

import (
	"context"

	"loginshell/internal/fault"
	"loginshell/internal/user"
)

// Setup runs POST /auth/setup: for the user signed in online now, it shows
// the offline package's setup page and blocks until the page has saved a
// password (CompleteSetup) or the flow is cancelled.
//
// Errors: ErrInProgress, ErrNotOnline, ErrNoOfflinePackage, ErrNoPage,
// ErrVaultExists, ErrCancelled.
func (s *Service) Setup(ctx context.Context) error {
	return s.offlineFlow(ctx, CmdSetup, "Set up offline password", true, func(username string) error {
		if s.o.Vault.Exists(username) {
			return ErrVaultExists
		}
		return nil
	})
}

// Update runs POST /auth/update: the manage page where the user changes
// the offline password. Errors as Setup, with ErrNoVault instead of
// ErrVaultExists.
//
// A stale online sign-in is not renewed here, unlike Setup's (DESIGN §4:
// setup needs a fresh online login, update the old password, which proves
// the person as well): a renewal would take the window to the login
// server's page, and the page that asked would lose its request.
func (s *Service) Update(ctx context.Context) error {
	return s.offlineFlow(ctx, CmdUpdate, "Change offline password", false, func(username string) error {
		if !s.o.Vault.Exists(username) {
			return ErrNoVault
		}
		return nil
	})
}

// offlineFlow shows cmd's page for whoever is signed in online; fresh asks
// for an online sign-in within FreshFor, renewing an older one first.
func (s *Service) offlineFlow(ctx context.Context, cmd Command, title string, fresh bool, vaultCheck func(string) error) error {
	if s.InProgress() {
		return ErrInProgress
	}
	p, err := s.onlineUser()
	if err != nil {
		return err
	}
	if fresh && s.o.FreshFor > 0 && s.o.Now().Sub(p.AuthenticatedAt) > s.o.FreshFor {
		if p, err = s.renew(ctx, p.Username); err != nil {
			return err
		}
	}
	// Resolve the page before minting a flow, so a missing package or page
	// is a 400 with nothing started.
	if _, err := s.o.Pages.OfflinePage(cmd, "", p.Username); err != nil {
		return err
	}
	if err := vaultCheck(p.Username); err != nil {
		return err
	}
	f, fctx, err := s.begin(ctx, cmd, p.Username)
	if err != nil {
		return err
	}
	return s.showPage(fctx, f, title)
}

// CompleteSetup runs PUT /auth/{token}/setup?p=: saves the offline
// password for the user of the setup flow, sealing the profile of their
// online login with it.
//
// Errors: ErrNotInProgress, ErrTokenUnknown, ErrBadQuery, ErrNotOnline, and
// the vault's (a password that breaks the rules).
func (s *Service) CompleteSetup(token, password string) error {
	f, err := s.expect(token, CmdSetup)
	if err != nil {
		return err
	}
	if password == "" {
		return fault.Detail(ErrBadQuery, "p (the new password) is required")
	}
	p, err := s.sameOnlineUser(f.username)
	if err != nil {
		return err
	}
	if err := s.o.Vault.Create(f.username, password, p); err != nil {
		return err
	}
	if !s.finish(f, nil, nil) {
		// Cancelled while the vault was being sealed: the setup did not
		// happen, so neither does its vault.
		if err := s.o.Vault.Remove(f.username); err != nil {
			s.o.Log.Error("remove the vault of a cancelled setup", "user", f.username, "err", err)
		}
		return ErrTokenUnknown
	}
	s.o.Log.Info("offline password set up", "user", f.username)
	return nil
}

// CompleteUpdate runs PUT /auth/{token}/update?o=&p=: replaces the offline
// password after the old one opened the vault, and refreshes the cached
// profile from the current online login.
//
// Errors: as CompleteSetup, plus ErrWrongPassword for the old password.
func (s *Service) CompleteUpdate(token, oldPassword, newPassword string) error {
	f, err := s.expect(token, CmdUpdate)
	if err != nil {
		return err
	}
	if oldPassword == "" || newPassword == "" {
		return fault.Detail(ErrBadQuery, "o (the current password) and p (the new password) are both required")
	}
	p, err := s.sameOnlineUser(f.username)
	if err != nil {
		return err
	}
	if err := s.o.Vault.ChangePassword(f.username, oldPassword, newPassword, &p); err != nil {
		s.o.Log.Warn("offline password change refused", "user", f.username, "err", err)
		return err
	}
	s.o.Log.Info("offline password changed", "user", f.username)
	s.finish(f, nil, nil)
	return nil
}

// sameOnlineUser checks that the flow's user is still signed in online.
func (s *Service) sameOnlineUser(username string) (p user.Profile, err error) {
	p, err = s.onlineUser()
	if err != nil {
		return p, err
	}
	if p.Username != username {
		return p, fault.Detail(ErrNotOnline, "%s signed out", username)
	}
	return p, nil
}

// renew runs an online login to refresh a stale one, and accepts it only
// for the same person: an offline password is bound to whoever proved
// their identity online just before setting it.
func (s *Service) renew(ctx context.Context, username string) (user.Profile, error) {
	if !s.o.Online.Configured() || !s.o.Network.Check(ctx) {
		return user.Profile{}, fault.Detail(ErrNotOnline, "the last online sign-in of %s is older than %v and the login server cannot be reached", username, s.o.FreshFor)
	}
	s.o.Log.Info("online sign-in is stale; signing in again", "user", username)
	p, err := s.loginOnline(ctx)
	if err != nil {
		return user.Profile{}, err
	}
	if p.Username != username {
		s.o.Log.Warn("renewed sign-in is another user", "was", username, "now", p.Username)
		return user.Profile{}, fault.Detail(ErrNotOnline, "%s signed in instead of %s", p.Username, username)
	}
	return p, nil
}
