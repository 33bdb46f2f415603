// Package configure is the engine of the chrome's Settings place: the
// shell's own settings a person at the station sees and changes there, the
// login server (login_url), the redirect port (redirect_port) and the
// signature store (signature_store), with the one rule each has wherever it
// is set (settings.Check, loginurl.Parse: the command line's flags and the
// first-start form apply the same), and who may install packages
// (installer_role), shown but not changed there.
//
// The place is the chrome's, as trusted as the command line: only the
// window's bindings and the browser mode's key-guarded endpoints reach it.
// Hosted pages never do; they cannot change these keys through
// /pmapi/usersettings either (settings.IsShellKey).
//
// Who may change them: once someone has signed in at this station
// (Options.SignedInBefore), only a signed-in person who may install
// packages (Options.Permit: install.Permit, the installer_role setting),
// since a login server another provider answers at would verify the
// station's "openid" signatures. Before anyone has, whoever is at the
// station may: the first start sets the login server here or on the
// first-start form. A wrong address that lets nobody sign in is corrected
// on the sign-in error's form (boot.Sequence.SetLoginServer), not here.
// Every change of the login server is in the audit trail either way
// (settings.Recorded).
//
// A change takes effect as the first-start form's does: a new login server
// at once (a sign-in there; whoever is signed in is signed out first), the
// redirect port at the next sign-in, the signature store at the next start
// (it is opened once, at start). Save says which, in words.
package configure

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"loginshell/internal/fault"
	"loginshell/internal/install"
	"loginshell/internal/loginurl"
	"loginshell/internal/settings"
	"loginshell/internal/user"
)

// Values are what the Settings place shows.
type Values struct {
	// LoginURL is the login server, "" while none is set.
	LoginURL string `json:"loginURL"`
	// RedirectPort is the fixed port of the sign-in redirect, 0 for a
	// port picked at each sign-in.
	RedirectPort int `json:"redirectPort"`
	// SignatureStore is the signature_store setting: "" for this
	// computer's own file, else the plant's PostgreSQL DSN (never with a
	// password: settings.Check refuses one).
	SignatureStore string `json:"signatureStore"`
	// StoreInUse names the store the running shell opened at start, which
	// a changed SignatureStore replaces only at the next start.
	StoreInUse string `json:"storeInUse"`
	// InstallerRole is the role a person needs to install packages, ""
	// for every signed-in person. Not changed here (see Options).
	InstallerRole string `json:"installerRole"`
}

// Change is what the Settings place saves: each field as typed. An empty
// RedirectPort is a random port; an empty SignatureStore this computer's
// own file. LoginURL unchanged (spaces aside) is left alone, so a station
// without one can still save the other two.
type Change struct {
	LoginURL       string `json:"loginURL"`
	RedirectPort   string `json:"redirectPort"`
	SignatureStore string `json:"signatureStore"`
}

// The fields of Change, as a FieldError names them (the JSON names).
const (
	FieldLoginURL       = "loginURL"
	FieldRedirectPort   = "redirectPort"
	FieldSignatureStore = "signatureStore"
)

// FieldError is a refusal of one field's value: Field names it, Err says
// why in words (its fault.Text), so the chrome shows it beside the field.
type FieldError struct {
	Field string
	Err   error
}

func (e *FieldError) Error() string { return e.Err.Error() }
func (e *FieldError) Unwrap() error { return e.Err }

// ErrSignInRunning refuses a new login server while a sign-in, an offline
// password setup or change runs: it keeps the server it started with.
var ErrSignInRunning = fault.New(fault.Conflict,
	"A sign-in is in progress. Finish it or cancel it, then save the new login server again.")

// ErrSignInFirst refuses a change while nobody is signed in at a station
// someone has signed in at before; ErrNotPermitted one by a person who may
// not install packages (wrapped with the role and the person's name).
// Both are Forbidden, and neither names a field: the rule is the
// person's, not a value's.
var (
	ErrSignInFirst = fault.New(fault.Forbidden, "Sign in to change these settings: once someone has signed in at this station, "+
		"only a signed-in person who may install packages may change the login server, the redirect port or the signature store. "+
		"If nobody can sign in because the login server's address is wrong, correct it in the form the sign-in error shows.")
	ErrNotPermitted = fault.New(fault.Forbidden, "Changing the login server, the redirect port or the signature store is for people who may install packages (the installer_role setting).")
)

