package pkginstall

import (
	"errors"
	"fmt"
	"strings"

	"loginshell/internal/manifest"
)

// Validate says what is wrong with a package: it is the one validation
// every reader of a package runs, so that they never disagree on what a
// package is. The installer, and so InspectPackage
// and `loginshell check`, run it on the entries of the zip or folder they
// read; the package library's loader (internal/webapps) runs it on every
// package it would serve: installed, bundled, beside --boot, or a
// --package folder.
//
// data is the package's webapp.json; isFile reports whether a
// "/"-separated path relative to the package root (the folder holding
// webapp.json, or its "src-folder") names a regular file of the package.
//
// It returns the manifest (the zero WebApp when webapp.json is unusable)
// and every problem found, each a *PackageError whose Entry is relative to
// the package root:
//   - RuleInvalidManifest on webapp.json, and nothing else, when it does not
//     parse (the error unwraps to the *manifest.DocumentError) or its name
//     or version cannot be a folder name on every computer (they become
//     <name>/<version>/ wherever the package is installed);
//   - otherwise RuleMissingPage on each page it names (main, setup,
//     manage) that is not a file of the package.
//
// No problem means the package is sound as far as its manifest goes. The
// rules on entries (names, types, sizes, links) are the installer's walk:
// only a zip or folder being read has entries to judge. Where a package
// sits (a folder named for it, a version folder) is the catalog's to check.
func Validate(data []byte, isFile func(name string) bool) (manifest.WebApp, []*PackageError) {
	m, err := manifest.ParseWebApp(data)
	if err != nil {
		detail := err.Error()
		if derr := (*manifest.DocumentError)(nil); errors.As(err, &derr) {
			detail = strings.TrimPrefix(detail, derr.Document+": ") // the entry already names the file
		}
		return manifest.WebApp{}, []*PackageError{{Entry: manifest.WebAppFile, Rule: RuleInvalidManifest, Detail: detail, cause: err}}
	}
	// Name and version become folder names: the entries' rules apply.
	for _, f := range []struct{ key, value string }{{"name", m.Name}, {"version", m.Version}} {
		if _, reason := checkSegment(f.value); reason != "" {
			return manifest.WebApp{}, []*PackageError{{Entry: manifest.WebAppFile, Rule: RuleInvalidManifest,
				Detail: fmt.Sprintf("%q %q cannot be a folder name on every computer: it %s", f.key, shorten(f.value), reason)}}
		}
	}
	var problems []*PackageError
	for _, p := range []struct{ key, page string }{{"main", m.Main}, {"setup", m.Setup}, {"manage", m.Manage}} {
		if p.page != "" && !isFile(p.page) {
			problems = append(problems, &PackageError{Entry: p.page, Rule: RuleMissingPage,
				Detail: fmt.Sprintf("webapp.json names %q as its %q page, but the package has no such file", p.page, p.key)})
		}
	}
	return m, problems
}
