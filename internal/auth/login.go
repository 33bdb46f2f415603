package auth

import (
	"context"
	"errors"
	"log/slog"

	"loginshell/internal/fault"
	"loginshell/internal/user"
)

// Login runs POST /auth: an online login when the login server answers,
// otherwise the offline login page, opened for the last user (or, if they
// have no offline password, the first user who has one here), where anyone
// with an offline password on this computer may sign in (AuthenticateAs). It blocks until the
// flow ends and returns who signed in.
//
// Errors: ErrInProgress; ErrNotConfigured when there is neither a login
// server nor offline login; ErrNotAttempted (wrapping the reason) when the
// device is offline and offline login is not possible; ErrFailed (wrapping
// the identity provider's error) when an online login failed, or when the
// login server's address answers as no OpenID provider and offline login is
// not possible either (then also ErrNotLoginServer); ErrCancelled.
func (s *Service) Login(ctx context.Context) (user.Profile, error) {
	if s.InProgress() {
		return user.Profile{}, ErrInProgress
	}
	configured := s.o.Online.Configured()
	if !s.o.ForceOffline && configured && s.o.Network.Check(ctx) {
		p, err := s.loginOnline(ctx)
		if err == nil || errors.Is(err, ErrInProgress) || errors.Is(err, ErrCancelled) {
			return p, err
		}
		if !s.o.AllowFallback() || s.offlineReady() != "" {
			return p, err
		}
		s.o.Log.Warn("online sign-in failed; falling back to offline sign-in", "err", err)
		return s.loginOffline(ctx, "online sign-in failed")
	}
	if !configured && !s.o.ForceOffline && s.offlineReady() != "" {
		return user.Profile{}, ErrNotConfigured
	}
	why := "the login server cannot be reached"
	switch {
	case s.o.ForceOffline:
		why = "the shell runs offline (--offline)"
	case !configured:
		why = "no login server is configured (login_url)"
	case s.offlineReady() != "":
		// Nobody can sign in offline either: a wrong address is worth
		// telling apart from a server that is down.
		if ex, ok := s.o.Online.(explainer); ok {
			if err := ex.NotLoginServer(ctx); err != nil {
				// ErrFailed as any failed sign-in, and ErrNotLoginServer for
				// the words that name the cause; the text is the provider's.
				return user.Profile{}, fault.Explain(ErrFailed, "%w", fault.Explain(ErrNotLoginServer, "%w", err))
			}
		}
	}
	return s.loginOffline(ctx, why)
}

// explainer is an Online that can tell a login server address that
// answers as something else (a web server, a proxy's 401) from one that
// does not answer (*online.Provider): NotLoginServer returns why, in words
// fit to show, or nil.
type explainer interface {
	NotLoginServer(ctx context.Context) error
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
		var won func() func()
		if err == nil {
			won = func() func() { return s.signIn(p, user.Online) }
		}
		s.finish(f, err, won)
	}()
	if err := s.wait(ctx, f); err != nil {
		if !errors.Is(err, ErrCancelled) {
			err = fault.Detail(ErrFailed, "%w", err)
		}
		level := slog.LevelWarn
		if errors.Is(err, ErrCancelled) { // the person's choice, or the shell closing
			level = slog.LevelInfo
		}
		s.o.Log.Log(context.Background(), level, "online sign-in did not complete", "err", err)
		return user.Profile{}, err
	}
	p, _, _ := s.o.Users.Current()
	return p, nil
}

// stationLister is a Vault that can list its users (*keychain.Keychain):
// with one, anyone who set up an offline password on this computer may
// sign in offline, not only the last user (a station a shift shares).
type stationLister interface {
	Users() ([]string, error)
}

// stationUsers lists who may sign in offline here: the vault's users, or
// with a vault that cannot list them, the last user if they have one.
func (s *Service) stationUsers() []string {
	if l, ok := s.o.Vault.(stationLister); ok {
		users, err := l.Users()
		if err != nil {
			s.o.Log.Error("list offline users", "err", err)
		}
		if len(users) > 0 {
			return users
		}
	}
	if last := s.o.LastUser.Get(); last != "" && s.o.Vault.Exists(last) {
		return []string{last}
	}
	return nil
}