// The words of Saved.Message, one sentence per change.
const (
	msgNothing     = "Nothing changed."
	msgSignIn      = "Saved. Signing in at the new login server…"
	msgSignOutIn   = "Saved. You were signed out; signing in at the new login server…"
	msgRedirect    = "Saved. The redirect port is used from the next sign-in."
	msgStore       = "Saved. The signature store is used when loginshell starts again."
	msgSaveFailure = "The settings could not be saved because of an internal error; see the shell's log."
)

// Saved says what a saved change does.
type Saved struct {
	// Message is what the change does, in words ("Nothing changed." when
	// nothing did).
	Message string
}

// Auth tells whether a sign-in or an offline password flow is running.
type Auth interface{ InProgress() bool }

// Users tells who is signed in.
type Users interface {
	Current() (user.Profile, user.Method, bool)
}

// Boot signs in again after a new login server: Start when nobody is
// signed in (the first-start form's way), Restart (sign out, then in)
// when someone is. *boot.Sequence is one.
type Boot interface {
	Start(ctx context.Context)
	Restart()
}

// Options are a Place's collaborators; all are required but StoreInUse and
// Log.
type Options struct {
	Settings *settings.Store
	Auth     Auth
	Users    Users
	Boot     Boot
	// Permit says whether the person signed in may install packages
	// (install.Permit): nil, install.ErrSignedOut or
	// install.ErrNotInstaller. The same person may change these settings.
	Permit func() error
	// SignedInBefore reports whether anyone has signed in at this station
	// (the last user it remembers); until then Permit is not asked.
	SignedInBefore func() bool
	// StoreInUse names the signature store the shell opened at start.
	StoreInUse string
	Log        *slog.Logger
}

// Place is the Settings place's engine. Safe for concurrent use.
type Place struct {
	st     *settings.Store
	auth   Auth
	users  Users
	boot   Boot
	permit func() error
	before func() bool
	store  string
	log    *slog.Logger
}

