// Package app is the window mode: the struct bound to the window's
// JavaScript (window.go.app.Shell), the sign-in side of the window
// (Window) and the adapter that turns screen changes into Wails events. It
// is the only package that imports Wails, and a peer of the browser mode
// (internal/serve): both take the same shell.Shell. Bound methods are thin:
// they call the engines and turn errors into text safe to show.
package app

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"sync"
	"time"

	"loginshell/internal/fault"
	"loginshell/internal/screen"
	"loginshell/internal/shell"
	"loginshell/internal/signature"
)

// ViewEvent is the Wails event that carries each new screen.View.
const ViewEvent = "view"

// Result is what a bound call answers: ok, or an error a person can read.
type Result struct {
	OK    bool   `json:"ok"`
	Error string `json:"error,omitempty"`
	// Closed (AnswerChallenge only): the challenge has ended with Error
	// (signature.ChallengeOver); the dialog offers only Close.
	Closed bool `json:"closed,omitempty"`
	// Confirm (AnswerChallenge only): Error asks the signer to confirm
	// (signature.NeedsConfirm); nothing was signed, and the same person's
	// next answer signs.
	Confirm bool `json:"confirm,omitempty"`
}

// Shell is bound to the window: what the chrome calls (View, Retry,
// Cancel, Configure, PickPackage, InstallDrop) and nothing a hosted page needs, since
// pages reach the engines through /pmapi. Its only exported methods are
// the bindings: Wails binds every exported method.
//
// Every binding takes the chrome's token first. WebKitGTK hands the
// window's message channel to every frame, hosted pages' included, so a
// page can post a binding call blind (it never sees the answer). The
// channel drops such a call before Wails sees it (webviewGuard); should
// one get through, it lacks the token, which only the chrome can read
// (GET /shell/token on the chrome's own origin), and is refused.
type Shell struct {
	sh    *shell.Shell
	win   *Window
	token string
	menus windowMenus // the window's menu bars (newWindowMenus)

	now func() time.Time // the clock a drop's age is read on

	mu          sync.Mutex
	confirmable string // the package a confirm result asked about
	heldFor     string // the challenge whose held message boxes were logged
	drop        drop   // the files of the last drop on the window
	ctx         context.Context
	cancel      context.CancelFunc
	stop        func()
	wg          sync.WaitGroup
}

// New returns the bound shell over the engines and the window.
func New(sh *shell.Shell, win *Window) (*Shell, error) {
	if sh == nil || win == nil {
		return nil, errors.New("app: the shell and the window are required")
	}
	s := &Shell{sh: sh, win: win, token: newToken(), now: time.Now}
	s.menus = newWindowMenus(s.backToShell, s.openSettings)
	return s, nil
}

// errToken refuses a binding called without the chrome's token.
var errToken = errors.New("this call did not come from the shell's own window")

// newToken returns a fresh random token (128 bits, hex).
func newToken() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand failed: " + err.Error()) // never happens on supported OSes
	}
	return hex.EncodeToString(b)
}

// from reports whether a binding call carries the chrome's token.
func (s *Shell) from(token string) bool {
	return subtle.ConstantTimeCompare([]byte(token), []byte(s.token)) == 1
}

// startup is Wails' OnStartup: it attaches the real runtime, and has the
// window answer pages' message boxes while a signature dialog is open.
func (s *Shell) startup(ctx context.Context) {
	holdModals(s.holdingModals)
	s.attach(ctx, wailsRuntime{ctx: ctx, menus: s.menus})
}

// holdingModals says whether a page's alert, confirm or prompt is to be
// answered at once rather than shown (holdModals): while the signature
// dialog is open, nothing of a page may cover it or freeze it. It logs
// the first one of each dialog, not every one of a page's loop.
func (s *Shell) holdingModals() bool {
	c := s.sh.Screen.Current().Challenge
	if c == nil {
		return false
	}
	s.mu.Lock()
	first := s.heldFor != c.ID
	s.heldFor = c.ID
	s.mu.Unlock()
	if first {
		s.sh.Log.Warn("a page's message box was answered at once, unseen: the signature dialog is open", "request", c.RequestName)
	}
	return true
}

// attach starts forwarding screen changes and installs to rt and runs the
// boot flow. startup calls it with the Wails runtime; tests with a fake.
func (s *Shell) attach(ctx context.Context, rt Runtime) {
	ctx, cancel := context.WithCancel(ctx)
	views, stop := s.sh.Screen.Subscribe()
	s.mu.Lock()
	s.ctx, s.cancel, s.stop = ctx, cancel, stop
	s.mu.Unlock()
	s.win.attach(ctx, rt)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			select {
			case <-ctx.Done():
				return
			case v := <-views:
				rt.EventsEmit(ViewEvent, v)
				s.win.syncMenu(false)
			}
		}
	}()
	s.attachInstalls(ctx, rt)
	s.sh.Boot.Start(ctx)
}

// shutdown is Wails' OnShutdown: it cancels a running flow so its waiting
// calls return, and stops the event forwarding.
func (s *Shell) shutdown(context.Context) {
	_ = s.sh.Auth.Cancel()
	s.mu.Lock()
	cancel, stop := s.cancel, s.stop
	s.mu.Unlock()
	if cancel != nil {
		cancel()
		stop()
	}
	s.wg.Wait()
	s.win.wait()
}

