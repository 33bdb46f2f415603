package auth

import (
	"context"
	"errors"
	"fmt"

	"loginshell/internal/user"
)

// Login runs POST /auth: an online login when the login server answers,
// otherwise the offline login page for the last user. It blocks until the
// flow ends and returns who signed in.
//
// Errors: ErrInProgress; ErrNotConfigured when there is neither a login
// server nor offline login; ErrNotAttempted (wrapping the reason) when the
// device is offline and offline login is not possible; ErrFailed (wrapping
// the identity provider's error) when an online login failed; ErrCancelled.
func (s *Service) Login(ctx context.Context) (user.Profile, error) {
	if s.InProgress() {
		return user.Profile{}, ErrInProgress
	}
	configured := s.o.Online.Configured()
	if !s.o.ForceOffline && configured && s.o.Online.Reachable(ctx) {
		p, err := s.loginOnline(ctx)
		if err == nil || errors.Is(err, ErrInProgress) || errors.Is(err, ErrCancelled) {
			return p, err
		}
		if !s.o.AllowFallback() || s.offlineReady() != nil {
			return p, err
		}
		s.o.Log.Warn("online sign-in failed; falling back to offline sign-in", "err", err)
		return s.loginOffline(ctx, "online sign-in failed")
	}
	if !configured && !s.o.ForceOffline && s.offlineReady() != nil {
		return user.Profile{}, ErrNotConfigured
	}
	why := "the login server cannot be reached"
	switch {
	case s.o.ForceOffline:
		why = "the shell runs offline (--offline)"
	case !configured:
		why = "no login server is configured (login_url)"
	}
	return s.loginOffline(ctx, why)
}

func (s *Service) loginOnline(ctx context.Context) (user.Profile, error) {
	f, fctx, err := s.begin(ctx, "", "")
	if err != nil {
		return user.Profile{}, err
	}
	go func() {
		p, err := s.o.Online.Login(fctx)
		if err != nil && fctx.Err() != nil {
			// The caller's context ended the flow, not the provider: the
			// outcome is ErrCancelled whichever of the two finishes first.
			err = ErrCancelled
		}
		var won func()
		if err == nil {
			won = func() { s.signIn(p, user.Online) }
		}
		s.finish(f, err, won)
	}()
	if err := s.wait(ctx, f); err != nil {
		if !errors.Is(err, ErrCancelled) {
			err = fmt.Errorf("%w: %w", ErrFailed, err)
		}
		s.o.Log.Warn("online sign-in did not complete", "err", err)
		return user.Profile{}, err
	}
	p, _, _ := s.o.Users.Current()
	return p, nil
}

// offlineReady reports why an offline login can't be attempted, or nil.
func (s *Service) offlineReady() error {
	last := s.o.LastUser.Get()
	if last == "" {
		return errors.New("nobody has signed in online on this device yet")
	}
	if !s.o.Vault.Exists(last) {
		return fmt.Errorf("no offline password is set up for %s", last)
	}
	return nil
}

func (s *Service) loginOffline(ctx context.Context, why string) (user.Profile, error) {
	if err := s.offlineReady(); err != nil {
		return user.Profile{}, fmt.Errorf("%w: %s and offline sign-in is not possible: %v; connect to the network and sign in online", ErrNotAttempted, why, err)
	}
	f, fctx, err := s.begin(ctx, CmdAuthenticate, s.o.LastUser.Get())
	if err != nil {
		return user.Profile{}, err
	}
	if err := s.showPage(fctx, f, "Offline sign-in"); err != nil {
		if errors.Is(err, ErrNoOfflinePackage) || errors.Is(err, ErrNoPage) {
			err = fmt.Errorf("%w: %w", ErrNotAttempted, err)
		}
		return user.Profile{}, err
	}
	p, _, _ := s.o.Users.Current()
	return p, nil
}

// Authenticate runs PUT /auth/{token}/authenticate?p=: the offline login
// page's password opens the vault, the user service is filled from the
// cached profile, the page closes and Login returns.
//
// Errors: ErrNotInProgress, ErrTokenUnknown, ErrBadQuery, ErrWrongPassword,
// and the vault's own (lockout, damaged vault) which the caller shows.
func (s *Service) Authenticate(token, password string) error {
	f, err := s.expect(token, CmdAuthenticate)
	if err != nil {
		return err
	}
	if password == "" {
		return fmt.Errorf("%w: p (the password) is required", ErrBadQuery)
	}
	p, err := s.o.Vault.Unlock(f.username, password)
	if err != nil {
		s.o.Log.Warn("offline sign-in refused", "user", f.username, "err", err)
		return err
	}
	if !s.finish(f, nil, func() { s.signIn(p, user.Offline) }) {
		return ErrTokenUnknown // cancelled while the vault was opening
	}
	return nil
}

// signIn fills the user service and remembers the user for offline login.
func (s *Service) signIn(p user.Profile, m user.Method) {
	s.o.Users.SignIn(p, m)
	if err := s.o.LastUser.Set(p.Username); err != nil {
		s.o.Log.Error("remember last user", "err", err)
	}
	s.o.Log.Info("signed in", "user", p.Username, "method", string(m))
}
