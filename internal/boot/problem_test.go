package boot

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"loginshell/internal/auth"
	"loginshell/internal/fault"
	"loginshell/internal/keychain"
)

func TestProblemSpeaksToTheOperator(t *testing.T) {
	t.Parallel()
	const tried = "https://login.exmaple.com"
	// What the provider says of an address that answered 401 (online.ErrNotOpenID).
	notOpenID := fault.New(fault.Unavailable, "that address is not an OpenID login server (it answered 401)")
	tests := []struct {
		name          string
		err           error
		loginURL      string
		forcedOffline bool
		wantHeading   string
		wantConfigure bool
		wantCalm      bool
		wantInMessage string
	}{
		{"a cancel is calm and offers to sign in again", auth.ErrCancelled, tried, false, "Sign-in cancelled", false, true, "Sign in again"},
		{"no login server offers the empty form, calmly, with no Try again", auth.ErrNotConfigured, "", false, "Connect this computer to your login server", true, true, "Save and sign in"},
		{"an unreachable server names the address tried and offers to correct it",
			fault.Detail(auth.ErrNotAttempted, "the login server cannot be reached"), tried, false, "The login server cannot be reached", true, false, tried},
		{"a failed online login offers to correct the address", fault.Detail(auth.ErrFailed, "%w", errors.New("denied")), tried, false, "Sign-in did not work", true, false, "correct it"},
		{"an address that is no login server says so in the heading and offers to correct it",
			fault.Explain(auth.ErrFailed, "%w", fault.Explain(auth.ErrNotLoginServer, "%w", notOpenID)), tried, false,
			"That address is not an OpenID login server", true, false, "That address is not an OpenID login server (it answered 401)."},
		{"--offline with nobody set up says how to set up, with no form",
			fault.Detail(auth.ErrNotAttempted, "offline"), tried, true, "Offline sign-in is not set up on this computer", false, false, "connected to the network"},
		{"a lockout says until when", &keychain.LockedError{Until: time.Date(2030, 1, 1, 10, 0, 0, 0, time.UTC), Failures: 10}, tried, false, "Offline sign-in is locked", false, false, "try again after"},
		{"an internal error hides its cause", fmt.Errorf("read /secret/path: %w", io.ErrUnexpectedEOF), tried, false, "Sign-in stopped", false, false, "internal error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := problem(tt.err, tt.loginURL, tt.forcedOffline)
			// Every view has one next action: a button, or the form alone.
			wantAction := !errors.Is(tt.err, auth.ErrNotConfigured)
			if p.Heading != tt.wantHeading || p.Configure != tt.wantConfigure || p.Calm != tt.wantCalm || (p.Action != "") != wantAction {
				t.Errorf("problem = %+v, want heading %q, configure %v, calm %v, an action %v", p, tt.wantHeading, tt.wantConfigure, tt.wantCalm, wantAction)
			}
			if !strings.Contains(p.Message, tt.wantInMessage) {
				t.Errorf("message %q does not say %q", p.Message, tt.wantInMessage)
			}
			if p.Configure && p.LoginURL != tt.loginURL {
				t.Errorf("form filled with %q, want the address tried %q", p.LoginURL, tt.loginURL)
			}
			if strings.Contains(p.Message, "/secret/") {
				t.Errorf("message %q shows an internal cause", p.Message)
			}
		})
	}
}
