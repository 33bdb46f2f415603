// Package manifest reads the documents that describe web app packages: a
// package's webapp.json (WebApp), the boot document that names the
// packages of an installation (Boot), and the keys the mobile container's
// CLI put in webapp.json to say where a package's files are. It also holds
// the rules those documents share: which names can be a folder and a URL
// segment at once (ValidName), how versions are ordered (CompareVersions),
// and JSON with comments (StripComments).
//
// It parses and checks documents only; it reads no files and knows no
// package layout on disk. Whether the pages a webapp.json names exist is
// the one validation of a package (pkginstall.Validate), which the
// installer, `loginshell check` and the package library's loader all call.
package manifest

import (
	"fmt"

	"loginshell/internal/fault"
)

// ErrInvalidDocument is matched (errors.Is) by every error ParseBoot and
// ParseWebApp return: the document is not valid JSON, or a field is
// missing, of the wrong type or unsafe. The concrete error is a
// *DocumentError naming the field.
var ErrInvalidDocument = fault.New(fault.Invalid, "invalid document")

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
