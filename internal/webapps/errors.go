// Package webapps reads web app packages and serves them to the shell's
// window: the boot document that names the packages, each package's
// webapp.json, a catalog of installed package directories, and an HTTP
// handler that serves their files with the pmapi shim injected into every
// HTML page, so pages written for the mobile container run unchanged.
//
// Install and InstallDir put a package into <dir>/<name>/<version>/ under
// the limits that keep a hostile zip harmless, switching versions so that a
// crash at any point leaves one complete version (RecoverInstalls finishes
// the job at the next start); InspectZip and InspectDir run the same rules
// without writing, for `loginshell check`.
package webapps

import (
	"fmt"

	"loginshell/internal/fault"
)

// ErrInvalidDocument is matched (errors.Is) by every error ParseBoot and
// ParseManifest return: the document is not valid JSON, or a field is
// missing, of the wrong type or unsafe. The concrete error is a
// *DocumentError naming the field.
var ErrInvalidDocument = fault.New(fault.Invalid, "invalid document")

// ErrUnknownApp means the catalog holds no package with the requested name
// (or not the requested version). Lookup wraps it with the name.
var ErrUnknownApp = fault.New(fault.NotFound, "unknown web app")

// ErrBrokenPackage is matched by each error NewCatalog reports for a package
// directory it could not load; the error names the directory.
var ErrBrokenPackage = fault.New(fault.Invalid, "broken web app package")

// DocumentError says what is wrong with a boot document or a webapp.json, in
// words a package author can act on. Field is empty when the document as a
// whole is unreadable (not JSON, not an object).
type DocumentError struct {
	Document string // "boot document" or "webapp.json"
	Field    string // the JSON key at fault, e.g. "starter"
	Problem  string // e.g. "is missing; name the web app shown after login"
}

// Error reads like `boot document: "starter" is missing; name the web app
// shown after login`.
func (e *DocumentError) Error() string {
	if e.Field == "" {
		return e.Document + ": " + e.Problem
	}
	return fmt.Sprintf("%s: %q %s", e.Document, e.Field, e.Problem)
}

// Is makes every DocumentError match ErrInvalidDocument.
func (e *DocumentError) Is(target error) bool { return target == ErrInvalidDocument }

// Kind is fault.Invalid: the document was read and refused by its rules.
func (e *DocumentError) Kind() fault.Kind { return fault.Invalid }

// Kind is fault.Invalid: the package was read and refused by its rules; the
// text names the entry and the rule.
func (e *PackageError) Kind() fault.Kind { return fault.Invalid }
