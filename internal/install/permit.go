package install

import (
	"slices"
	"strings"

	"loginshell/internal/fault"
)

// ErrSignedOut refuses an install while nobody is signed in, and
// ErrNotInstaller one by a person without the installer role (the
// installer_role setting). Both are Forbidden: the transports answer 403,
// and the chrome shows the text.
var (
	ErrSignedOut    = fault.New(fault.Forbidden, "Sign in first: only a signed-in person can install packages.")
	ErrNotInstaller = fault.New(fault.Forbidden, "Installing packages on this station is for people with the installer role (the installer_role setting).")
)

// Person is who is signed in, as the install rule needs it: ok false when
// nobody is.
type Person func() (username string, roles []string, ok bool)

// Permit returns the rule of who may install from the window and the
// browser (Options.Permit): a signed-in person, and when role returns a
// role (the installer_role setting, read at each install so a change
// applies at once), only one whose roles include it, compared as
// signature clauses compare roles (strings.EqualFold). The refusal names
// the role and the person, never anything a page supplied.
//
// It does NOT cover `loginshell install`: the command line is the plant's.
func Permit(person Person, role func() string) func() error {
	return func() error {
		name, roles, ok := person()
		if !ok {
			return ErrSignedOut
		}
		want := strings.TrimSpace(role())
		if want == "" || slices.ContainsFunc(roles, func(r string) bool { return strings.EqualFold(r, want) }) {
			return nil
		}
		return fault.Explain(ErrNotInstaller, "Installing packages on this station is for people with the role %q "+
			"(the installer_role setting), and %s does not have it; ask someone with that role.", want, name)
	}
}