// offlineUser is whom the offline login page offers first: the last user
// when they have an offline password, else the first of the station's.
func (s *Service) offlineUser() string {
	if last := s.o.LastUser.Get(); last != "" && s.o.Vault.Exists(last) {
		return last
	}
	if users := s.stationUsers(); len(users) > 0 {
		return users[0]
	}
	return ""
}

// offlineReady reports why an offline login can't be attempted, in words
// for the person, or "" when it can.
func (s *Service) offlineReady() string {
	if s.offlineUser() != "" {
		return ""
	}
	if last := s.o.LastUser.Get(); last != "" {
		return "no offline password is set up for " + last
	}
	return "nobody has signed in online on this device yet"
}

func (s *Service) loginOffline(ctx context.Context, why string) (user.Profile, error) {
	if reason := s.offlineReady(); reason != "" {
		return user.Profile{}, fault.Detail(ErrNotAttempted, "%s and offline sign-in is not possible: %s; connect to the network and sign in online", why, reason)
	}
	f, fctx, err := s.begin(ctx, CmdAuthenticate, s.offlineUser())
	if err != nil {
		return user.Profile{}, err
	}
	if err := s.showPage(fctx, f, "Offline sign-in"); err != nil {
		if errors.Is(err, ErrNoOfflinePackage) || errors.Is(err, ErrNoPage) {
			err = fault.Detail(ErrNotAttempted, "%w", err)
		}
		return user.Profile{}, err
	}
	p, _, _ := s.o.Users.Current()
	return p, nil
}

// Authenticate runs PUT /auth/{token}/authenticate?p=: the offline login
// page's password opens the vault of the user the page was opened for, the
// user service is filled from the cached profile, the page closes and
// Login returns. It is AuthenticateAs with no user chosen.
func (s *Service) Authenticate(token, password string) error {
	return s.AuthenticateAs(token, "", password)
}

// AuthenticateAs runs PUT /auth/{token}/authenticate?p=&u=: as
// Authenticate, for username, whom the person chose or typed on the page
// (a station a shift shares); "" is the user the page was opened for (the
// seed's u, what pages that send only p get). Each user's wrong passwords
// count towards that user's own lockout (the vault's).
//
// Errors: ErrNotInProgress, ErrTokenUnknown, ErrBadQuery, ErrNoVault (no
// offline password for username here), ErrWrongPassword (its text says
// the tries left), and the vault's own (lockout until when, damaged vault)
// which the caller shows.
func (s *Service) AuthenticateAs(token, username, password string) error {
	f, err := s.expect(token, CmdAuthenticate)
	if err != nil {
		return err
	}
	if password == "" {
		return fault.Detail(ErrBadQuery, "p (the password) is required")
	}
	if username == "" {
		username = f.username
	}
	if !s.o.Vault.Exists(username) {
		return fault.Explain(ErrNoVault, "nobody called %q has set up an offline password on this computer; check the user name", username)
	}
	p, err := s.o.Vault.Unlock(username, password)
	if err != nil {
		s.o.Log.Warn("offline sign-in refused", "user", username, "err", err)
		return err
	}
	if !s.finish(f, nil, func() func() { return s.signIn(p, user.Offline) }) {
		return ErrTokenUnknown // cancelled while the vault was opening
	}
	return nil
}

// signIn fills the user service and returns the slow half, which remembers
// the user for offline login on disk: finish runs it outside the lock.
func (s *Service) signIn(p user.Profile, m user.Method) (remember func()) {
	s.o.Users.SignIn(p, m)
	return func() {
		if err := s.o.LastUser.Set(p.Username); err != nil {
			s.o.Log.Error("remember last user", "err", err)
		}
		s.o.Log.Info("signed in", "user", p.Username, "method", string(m))
	}
}

// StationUsers answers GET /auth/{token}/users: who may sign in offline on
// this computer, for the offline login page opened with token to offer. Only
// that page, while its sign-in runs, gets the list: it names people.
//
// Errors: ErrNotInProgress, ErrTokenUnknown.
func (s *Service) StationUsers(token string) ([]string, error) {
	if _, err := s.expect(token, CmdAuthenticate); err != nil {
		return nil, err
	}
	users := s.stationUsers()
	if users == nil {
		users = []string{}
	}
	return users, nil
}
