package boot

import (
	"errors"
	"fmt"
	"strings"

	"loginshell/internal/auth"
	"loginshell/internal/fault"
	"loginshell/internal/keychain"
	"loginshell/internal/screen"
)

// tryAgain is the label of the one next action of most error views: it
// starts the sign-in again.
const tryAgain = "Try again"

// problem turns a sign-in that did not finish into the view a person at the
// station reads: what happened in their words, and the one thing to do.
// loginURL is the login server tried ("" when none is set); forcedOffline
// is --offline, where no login server form is offered (the person chose to
// work without one).
//
// Every failure involving the login server offers the login server form,
// filled with the address tried, so a mistyped address is corrected where
// it shows: not only when none is set.
func problem(err error, loginURL string, forcedOffline bool) screen.Problem {
	switch {
	case errors.Is(err, auth.ErrCancelled):
		return screen.Problem{Heading: "Sign-in cancelled", Calm: true, Action: "Sign in again",
			Message: "Nobody is signed in. Choose Sign in again when you are ready."}
	case errors.Is(err, keychain.ErrLocked):
		return screen.Problem{Heading: "Offline sign-in is locked", Action: tryAgain, Message: fault.Text(err)}
	case errors.Is(err, auth.ErrNotConfigured):
		// A first start, not a failure: calm, and the form is the one way on
		// (no Try again, which could only fail the same way).
		return screen.Problem{Heading: "Connect this computer to your login server", Configure: true, Calm: true,
			Message: "No login server is set yet, and nobody can sign in offline on this computer. " +
				"Enter your organisation's login server address (your IT department has it), then choose Save and sign in."}
	case forcedOffline && errors.Is(err, auth.ErrNotAttempted):
		return screen.Problem{Heading: "Offline sign-in is not set up on this computer", Action: tryAgain,
			Message: "This computer was started to work offline, and nobody has set up an offline password on it yet. " +
				"Start it once while connected to the network and sign in online; you are then asked to set up an offline password."}
	case !forcedOffline && loginURL != "" && errors.Is(err, auth.ErrNotAttempted):
		return screen.Problem{Heading: "The login server cannot be reached", Configure: true, LoginURL: loginURL, Action: tryAgain,
			Message: fmt.Sprintf("The shell tried %s and got no answer, and nobody can sign in offline on this computer yet. "+
				"Check the network connection and choose Try again, or correct the address below and choose Save and sign in.", loginURL)}
	case !forcedOffline && errors.Is(err, auth.ErrNotLoginServer):
		// The address is wrong, not the network nor the person: the heading
		// says so, the message gives the server's answer.
		return screen.Problem{Heading: "That address is not an OpenID login server", Configure: true, LoginURL: loginURL, Action: tryAgain,
			Message: sentence(fault.Text(err)) + " Correct the address below and choose Save and sign in."}
	case !forcedOffline && errors.Is(err, auth.ErrFailed):
		return screen.Problem{Heading: "Sign-in did not work", Configure: loginURL != "", LoginURL: loginURL, Action: tryAgain,
			Message: sentence(fault.Text(err)) + " If the address below is wrong, correct it and choose Save and sign in."}
	case fault.KindOf(err) == fault.Internal:
		return screen.Problem{Heading: "Sign-in stopped", Action: tryAgain,
			Message: "The shell ran into an internal error. Try again; if it happens again, give the shell's log to your IT department."}
	}
	return screen.Problem{Heading: "Sign-in did not finish", Action: tryAgain, Message: sentence(fault.Text(err))}
}

// sentence starts s with a capital and ends it with a full stop: engine
// texts are written to be embedded ("sign-in failed: …"), a view shows
// them on their own.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return "Something stopped the sign-in."
	}
	s = strings.ToUpper(s[:1]) + s[1:]
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}
