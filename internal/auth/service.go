// Package auth is the authentication service of the mobile container (seed
// 002) as an engine: online login, offline login with the password that
// opens the local vault, offline password setup and change, cancel and
// status. It knows nothing of HTTP or Wails: internal/pmapi and app/ are
// two thin doors onto the same Service.
//
// One flow runs at a time. Starting calls (Login, Setup, Update) block until
// the flow ends, as POST /auth does in the seed; the page the flow shows
// finishes it by calling Authenticate, CompleteSetup or CompleteUpdate with
// the single-use token it was opened with.
package auth

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/google/uuid"
	"loginshell/internal/user"
)

// Command is what a token was minted for. A token opens only its command.
type Command string

const (
	CmdAuthenticate Command = "authenticate"
	CmdSetup        Command = "setup"
	CmdUpdate       Command = "update"
)

// Vault is the offline credential store (internal/keychain satisfies it).
type Vault interface {
	Exists(username string) bool
	Create(username, password string, p user.Profile) error
	Unlock(username, password string) (user.Profile, error)
	ChangePassword(username, oldPassword, newPassword string, p *user.Profile) error
	Remove(username string) error
}

// Online is the organisation's identity provider.
type Online interface {
	// Configured reports whether a login server is set (login_url).
	Configured() bool
	// Login runs one interactive login and returns who signed in.
	Login(ctx context.Context) (user.Profile, error)
	// Logout signs the last login's session out, at once. The identity
	// provider's own session (a cookie in the browser that showed its
	// page) may end only through that browser: online.Provider ends it at
	// the next Login, or makes that Login ask for a password.
	Logout(ctx context.Context)
}

// Network tells whether the login server answers, for the decision
// between online and offline sign-in (internal/connectivity's Monitor).
type Network interface {
	// Check returns a fresh answer, waiting (bounded) for the probe in
	// flight: a sign-in must not go offline on a stale or missing result.
	Check(ctx context.Context) bool
}

// Pages locates the offline login package's pages.
type Pages interface {
	// OfflinePage returns the URL of the page for cmd opened with the token
	// and username as the seed's t and u parameters, ErrNoOfflinePackage or
	// ErrNoPage.
	OfflinePage(cmd Command, token, username string) (string, error)
}

// Presenter shows and closes authentication pages.
type Presenter interface {
	ShowAuthPage(url, title string)
	CloseAuthPage()
}

// LastUser remembers who signed in last, for offline login after a restart.
type LastUser interface {
	Get() string
	Set(username string) error
}

// Options are a Service's dependencies; all are required but Log.
type Options struct {
	Vault        Vault
	Online       Online
	Network      Network
	Pages        Pages
	Presenter    Presenter
	Users        *user.Service
	LastUser     LastUser
	Now          func() time.Time
	ForceOffline bool // --offline: never try the login server
	// AllowFallback, asked at each login, says whether an online failure
	// with a reachable network may fall back to offline login.
	AllowFallback func() bool
	// FreshFor is how recent the online sign-in behind an offline password
	// setup must be: a password only the person who just proved who they
	// are online may set. An older one is renewed by an online login of the
	// same user before the page opens (a change needs the old password
	// instead). Zero accepts any online sign-in of this session.
	FreshFor time.Duration
	Log      *slog.Logger
}

// Service is the authentication service. Safe for concurrent use.
type Service struct {
	o Options

	mu   sync.Mutex
	flow *flow
}

// flow is one running login, setup or update.
type flow struct {
	cmd      Command // the command its token opens; "" while an online login runs
	token    string
	username string
	done     chan error // receives the outcome once; buffered
	cancel   context.CancelFunc
}

// New returns a Service, refusing missing dependencies.
func New(o Options) (*Service, error) {
	switch {
	case o.Vault == nil, o.Online == nil, o.Network == nil, o.Pages == nil, o.Presenter == nil,
		o.Users == nil, o.LastUser == nil, o.Now == nil:
		return nil, errors.New("auth: Vault, Online, Network, Pages, Presenter, Users, LastUser and Now are required")
	}
	if o.AllowFallback == nil {
		o.AllowFallback = func() bool { return false }
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	return &Service{o: o}, nil
}

// InProgress reports whether a login, setup or update is running (GET /auth).
func (s *Service) InProgress() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.flow != nil
}

