package install

import (
	"fmt"

	"loginshell/internal/check"
	"loginshell/internal/pkginstall"
)

// The phases an Event is in. The chrome switches on them; they are part of
// the wire format of the Wails event and the SSE event "install".
const (
	PhaseInstalling = "installing" // Progress: bytes written so far
	PhaseDone       = "done"       // Result: the install ended, installed or not
	PhaseRefused    = "refused"    // Result: not started (another runs, too large); the running one goes on
	PhaseCancelled  = "cancelled"  // Result: the person closed the file dialog
	// PhaseConfirm: nothing was installed; the package would replace one
	// the shell has (Replaces, Offline). Installing it again with replace
	// set goes ahead.
	PhaseConfirm = "confirm"
)

// Event is what the install reports to every window showing it: a
// Progress while it runs, then one Result. Both marshal to JSON with a
// "phase" field the chrome switches on. Only this package's types are
// Events (the unexported marker method).
type Event interface{ installEvent() }

// Progress is {phase: "installing", done, total}: bytes written of the
// declared total, as pkginstall.Options.Progress reports them.
type Progress struct {
	Phase string `json:"phase"`
	Done  int64  `json:"done"`
	Total int64  `json:"total"`
}

func (Progress) installEvent() {}

// Result is how an install ended, the same JSON over the Wails binding,
// the Wails event, the SSE event and POST /shell/install's answer.
// Message is one sentence a person can act on, safe to show: internal
// causes stay in the log. On a refused package, Problems are exactly what
// `loginshell check` reports for the same file (errors and warnings), so
// the window and the command line never disagree.
type Result struct {
	Phase     string          `json:"phase"`
	OK        bool            `json:"ok"`
	Cancelled bool            `json:"cancelled,omitempty"`
	Name      string          `json:"name"`
	Version   string          `json:"version"`
	Message   string          `json:"message"`
	Problems  []check.Problem `json:"problems"`
	// Replaces is the version installed now, for a confirm result ("" when
	// the package it replaces is the bundled one); Offline says it is the
	// offline sign-in package.
	Replaces string `json:"replaces,omitempty"`
	Offline  bool   `json:"offline,omitempty"`
}

func (Result) installEvent() {}

// The messages of Result. Each says what happened and what to do next.
const (
	msgBusy       = "Another package is being installed; wait until it has finished, then try again."
	msgBad        = "The package was not installed; fix the problems listed below (the same as `loginshell check` reports), then try again."
	msgInternal   = "The package could not be installed because of an error in the shell; see the shell's log, then try again."
	msgIncomplete = "The upload was interrupted before the whole package arrived; try again."
	// msgBusyElsewhere: the installer waited its limit for an install by
	// another process (`loginshell install`, a second shell).
	msgBusyElsewhere = "Another program is still installing a package into the shell's data folder; wait until it has finished, then try again."
	// msgRefusedUnnamed is the problem listed when the installer refused a
	// package without naming the entry and the rule.
	msgRefusedUnnamed = "the installer refused the package without naming the entry at fault; see the shell's log"
)

// confirmText asks whether to replace what a package would replace.
func confirmText(e *pkginstall.ReplaceError) string {
	now := fmt.Sprintf("%s %s is installed", e.Name, e.Old)
	if e.Old == "" {
		now = e.Name + " comes with the shell"
	}
	if e.Offline {
		return fmt.Sprintf("%s and is the offline sign-in page, which receives offline passwords. Replace it with %s %s?", now, e.Name, e.New)
	}
	return fmt.Sprintf("%s. Replace it with %s %s?", now, e.Name, e.New)
}

// Installed is the message of a successful install.
func Installed(name, version string) string {
	return fmt.Sprintf("Installed %s %s. It is used at the next sign-in.", name, version)
}

// tooLarge is the message of a package over the upload limit.
func tooLarge(limit int64) string {
	return fmt.Sprintf("The package is larger than %s, the most the shell accepts; make it smaller, then try again.", size(limit))
}

// Cancelled is the Result of a file dialog the person closed without
// choosing a file: nothing happened, nothing to show.
func Cancelled() Result {
	return Result{Phase: PhaseCancelled, Cancelled: true, Problems: []check.Problem{}}
}

// Busy is the Result of an install refused because another runs, for a
// transport that checks Running before asking for a file.
func Busy() Result { return Refused(msgBusy) }

// Refused is a Result for an install that did not start, with message.
// Transports use it for their own refusals (a window not ready, a drop of
// several files) so the chrome shows every refusal the same way.
func Refused(message string) Result {
	return Result{Phase: PhaseRefused, Message: message, Problems: []check.Problem{}}
}

func size(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	default:
		return fmt.Sprintf("%d bytes", n)
	}
}