// View returns what the window shows now. The chrome calls it when it
// loads, which also ends ReturnFromLogin's reloads.
func (s *Shell) View(token string) (screen.View, error) {
	if !s.from(token) {
		return screen.View{}, errToken
	}
	s.win.chromeBack()
	return s.sh.Screen.Current(), nil
}

// Retry runs the boot flow again after an error.
func (s *Shell) Retry(token string) error {
	if !s.from(token) {
		return errToken
	}
	s.sh.Boot.Start(s.life())
	return nil
}

// Cancel cancels the running sign-in (the chrome's Cancel on an
// authentication page).
func (s *Shell) Cancel(token string) Result {
	if !s.from(token) {
		return Result{Error: errToken.Error()}
	}
	return result(s.sh.Auth.Cancel())
}

// Configure sets the login server (the login_url setting) from the error
// view the boot flow shows when none is set, then signs in again: the new
// view arrives as a ViewEvent. A refused address answers the rule it
// breaks; a sign-in in progress is not interrupted.
func (s *Shell) Configure(token, loginURL string) Result {
	if !s.from(token) {
		s.sh.Log.Warn("a binding call without the chrome's token was refused", "binding", "Configure")
		return Result{Error: errToken.Error()}
	}
	err := s.sh.Boot.SetLoginServer(loginURL)
	if err != nil {
		s.sh.Log.Warn("login server not set", "err", err)
	}
	return result(err)
}

// life is the window's context, or Background before Startup.
func (s *Shell) life() context.Context {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ctx == nil {
		return context.Background()
	}
	return s.ctx
}

// result answers err in the words of the one map to safe text
// (fault.Text), as the REST API and the gateway do.
func result(err error) Result {
	if err == nil {
		return Result{OK: true}
	}
	return Result{Error: fault.Text(err)}
}

// AnswerChallenge signs the open signature challenge id with what the
// shell's dialog took: the user ID, the password (which goes no further
// than the identity check) and the comment. A refused signature (wrong
// password, lockout, not entitled) answers its text for the dialog, which
// stays open for another try; one that ended the challenge (signed by
// someone else meanwhile) answers Closed too.
func (s *Shell) AnswerChallenge(token, id, userID, password, comment string) Result {
	if !s.from(token) {
		return Result{Error: errToken.Error()}
	}
	if s.sh.Signatures == nil {
		return Result{Error: errNoSignatures.Error()}
	}
	_, err := s.sh.Signatures.Answer(s.life(), id, userID, password, comment)
	r := result(err)
	r.Closed = signature.ChallengeOver(err)
	r.Confirm = signature.NeedsConfirm(err)
	return r
}

// DismissChallenge closes the challenge without signing (the dialog's
// Cancel, Escape): the page hears an error, the slot stays pending.
func (s *Shell) DismissChallenge(token, id string) error {
	if !s.from(token) {
		return errToken
	}
	if s.sh.Signatures == nil {
		return errNoSignatures
	}
	return s.sh.Signatures.Dismiss(s.life(), id)
}

// ReportExposure records that the dialog closed the page behind it
// because that page took the keyboard while the dialog was open: keys
// typed may have reached it (signature.Engine.Exposed writes an alert into
// the trail). The challenge stays open.
func (s *Shell) ReportExposure(token, id string, x signature.Exposure) Result {
	if !s.from(token) {
		s.sh.Log.Warn("a binding call without the chrome's token was refused", "binding", "ReportExposure")
		return Result{Error: errToken.Error()}
	}
	if s.sh.Signatures == nil {
		return Result{Error: errNoSignatures.Error()}
	}
	return result(s.sh.Signatures.Exposed(s.life(), id, x))
}

// ReportSignInExposure records that the chrome closed the page behind the
// sign-in page shown over it because that page took the keyboard: keys
// typed into the sign-in page may have reached it, whole: long enough for
// a whole password (shell.Shell.SignInExposed writes an alert into the
// trail, naming the pages as the screen shows them).
func (s *Shell) ReportSignInExposure(token string, whole bool) Result {
	if !s.from(token) {
		s.sh.Log.Warn("a binding call without the chrome's token was refused", "binding", "ReportSignInExposure")
		return Result{Error: errToken.Error()}
	}
	return result(s.sh.SignInExposed(s.life(), whole))
}

// SetSigningPhrase stores the station's signing phrase, which the dialog
// asks for at the first signing on this station (shell.Shell
// SetSigningPhrase); the next view carries it. A refused phrase answers
// the rule it breaks, or that the station has one already.
func (s *Shell) SetSigningPhrase(token, phrase string) Result {
	if !s.from(token) {
		s.sh.Log.Warn("a binding call without the chrome's token was refused", "binding", "SetSigningPhrase")
		return Result{Error: errToken.Error()}
	}
	err := s.sh.SetSigningPhrase(phrase)
	if err != nil {
		s.sh.Log.Warn("signing phrase not stored", "err", err)
	}
	return result(err)
}

// errNoSignatures answers the dialog of a shell built without signatures.
var errNoSignatures = errors.New("this shell runs no electronic signatures")
