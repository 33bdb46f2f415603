package boot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"loginshell/internal/auth"
	"loginshell/internal/screen"
	"loginshell/internal/user"
)

// Vault tells whether a user has an offline password.
type Vault interface {
	Exists(username string) bool
}

// Sequence runs the boot flow. Safe for concurrent use: a second Run while
// one is running is ignored.
type Sequence struct {
	auth   *auth.Service
	screen *screen.Screen
	pkgs   *Packages
	vault  Vault
	users  *user.Service
	log    *slog.Logger

	life context.Context // ended by Stop
	stop context.CancelFunc

	mu      sync.Mutex
	running bool
	restart bool // Restart came while a run was going: run again after it
	wg      sync.WaitGroup
}

// New returns a Sequence over its engines, refusing nil ones.
func New(a *auth.Service, s *screen.Screen, p *Packages, v Vault, u *user.Service, log *slog.Logger) (*Sequence, error) {
	if a == nil || s == nil || p == nil || p.Catalog == nil || v == nil || u == nil {
		return nil, errors.New("boot: auth, screen, packages, vault and users are required")
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	life, stop := context.WithCancel(context.Background())
	return &Sequence{auth: a, screen: s, pkgs: p, vault: v, users: u, log: log, life: life, stop: stop}, nil
}

// Start runs the boot flow in the background. The run ends when ctx does
// or when the sequence is stopped, whichever comes first.
func (b *Sequence) Start(ctx context.Context) {
	ctx, cancel := context.WithCancel(ctx)
	unlink := context.AfterFunc(b.life, cancel)
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		defer cancel()
		defer unlink()
		b.Run(ctx)
	}()
}

// Wait blocks until background runs have ended.
func (b *Sequence) Wait() { b.wg.Wait() }

// Stop ends every run, at whatever step it is (a sign-in waiting for its
// page ends as cancelled), and waits for them: a clean shutdown never
// waits for a login timeout.
func (b *Sequence) Stop() {
	b.stop()
	b.wg.Wait()
}

// Restart signs the user out and starts the boot flow again: what
// container apps call "Logout" (POST /boot/restart).
func (b *Sequence) Restart() {
	b.auth.Logout(context.Background())
	b.screen.Forget()
	b.screen.ShowLoading("Signed out")
	// A run still going (its flow was just cancelled) would ignore a new
	// one and go on to the starter app for nobody: it starts over instead.
	b.mu.Lock()
	if b.running {
		b.restart = true
		b.mu.Unlock()
		return
	}
	b.mu.Unlock()
	b.Start(context.Background())
}

// Run signs in, sets up the offline password the first time, and shows the
// starter app. Whatever fails ends on an error view that says what went
// wrong and offers Retry: never a blank window. When no login server is
// set and offline sign-in is impossible (auth.ErrNotConfigured), the error
// view also offers to set the login server (screen.ShowConfigure).
func (b *Sequence) Run(ctx context.Context) {
	b.mu.Lock()
	if b.running {
		b.mu.Unlock()
		return
	}
	b.running = true
	b.mu.Unlock()
	defer func() {
		b.mu.Lock()
		b.running = false
		again := b.restart
		b.restart = false
		b.mu.Unlock()
		if again && b.life.Err() == nil {
			b.Start(context.Background())
		}
	}()

	b.screen.ShowLoading("Signing in…")
	p, err := b.auth.Login(ctx)
	if err != nil {
		b.log.Warn("boot: sign-in did not complete", "err", err)
		if errors.Is(err, auth.ErrNotConfigured) {
			// Only a login server can fix this: offer to set one here.
			b.screen.ShowConfigure(Message(err))
		} else {
			b.screen.ShowError(Message(err))
		}
		return
	}
	b.screen.Refresh()
	if _, m, _ := b.users.Current(); m == user.Online && b.pkgs.HasOffline() && !b.vault.Exists(p.Username) {
		b.screen.ShowLoading("Set up your offline password")
		// A skipped setup is not fatal: the user works online and is asked
		// again at the next sign-in.
		if err := b.auth.Setup(ctx); err != nil {
			b.log.Warn("boot: offline password not set up", "user", p.Username, "err", err)
		}
		if _, _, ok := b.users.Current(); !ok {
			return // signed out meanwhile (Restart): no starter app for nobody
		}
	}
	if err := b.ShowApp(b.pkgs.Doc.Starter); err != nil {
		b.log.Error("boot: starter app", "err", err)
		b.screen.ShowError(fmt.Sprintf("The starter app %q named in the boot document is not installed. Install it or fix the boot document, then Retry.", b.pkgs.Doc.Starter))
	} else {
		b.log.Info("starter app shown", "app", b.pkgs.Doc.Starter)
	}
}

// ShowApp shows a web app's main page in the content area (window/pane).
func (b *Sequence) ShowApp(name string) error {
	url, title, err := b.pkgs.AppPage(name)
	if err != nil {
		return err
	}
	b.screen.ShowPage(url, title)
	return nil
}

// Message is the text shown to a person for a boot failure: the engine's
// own message for the failures it names (written to be read), and a
// generic one for anything else, whose cause stays in the log.
func Message(err error) string {
	for _, known := range []error{auth.ErrNotConfigured, auth.ErrNotAttempted, auth.ErrFailed, auth.ErrCancelled, auth.ErrInProgress} {
		if errors.Is(err, known) {
			return err.Error()
		}
	}
	return "Sign-in stopped because of an internal error; see the shell's log, then Retry."
}
