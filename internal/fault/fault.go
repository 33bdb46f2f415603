// Package fault gives every engine error a kind and a text that is safe to
// show a person. Text is the one map from errors to what a person reads,
// for REST, the gateway and the window's bindings alike; pmapi.Status is
// the one map from kinds to HTTP status codes. The window's bindings need
// only the text, so they need no HTTP package.
//
// An engine declares its sentinels with New, and refines them with Explain
// when the message should say more ("the offline login package \"x\" is not
// installed"). Explain keeps errors.Is working for the sentinel and for any
// cause passed with %w, and it never copies a cause's raw text into the
// message: an error argument is formatted with its own safe Text, so an I/O
// error's path or a server's response body stays in the log.
//
// Kind and Text look at the first kinded error in the chain, in the order
// errors.As walks it: the outermost refinement wins, so
// Explain(auth.ErrFailed, "…: %w", online.ErrUnreachable) is a refusal of the
// sign-in (Forbidden), not an unreachable service.
package fault

import (
	"errors"
	"fmt"
)

// Kind is what went wrong, in the terms a caller branches on. The zero Kind
// is Internal: an error nobody classified is the shell's own fault.
type Kind uint8

const (
	// Internal is a fault of the shell (I/O, a bug); its cause is logged and
	// a person sees only InternalText.
	Internal Kind = iota
	// BadRequest: the request is malformed or not allowed in this state.
	BadRequest
	// NotFound: the thing named does not exist, or is not expected now.
	NotFound
	// Conflict: another operation holds what this one needs (try later).
	Conflict
	// Forbidden: refused, e.g. a wrong password or a failed sign-in.
	Forbidden
	// Locked: refused until a time has passed (offline lockout).
	Locked
	// NotConfigured: a setting the operation needs is missing.
	NotConfigured
	// Unavailable: a server the shell depends on did not answer.
	Unavailable
	// TooLarge: the input is over a size limit.
	TooLarge
	// Invalid: the input was read and refused by its rules (a bad package).
	Invalid
	// Unauthorized: the caller did not prove it may call at all (serve key).
	Unauthorized
	// Method: the service exists, but not for this method.
	Method
	// Unsupported: the operation cannot run here (the seed's
	// UnsupportedOperationException).
	Unsupported
	// TooMany: a limit on how many things one caller may hold is reached
	// (a package's pending signature requests).
	TooMany
)

var kindNames = [...]string{
	Internal: "internal", BadRequest: "bad request", NotFound: "not found", Conflict: "conflict",
	Forbidden: "forbidden", Locked: "locked", NotConfigured: "not configured", Unavailable: "unavailable",
	TooLarge: "too large", Invalid: "invalid", Unauthorized: "unauthorized", Method: "method not allowed",
	Unsupported: "unsupported", TooMany: "too many",
}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// InternalText is all a person sees of an Internal error.
const InternalText = "internal error in the shell; see its log"

// Kinded is implemented by every error that carries a kind: the ones New
// and Explain return, and typed engine errors that carry data
// (keychain.LockedError). Its Error text must be safe to show a person.
type Kinded interface {
	error
	Kind() Kind
}

// kindedError is the error New and Explain return.
type kindedError struct {
	kind  Kind
	text  string
	wraps []error
}

func (e *kindedError) Error() string   { return e.text }
func (e *kindedError) Kind() Kind      { return e.kind }
func (e *kindedError) Unwrap() []error { return e.wraps }

// New returns a sentinel of kind k whose text, shown to people as it is,
// must say what happened and what to do.
func New(k Kind, text string) error { return &kindedError{kind: k, text: text} }

// Explain returns an error of the same kind as sentinel with the text
// format makes, matching sentinel (and every %w argument) with errors.Is.
// Error arguments are formatted with their safe Text, never their raw
// Error, whatever the verb.
func Explain(sentinel error, format string, args ...any) error {
	safe := make([]any, len(args))
	for i, a := range args {
		if err, ok := a.(error); ok {
			a = safeError{err}
		}
		safe[i] = a
	}
	w := fmt.Errorf(format, safe...)
	wraps := []error{sentinel}
	switch u := w.(type) {
	case interface{ Unwrap() error }:
		wraps = append(wraps, u.Unwrap())
	case interface{ Unwrap() []error }:
		wraps = append(wraps, u.Unwrap()...)
	}
	return &kindedError{kind: KindOf(sentinel), text: w.Error(), wraps: wraps}
}

// safeError formats as its cause's safe text and unwraps to the cause.
type safeError struct{ err error }

func (s safeError) Error() string { return Text(s.err) }
func (s safeError) Unwrap() error { return s.err }

// KindOf returns the kind of the first kinded error in err's chain, and
// Internal when there is none. KindOf(nil) is Internal too; callers check
// for nil first.
func KindOf(err error) Kind {
	var k Kinded
	if errors.As(err, &k) {
		return k.Kind()
	}
	return Internal
}

// Text returns the text to show a person for err: the first kinded error's
// own text, or InternalText for an Internal or unclassified error, whose
// cause belongs in the log only.
func Text(err error) string {
	var k Kinded
	if errors.As(err, &k) && k.Kind() != Internal {
		return k.Error()
	}
	return InternalText
}

// Detail returns sentinel refined by a detail: its text is the sentinel's,
// a colon, and the detail format makes (error arguments formatted with
// their safe Text, as for Explain). It is the kinded spelling of
// fmt.Errorf("%w: detail", sentinel).
func Detail(sentinel error, format string, args ...any) error {
	return Explain(sentinel, "%w: "+format, append([]any{sentinel}, args...)...)
}