// Cancel ends the running flow; its starting call returns ErrCancelled.
func (s *Service) Cancel() error {
	s.mu.Lock()
	f := s.flow
	s.mu.Unlock()
	if f == nil {
		return ErrNotInProgress
	}
	s.finish(f, ErrCancelled, nil)
	return nil
}

// Logout cancels any running flow, ends the identity provider's session
// and signs the user out.
func (s *Service) Logout(ctx context.Context) {
	_ = s.Cancel()
	_, m, ok := s.o.Users.Current()
	s.o.Users.SignOut()
	if ok && m == user.Online {
		s.o.Online.Logout(ctx)
	}
	s.o.Log.Info("signed out")
}

// begin registers a new flow or returns ErrInProgress.
func (s *Service) begin(ctx context.Context, cmd Command, username string) (*flow, context.Context, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.flow != nil {
		return nil, nil, ErrInProgress
	}
	fctx, cancel := context.WithCancel(ctx)
	f := &flow{cmd: cmd, username: username, done: make(chan error, 1), cancel: cancel}
	if cmd != "" {
		f.token = uuid.NewString()
	}
	s.flow = f
	return f, fctx, nil
}

// finish ends f with err (nil for success) if it is still the running
// flow, and reports whether it did: the first outcome wins. won, if not
// nil, runs only for the winner, under the lock, so a cancel racing a
// success never leaves a half-signed-in user behind; the func it returns
// (if any) runs after the lock is released and before the starting call
// returns: slow work (a file written and synced) never holds up the
// requests that ask InProgress.
func (s *Service) finish(f *flow, err error, won func() (then func())) bool {
	s.mu.Lock()
	if s.flow != f {
		s.mu.Unlock()
		return false
	}
	s.flow = nil
	var then func()
	if won != nil {
		then = won()
	}
	s.mu.Unlock()
	f.cancel()
	if then != nil {
		then()
	}
	// Close the page before the starting call returns, so what its caller
	// shows next (the boot sequence's starter app) is not overwritten. An
	// online flow closes too: a cancelled or failed sign-in must not leave
	// the window on the provider's page.
	s.o.Presenter.CloseAuthPage()
	f.done <- err
	return true
}

// wait blocks until f ends or ctx is done (which cancels f).
func (s *Service) wait(ctx context.Context, f *flow) error {
	select {
	case err := <-f.done:
		return err
	case <-ctx.Done():
		s.finish(f, ErrCancelled, nil)
		return <-f.done
	}
}

// showPage mints the page for a flow with a token and waits for it.
func (s *Service) showPage(ctx context.Context, f *flow, title string) error {
	url, err := s.o.Pages.OfflinePage(f.cmd, f.token, f.username)
	if err != nil {
		s.finish(f, err, nil)
		return <-f.done
	}
	// Shown under the lock, so a cancel that got in first leaves no page
	// with a dead token on screen, and one that comes later closes it.
	s.mu.Lock()
	if s.flow == f {
		s.o.Presenter.ShowAuthPage(url, title)
		s.o.Log.Info("authentication page shown", "command", string(f.cmd), "user", f.username)
	}
	s.mu.Unlock()
	return s.wait(ctx, f)
}

// expect returns the running flow if token opens cmd on it. With nothing
// running it is ErrNotInProgress (the seed's 400); a wrong, used or
// other-command token is ErrTokenUnknown (404).
func (s *Service) expect(token string, cmd Command) (*flow, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.flow
	if f == nil {
		return nil, ErrNotInProgress
	}
	if f.cmd != cmd || token == "" || f.token != token {
		return nil, ErrTokenUnknown
	}
	return f, nil
}

// onlineUser returns the user signed in online now, or ErrNotOnline.
func (s *Service) onlineUser() (user.Profile, error) {
	p, m, ok := s.o.Users.Current()
	if !ok || m != user.Online {
		return user.Profile{}, ErrNotOnline
	}
	return p, nil
}

// ForcedOffline reports whether the shell runs with --offline: it never
// contacts the login server, so no screen should offer to change it.
func (s *Service) ForcedOffline() bool { return s.o.ForceOffline }