// New returns a Place over its collaborators, refusing missing ones.
func New(o Options) (*Place, error) {
	if o.Settings == nil || o.Auth == nil || o.Users == nil || o.Boot == nil || o.Permit == nil || o.SignedInBefore == nil {
		return nil, errors.New("configure: Settings, Auth, Users, Boot, Permit and SignedInBefore are required")
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	return &Place{st: o.Settings, auth: o.Auth, users: o.Users, boot: o.Boot, permit: o.Permit, before: o.SignedInBefore,
		store: o.StoreInUse, log: o.Log}, nil
}

// Current returns the values the place shows now.
func (p *Place) Current() Values {
	return Values{
		LoginURL:       p.st.String(settings.LoginURL),
		RedirectPort:   p.st.Port(settings.RedirectPort),
		SignatureStore: p.st.String(settings.SignatureStore),
		StoreInUse:     p.store,
		InstallerRole:  p.st.String(settings.InstallerRole),
	}
}

// Save checks every field of c with its key's rule and stores them all, or
// nothing: a refusal is a *FieldError naming the first field refused (the
// login server, the redirect port, the signature store, in that order),
// wrapping the rule's error (loginurl.ErrInvalid, settings.ErrInvalid); a
// new login server while a sign-in runs is ErrSignInRunning; a failure to
// write the settings is Internal; a change by someone who may not make it
// (see the package's doc) is ErrSignInFirst or ErrNotPermitted, decided
// after the values are checked, so "Nothing changed." is never refused. A
// new login server is then used at once (see Boot).
func (p *Place) Save(c Change) (Saved, error) {
	cur := p.Current()
	login := strings.TrimSpace(c.LoginURL)
	loginChanged := login != cur.LoginURL
	if loginChanged {
		// An empty address is refused here, as on the first-start form:
		// clearing the login server is no setting a person can use.
		u, err := loginurl.Parse(login)
		if err != nil {
			return Saved{}, &FieldError{FieldLoginURL, err}
		}
		login = u
	}
	port, err := settings.Check(settings.RedirectPort, c.RedirectPort)
	if err != nil {
		return Saved{}, &FieldError{FieldRedirectPort, err}
	}
	store, err := settings.Check(settings.SignatureStore, c.SignatureStore)
	if err != nil {
		return Saved{}, &FieldError{FieldSignatureStore, err}
	}
	portChanged := asPort(port) != cur.RedirectPort
	storeChanged := store != cur.SignatureStore
	if !loginChanged && !portChanged && !storeChanged {
		return Saved{Message: msgNothing}, nil
	}
	if err := p.mayChange(); err != nil {
		return Saved{}, err
	}
	if loginChanged && p.auth.InProgress() {
		return Saved{}, &FieldError{FieldLoginURL, ErrSignInRunning}
	}
	change := map[string]any{}
	var words []string
	if portChanged {
		change[settings.RedirectPort] = port
		words = append(words, msgRedirect)
	}
	if storeChanged {
		change[settings.SignatureStore] = store
		words = append(words, msgStore)
	}
	if loginChanged {
		change[settings.LoginURL] = login
	}
	if err := p.st.MergeVia(change, settings.ViaSettings); err != nil {
		return Saved{}, fmt.Errorf("save the Settings place's change: %w", err)
	}
	p.log.Info("settings changed in the Settings place", "login_url", loginChanged, "redirect_port", portChanged, "signature_store", storeChanged)
	if loginChanged {
		p.log.Info("login server set from the shell", "login_url", login)
		if _, _, signedIn := p.users.Current(); signedIn {
			words = append([]string{msgSignOutIn}, words...)
			p.boot.Restart()
		} else {
			words = append([]string{msgSignIn}, words...)
			p.boot.Start(context.Background())
		}
	}
	return Saved{Message: join(words)}, nil
}

// mayChange applies the rule of who may change these settings (see the
// package's doc), in words that say what to do.
func (p *Place) mayChange() error {
	if !p.before() {
		return nil
	}
	err := p.permit()
	switch {
	case err == nil:
		return nil
	case errors.Is(err, install.ErrSignedOut):
		return ErrSignInFirst
	case errors.Is(err, install.ErrNotInstaller):
		who, _, _ := p.users.Current()
		return fault.Explain(ErrNotPermitted, "Changing the login server, the redirect port or the signature store on this station is for "+
			"people with the role %q (the installer_role setting), and %s does not have it; ask someone with that role.",
			p.st.String(settings.InstallerRole), who.Username)
	}
	return err
}

// asPort reads a checked redirect_port value (nil or a float64) as a port.
func asPort(v any) int {
	if f, ok := v.(float64); ok {
		return int(f)
	}
	return 0
}

// join puts the sentences of a change together, dropping the repeated
// "Saved." after the first.
func join(words []string) string {
	for i := 1; i < len(words); i++ {
		words[i] = strings.TrimPrefix(words[i], "Saved. ")
	}
	return strings.Join(words, " ")
}

// Answer is what the window's binding and the browser mode's endpoint
// answer a save: ok with Message, or Error (a text to show) and, when one
// field is at fault, Field (a FieldLoginURL, ...), so the chrome shows it
// beside that field.
type Answer struct {
	OK      bool   `json:"ok"`
	Error   string `json:"error,omitempty"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message,omitempty"`
}

// Reply is the Answer to Save's result, in the words of the one map to
// safe text (fault.Text); a failure of the shell itself is logged to log
// and answered as such.
func Reply(s Saved, err error, log *slog.Logger) Answer {
	if err == nil {
		return Answer{OK: true, Message: s.Message}
	}
	a := Answer{Error: fault.Text(err)}
	if fault.KindOf(err) == fault.Internal {
		log.Error("save the Settings place's change", "err", err)
		a.Error = msgSaveFailure
	}
	var fe *FieldError
	if errors.As(err, &fe) {
		a.Field = fe.Field
	}
	return a
}
