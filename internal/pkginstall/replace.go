package pkginstall

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"loginshell/internal/fault"
	"loginshell/internal/manifest"
)

// ErrReplace is matched by every *ReplaceError: the install would replace
// a package the shell relies on, and needs the person's confirmation. The
// installer never returns it by itself: an Options.Approve hook does (the
// package library's), and the installer hands its error back as it is.
var ErrReplace = fault.New(fault.Conflict, "installing this package replaces one the shell already has; confirm to replace it")

// ReplaceError says what an install would replace. Installing a package
// whose name is already installed, or the boot document's offline login
// package (which takes the offline password), replaces what the shell
// serves: a package a page uploaded, or one dropped by mistake, must not do
// that silently. The chrome asks the person (old and new version shown);
// the command line needs --replace.
type ReplaceError struct {
	Name    string // the package's name
	New     string // the version being installed
	Old     string // the version the shell has now ("" if only bundled)
	Offline bool   // Name is the boot document's offline login package
}

// Error says what the install would replace, in one sentence a person
// can confirm (the chrome's Replace) or repeat with --replace: the same
// version again, a downgrade, or another version.
func (e *ReplaceError) Error() string {
	what := fmt.Sprintf("%s %s is installed", e.Name, e.Old)
	if e.Old == "" {
		what = e.Name + " is bundled with the shell"
	}
	if e.Offline {
		what += " and is the offline sign-in package"
	}
	switch {
	case e.Same():
		return what + "; installing this copy of it replaces the installed one"
	case e.Downgrade():
		return fmt.Sprintf("%s; installing %s %s is a downgrade", what, e.Name, e.New)
	}
	return fmt.Sprintf("%s; installing %s %s replaces it", what, e.Name, e.New)
}

// Same reports whether the install is of the version installed.
func (e *ReplaceError) Same() bool { return e.Old != "" && e.Old == e.New }

// Downgrade reports whether the install goes back to an older version.
func (e *ReplaceError) Downgrade() bool {
	return e.Old != "" && manifest.CompareVersions(e.New, e.Old) < 0
}

// Kind is fault.Conflict: nothing is wrong with the package, it needs a yes.
func (e *ReplaceError) Kind() fault.Kind { return fault.Conflict }

// Is makes errors.Is(err, ErrReplace) true.
func (e *ReplaceError) Is(target error) bool { return target == ErrReplace }

// InstalledVersion is the highest version of name installed in dir (a
// webapps folder Install writes to), "" if none. Versions moved aside or
// being extracted (dot names) do not count: only a live one can be
// replaced.
func InstalledVersion(dir, name string) string {
	entries, err := os.ReadDir(filepath.Join(dir, name))
	if err != nil {
		return ""
	}
	best := ""
	for _, e := range entries {
		if e.IsDir() && !strings.HasPrefix(e.Name(), ".") && (best == "" || manifest.CompareVersions(e.Name(), best) > 0) {
			best = e.Name()
		}
	}
	return best
}
