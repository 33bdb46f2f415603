package online

import (
	"fmt"
	"strings"
	"time"
	"unicode"

	"loginshell/internal/fault"
)

// Sentinel errors Login, New and EndSessionURL callers branch on with
// errors.Is. The Error text of every error this package returns is written for
// the person at the screen (it becomes the dialog text and the body of a
// refused POST /auth): it never carries a token, an authorization code, the
// PKCE verifier or a server's response body. The underlying cause, when there
// is one, is still reachable with errors.Is / errors.As.
var (
	// ErrConfig means New refused the configuration.
	ErrConfig = fault.New(fault.NotConfigured, "the online login is not configured correctly")
	// ErrUnreachable means the login server did not answer at all (connection
	// refused, DNS, TLS, network down). Callers may fall back to offline login.
	ErrUnreachable = fault.New(fault.Unavailable, "the login server cannot be reached; check the network or sign in offline")
	// ErrDiscovery means the login server answered but its OpenID
	// configuration (/.well-known/openid-configuration) is unusable.
	ErrDiscovery = fault.New(fault.Unavailable, "the login server did not publish a valid OpenID configuration; check login_url")
	// ErrNotOpenID means the login server's address answered, but not as
	// an OpenID provider: a status other than 200 for its configuration
	// (a web server, a proxy's sign-in answering 401), or a document that
	// is none. The address is wrong, not the network (Explain).
	ErrNotOpenID = fault.New(fault.Unavailable, "that address is not an OpenID login server; check login_url")
	// ErrDenied means the login server redirected back with error=...; the
	// person refused, or the server would not let them in.
	ErrDenied = fault.New(fault.Forbidden, "the login server refused the sign-in")
	// ErrState means the redirect back did not carry this login's state: it
	// may be forged, so the login is abandoned.
	ErrState = fault.New(fault.Forbidden, "the sign-in answer did not belong to this login (state mismatch, possibly a forged redirect); try again")
	// ErrNonce means the ID token was not minted for this login (replay or a
	// misbehaving server).
	ErrNonce = fault.New(fault.Forbidden, "the login server's ID token was not issued for this login (nonce mismatch); try again")
	// ErrTokenRejected means the code exchange failed or the ID token did not
	// verify (signature, issuer, audience, expiry, at_hash, auth_time).
	ErrTokenRejected = fault.New(fault.Forbidden, "the login server's answer was rejected")
	// ErrTimeout means Config.Timeout passed before the login completed.
	ErrTimeout = fault.New(fault.Unavailable, "the login timed out; try again")
	// ErrCancelled means the caller's context ended the login (the user
	// cancelled, or the shell shut down).
	ErrCancelled = fault.New(fault.Forbidden, "the login was cancelled")
	// ErrRedirectPort means the fixed port of the redirect (Config.
	// RedirectPort, the redirect_port setting) could not be opened on
	// 127.0.0.1: another program holds it, or the system reserves it. The
	// text names the port and what to do.
	ErrRedirectPort = fault.New(fault.Conflict, "the sign-in redirect port cannot be opened on this computer; close the program that uses it or choose another redirect_port")
	// ErrRequestRefused means the login server refused the authorization
	// request itself, before any sign-in page: the client's registration
	// there (client id, redirect URI, public client with PKCE) does not
	// admit what the shell sent. The text names the redirect URI to
	// register, and redirect_port when the port was random.
	ErrRequestRefused = fault.New(fault.Forbidden, "the login server refused the sign-in request; check the client's registration there (client id and redirect URI)")
)

// loginError is a sentinel kind with a message specific to this failure and
// the cause behind it. Error returns only msg, which is safe to show; the cause
// is for errors.Is/As and for the log.
type loginError struct {
	kind  error
	msg   string
	cause error
}

func (e *loginError) Error() string { return e.msg }

// Kind is the sentinel's kind.
func (e *loginError) Kind() fault.Kind { return fault.KindOf(e.kind) }

func (e *loginError) Unwrap() []error {
	if e.cause == nil {
		return []error{e.kind}
	}
	return []error{e.kind, e.cause}
}

// fail builds a loginError whose text is the sentinel's, refined by format.
func fail(kind, cause error, format string, args ...any) error {
	msg := kind.Error()
	if format != "" {
		msg = fmt.Sprintf(format, args...)
	}
	return &loginError{kind: kind, msg: msg, cause: cause}
}

func unreachable(issuer string, cause error) error {
	return fail(ErrUnreachable, cause, "the login server at %s cannot be reached; check the network or sign in offline", issuer)
}

func timedOut(d time.Duration, cause error) error {
	return fail(ErrTimeout, cause, "the login timed out after %s; try again", d)
}

// printable keeps what a server sent us showable: control characters become
// spaces and at most n runes are kept, so a hostile error_description cannot
// forge log lines or flood a dialog. Pages must still HTML-escape it.
func printable(s string, n int) string {
	var b strings.Builder
	count := 0
	for _, r := range s {
		if count == n {
			b.WriteString("…")
			break
		}
		if !unicode.IsPrint(r) {
			r = ' '
		}
		b.WriteRune(r)
		count++
	}
	return strings.TrimSpace(b.String())
}
