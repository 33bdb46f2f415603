// Package install runs the installs a person starts from the shell's
// window: a package chosen in a file dialog or dropped on the window
// (InstallFile), or uploaded by the browser in serve mode (InstallUpload).
// Both transports share this one path, so they refuse and report alike:
//
//   - one install at a time; a second is refused (ErrBusy) without
//     touching the first, which would otherwise race on the catalog;
//   - progress goes to every subscriber (the Wails event and the SSE
//     stream "install"), then one Result;
//   - a refused package is reported with the problems `loginshell check`
//     finds in the same file, so the window shows exactly check's lines,
//     plus the installer's own reason when check did not find it: every
//     refusal lists at least one problem;
//   - an install into the data folder by another process (`loginshell
//     install`) makes the installer wait; if it runs too long the Result
//     says so (pkginstall.ErrInstallBusy), not "an error in the shell";
//   - uploads are streamed to a temporary file in the data directory
//     (never held in memory) and removed once installed or refused.
//
// The install itself (rules, atomic version switch, catalog swap) is the
// Installer's: *shell.Shell in production.
package install

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"

	"loginshell/internal/check"
	"loginshell/internal/fault"
	"loginshell/internal/manifest"
	"loginshell/internal/pkginstall"
	"loginshell/internal/pubsub"
)

// ErrBusy means another install is running; the Result says to wait.
var ErrBusy = fault.New(fault.Conflict, "another package is being installed; wait for it to finish")

// ErrTooLarge means an upload is over Options.MaxUpload.
var ErrTooLarge = fault.New(fault.TooLarge, "the package is larger than the upload limit")

// ErrIncomplete means an upload ended (the connection closed, the body
// was cut) before the declared size arrived.
var ErrIncomplete = fault.New(fault.BadRequest, "the upload ended before the whole package arrived; send it again")

// DefaultMaxUpload is the largest upload accepted when Options.MaxUpload
// is zero: the installer's own limit on what a package expands to.
const DefaultMaxUpload int64 = pkginstall.DefaultMaxTotalBytes

// uploadPrefix names staged uploads in Options.Dir; New removes leftovers.
const uploadPrefix = ".upload-"

// Installer installs the zip or directory package at path and makes the
// shell use it, reporting bytes written through progress. A package it
// refuses matches pkginstall.ErrBadPackage; one that would replace a package
// the shell relies on, without replace, is a *pkginstall.ReplaceError.
// *webapps.Library is one.
type Installer interface {
	Install(path string, progress func(done, total int64), replace bool) (manifest.WebApp, error)
}

// Options configure a Service.
type Options struct {
	// Installer does the install (required).
	Installer Installer
	// Dir holds staged uploads (required): the data directory, so an
	// upload lands on the same disk as the installed package and never in
	// a world-readable /tmp.
	Dir string
	// MaxUpload caps an upload's bytes (default DefaultMaxUpload).
	MaxUpload int64
	// Permit says whether an install may start now (required): nil, or
	// the refusal to show (Permit builds the product's rule). Every
	// install is asked, before anything is read or staged, so a transport
	// that hides its buttons from a person is not the only guard.
	Permit func() error
	// OfflineName returns the boot document's offline sign-in package,
	// which the Installer holds to its role; a refused package's problems
	// are check's with that role too (nil: none).
	OfflineName func() string
	// Log receives what went wrong in the shell (default: discarded);
	// installs and refused packages are the Installer's to log.
	Log *slog.Logger
}

// Service runs installs one at a time and tells subscribers how they go.
// Its methods are safe for concurrent use.
type Service struct {
	inst    Installer
	permit  func() error
	offline func() string
	dir     string
	max     int64
	log     *slog.Logger

	busy chan struct{} // holds a token while an install runs

	events *pubsub.Hub[Event]
}

