package keychain

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Password length limits, in characters (Unicode code points after NFKC
// normalisation): at least 8, and no upper limit below 256, so a pass phrase
// always fits (README, "Data directory").
const (
	MinPasswordLength = 8
	MaxPasswordLength = 256
)

// PasswordRule names the rule a refused password broke.
type PasswordRule string

// The rules [CheckPassword] applies.
const (
	RuleTooShort   PasswordRule = "too-short"
	RuleTooLong    PasswordRule = "too-long"
	RuleNotUnicode PasswordRule = "not-unicode"
	// RuleBlank: nothing is left once spaces and invisible characters
	// (Unicode categories Z*, Cc, Cf: U+200B, U+FEFF, tabs...) are taken
	// out. Such a password reaches the length through characters a person
	// cannot see, cannot be sure to type again, and that a paste from a
	// mail or a form may add or lose.
	RuleBlank PasswordRule = "blank"
)

// PasswordError says which rule a new offline password broke; its message
// is safe to show the user. It matches [ErrWeakPassword] with errors.Is.
type PasswordError struct {
	Rule PasswordRule
	// Limit is the length bound for RuleTooShort and RuleTooLong.
	Limit int
}

func (e *PasswordError) Error() string {
	switch e.Rule {
	case RuleTooShort:
		return fmt.Sprintf("the offline password must be at least %d characters long", e.Limit)
	case RuleTooLong:
		return fmt.Sprintf("the offline password must be at most %d characters long", e.Limit)
	case RuleNotUnicode:
		return "the offline password contains bytes that are not valid text"
	case RuleBlank:
		return "the offline password must contain characters you can see, not only spaces or invisible characters"
	}
	return "the offline password breaks rule " + string(e.Rule)
}

// Is makes errors.Is(err, ErrWeakPassword) true.
func (e *PasswordError) Is(target error) bool { return target == ErrWeakPassword }

// CheckPassword applies the rules for a new offline password and returns a
// [*PasswordError] naming the first rule broken. Length is counted in
// characters after NFKC normalisation, the form the key is derived from;
// the length rules come before RuleBlank, so an empty password reads as
// too short.
func CheckPassword(pw string) error {
	if !utf8.ValidString(pw) {
		return &PasswordError{Rule: RuleNotUnicode}
	}
	norm := normalize(pw)
	n := utf8.RuneCountInString(norm)
	switch {
	case n < MinPasswordLength:
		return &PasswordError{Rule: RuleTooShort, Limit: MinPasswordLength}
	case n > MaxPasswordLength:
		return &PasswordError{Rule: RuleTooLong, Limit: MaxPasswordLength}
	case strings.IndexFunc(norm, visible) < 0:
		return &PasswordError{Rule: RuleBlank}
	}
	return nil
}

// visible reports whether r is neither a space (Unicode Z*) nor an
// invisible control or format character (Cc, Cf).
func visible(r rune) bool {
	return !unicode.In(r, unicode.Z, unicode.Cc, unicode.Cf)
}

// normalize applies NFKC (NIST SP 800-63B §5.1.1.2) so that the same
// password typed through different keyboards or input methods derives the
// same key. Changing this breaks every existing vault.
func normalize(pw string) string {
	return norm.NFKC.String(pw)
}