// New returns a Service, refusing a missing Installer or Dir. It removes
// uploads a crash left in Dir: no install can be using them yet.
func New(o Options) (*Service, error) {
	if o.Installer == nil || o.Dir == "" || o.Permit == nil {
		return nil, errors.New("install: Installer, Dir and Permit are required")
	}
	if o.MaxUpload <= 0 {
		o.MaxUpload = DefaultMaxUpload
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if stale, err := filepath.Glob(filepath.Join(o.Dir, uploadPrefix+"*")); err == nil {
		for _, p := range stale {
			if err := os.Remove(p); err != nil {
				o.Log.Warn("remove a stale upload", "path", p, "err", err)
			}
		}
	}
	if o.OfflineName == nil {
		o.OfflineName = func() string { return "" }
	}
	return &Service{inst: o.Installer, permit: o.Permit, offline: o.OfflineName, dir: o.Dir, max: o.MaxUpload, log: o.Log,
		busy: make(chan struct{}, 1), events: pubsub.Latest[Event]()}, nil
}

// MaxUpload is the largest upload InstallUpload accepts, so a transport
// can refuse a declared length before reading anything.
func (s *Service) MaxUpload() int64 { return s.max }

// Running reports whether an install runs now, so a transport can say so
// before asking the person to choose a file.
func (s *Service) Running() bool { return len(s.busy) > 0 }

// Permitted is Options.Permit: nil when an install may start now, else
// the refusal (ErrSignedOut, ErrNotInstaller), so a transport can refuse
// before asking the person to choose a file.
func (s *Service) Permitted() error { return s.permit() }

// refusal is the Result and error of an install Permit refuses.
func (s *Service) refusal(err error) (Result, error) {
	s.log.Info("install refused", "err", err)
	return Refused(fault.Text(err)), err
}

// InstallFile installs the package at path (a zip or a directory), as
// chosen in a file dialog or dropped on the window. The Result is always
// filled for the person; the error is for the caller to branch on: nil,
// ErrBusy (a refusal, not published to subscribers: the running install
// goes on), Permit's refusal, an error matching pkginstall.ErrBadPackage (the Result lists at
// least one problem), pkginstall.ErrInstallBusy (another process installed
// into the data folder for too long), or an internal one.
func (s *Service) InstallFile(path string, replace bool) (Result, error) {
	if err := s.permit(); err != nil {
		return s.refusal(err)
	}
	if !s.acquire() {
		return Refused(msgBusy), ErrBusy
	}
	defer s.release()
	return s.run(path, replace)
}

// InstallUpload streams body to a temporary file in Dir and installs it.
// size is the declared length (-1 when unknown): a size over MaxUpload is
// refused before anything is read. The busy check comes first too, so a
// second upload is not read at all; Permit is asked before either.
// Errors are those of InstallFile plus
// ErrTooLarge and ErrIncomplete.
func (s *Service) InstallUpload(body io.Reader, size int64, replace bool) (Result, error) {
	if err := s.permit(); err != nil {
		return s.refusal(err)
	}
	if size > s.max {
		return Refused(tooLarge(s.max)), ErrTooLarge
	}
	if !s.acquire() {
		return Refused(msgBusy), ErrBusy
	}
	defer s.release()
	path, err := s.stage(body, size)
	if err != nil {
		var r Result
		switch {
		case errors.Is(err, ErrTooLarge):
			r = Refused(tooLarge(s.max))
		case errors.Is(err, ErrIncomplete):
			r = Refused(msgIncomplete)
		default:
			s.log.Error("stage the upload", "err", err)
			r = Refused(msgInternal)
		}
		return r, err
	}
	defer os.Remove(path)
	return s.run(path, replace)
}

// stage writes body to a fresh file in Dir and returns its path.
func (s *Service) stage(body io.Reader, size int64) (string, error) {
	f, err := os.CreateTemp(s.dir, uploadPrefix+"*.zip")
	if err != nil {
		return "", fmt.Errorf("create the upload file: %w", err)
	}
	rd := &reader{r: io.LimitReader(body, s.max+1)}
	n, err := io.Copy(f, rd)
	if cerr := f.Close(); err == nil && cerr != nil {
		err = cerr
	}
	switch {
	case rd.err != nil:
		err = fmt.Errorf("%w: %w", ErrIncomplete, rd.err)
	case err != nil:
		err = fmt.Errorf("write the upload file: %w", err)
	case n > s.max:
		err = ErrTooLarge
	case size >= 0 && n != size:
		err = fmt.Errorf("%w: %d of %d bytes", ErrIncomplete, n, size)
	}
	if err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}

// reader remembers a read error, which io.Copy does not tell apart from a
// write error: the first is the sender's, the second the shell's.
type reader struct {
	r   io.Reader
	err error
}

func (r *reader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if err != nil && err != io.EOF {
		r.err = err
	}
	return n, err
}

// run installs path with the busy token held, publishing progress and the
// Result.
func (s *Service) run(path string, replace bool) (Result, error) {
	s.publish(Progress{Phase: PhaseInstalling})
	m, err := s.inst.Install(path, func(done, total int64) {
		s.publish(Progress{Phase: PhaseInstalling, Done: done, Total: total})
	}, replace)
	r := Result{Phase: PhaseDone, Problems: []check.Problem{}}
	var rerr *pkginstall.ReplaceError
	switch {
	case errors.As(err, &rerr):
		r.Phase, r.Name, r.Version, r.Replaces, r.Offline = PhaseConfirm, rerr.Name, rerr.New, rerr.Old, rerr.Offline
		r.Message = confirmText(rerr)
	case err == nil:
		r.OK, r.Name, r.Version, r.Message = true, m.Name, m.Version, Installed(m.Name, m.Version)
	case errors.Is(err, pkginstall.ErrBadPackage):
		rep := check.Check(path, check.Options{OfflineName: s.offline()})
		r.Name, r.Version, r.Message = rep.Name, rep.Version, msgBad
		r.Problems = withRefusal(rep.Problems, err)
	case errors.Is(err, pkginstall.ErrInstallBusy):
		r.Message = msgBusyElsewhere
		s.log.Warn("install a package", "err", err)
	default:
		r.Message = msgInternal
		s.log.Error("install a package", "err", err)
	}
	s.publish(r)
	return r, err
}

// RuleRefused is the rule of the problem listed when the installer
// refuses a package without naming an entry and a rule (no
// *pkginstall.PackageError in its error), so a refusal never shows an empty
// list.
const RuleRefused = "refused"

// withRefusal returns check's problems with the installer's own reason
// added when check did not find it. Check runs the installer's rules, so
// the reason is normally there already (the same entry and rule); but the
// disk can refuse what the rules let through (a name too long for this
// file system), and the person must still be told which entry and why,
// never only "an error in the shell".
func withRefusal(problems []check.Problem, err error) []check.Problem {
	var perr *pkginstall.PackageError
	if !errors.As(err, &perr) {
		for _, p := range problems {
			if p.Severity == check.SeverityError {
				return problems // check says why
			}
		}
		return append(problems, check.Problem{Rule: RuleRefused, Message: msgRefusedUnnamed, Severity: check.SeverityError})
	}
	for _, p := range problems {
		if p.Severity == check.SeverityError && p.File == perr.Entry && p.Rule == perr.Rule {
			return problems
		}
	}
	return append(problems, check.Problem{File: perr.Entry, Rule: perr.Rule, Message: perr.Detail, Severity: check.SeverityError})
}

func (s *Service) acquire() bool {
	select {
	case s.busy <- struct{}{}:
		return true
	default:
		return false
	}
}

func (s *Service) release() { <-s.busy }

// Subscribe returns a channel that receives the events of every install
// from now on. A slow reader misses intermediate progress, never the
// newest event, so the last Result always arrives (pubsub.Latest). Call
// cancel to stop.
func (s *Service) Subscribe() (<-chan Event, func()) { return s.events.Subscribe() }

// publish replaces whatever a subscriber has not read yet with e. Only
// the goroutine holding the busy token publishes, so the events of one
// install arrive in order.
func (s *Service) publish(e Event) { s.events.Publish(e) }
