package pkginstall

import (
	"errors"
	"fmt"
	"strings"

	"loginshell/internal/manifest"
)

// Shape says how a package's files are held, which decides how the
// "src-folder" of its webapp.json reads (see Validate).
type Shape int

const (
	// Folder is a package folder as its developers keep it: a folder given
	// to check or install, a --package folder, a folder beside --boot. Its
	// "src-folder" must be a folder in it: that is where the build writes
	// the pages, and a folder without it has not been built.
	Folder Shape = iota
	// Archive is a zip, or a version folder an install extracted from
	// one. A zip made by hand holds either the whole project (webapp.json
	// beside dist/) or only the built files with webapp.json added: the
	// "src-folder" is the package when the zip holds that folder, and the
	// files beside webapp.json are otherwise.
	Archive
)

// RuleMissingSrcFolder is the rule Validate adds to the entry rules (see
// zipcheck.go): a package folder's "src-folder" is not a folder in it (not
// built yet, or a link, which is never followed).
const RuleMissingSrcFolder = "missing-src-folder"

// Tree is what Validate asks of a package's files. Names are
// "/"-separated and relative to the folder holding webapp.json.
type Tree interface {
	IsFile(name string) bool
	IsDir(name string) bool
}

// Verdict is what Validate found.
type Verdict struct {
	// Manifest is the package's webapp.json, the zero WebApp when it is
	// unusable.
	Manifest manifest.WebApp
	// Root is the folder, relative to the one holding webapp.json, whose
	// contents are the package: "" for that folder itself, else its
	// "src-folder".
	Root string
	// Note says how "src-folder" was read when not as written (an archive
	// without that folder), "" otherwise: for check's notes.
	Note string
	// Problems are every problem found, each a *PackageError whose Entry
	// is relative to the folder holding webapp.json.
	Problems []*PackageError
}

// Validate says what is wrong with a package: it is the one validation
// every reader of a package runs, so that they never disagree on what a
// package is. The installer, and so `loginshell check` (InspectPackage),
// run it on the entries of the zip or folder they read; the package
// library's loader (internal/webapps) runs it on every installed and
// bundled package it serves, and reads the folders it serves as they are
// (--package, beside --boot) with InspectPackage.
//
// data is the package's webapp.json. In order, and stopping at the first
// of the first three:
//   - RuleInvalidManifest on webapp.json when it does not parse (the error
//     unwraps to the *manifest.DocumentError) or its name or version
//     cannot be a folder name on every computer (they become
//     <name>/<version>/ wherever the package is installed);
//   - where the files are (PackageRoot): RulePathEscape for a
//     "src-folder" outside the folder of webapp.json,
//     RuleMissingSrcFolder for one that a Folder does not hold;
//   - RuleMissingPage on each page it names (main, setup, manage) that is
//     not a file under Root.
//
// An offline sign-in package without a setup or manage page is sound: the
// seed answers the first-time setup (or the change) of such a package with
// 400 ("offline package setup element not configured"), and its sign-in
// page works. `loginshell check` warns of it.
//
// No problem means the package is sound as far as its manifest goes. The
// rules on entries (names, types, sizes, links) are the installer's walk:
// only a zip or folder being read has entries to judge. Where a package
// sits (a folder named for it, a version folder) is the catalog's to check.
func Validate(data []byte, t Tree, shape Shape) Verdict {
	m, err := manifest.ParseWebApp(data)
	if err != nil {
		detail := err.Error()
		if derr := (*manifest.DocumentError)(nil); errors.As(err, &derr) {
			detail = strings.TrimPrefix(detail, derr.Document+": ") // the entry already names the file
		}
		return Verdict{Problems: []*PackageError{{Entry: manifest.WebAppFile, Rule: RuleInvalidManifest, Detail: detail, cause: err}}}
	}
	// Name and version become folder names: the entries' rules apply.
	for _, f := range []struct{ key, value string }{{"name", m.Name}, {"version", m.Version}} {
		if _, reason := checkSegment(f.value); reason != "" {
			return Verdict{Problems: []*PackageError{{Entry: manifest.WebAppFile, Rule: RuleInvalidManifest,
				Detail: fmt.Sprintf("%q %q cannot be a folder name on every computer: it %s", f.key, shorten(f.value), reason)}}}
		}
	}
	root, note, perr := PackageRoot(data, shape, t)
	if perr != nil {
		return Verdict{Manifest: m, Problems: []*PackageError{perr}}
	}
	v := Verdict{Manifest: m, Root: root, Note: note}
	for _, p := range []struct{ key, page string }{{"main", m.Main}, {"setup", m.Setup}, {"manage", m.Manage}} {
		if p.page != "" && !t.IsFile(joinRoot(root, p.page)) {
			where := ""
			if root != "" {
				where = fmt.Sprintf(" (its files are those of its %q, %q)", manifest.KeySrcFolder, root)
			}
			v.Problems = append(v.Problems, &PackageError{Entry: joinRoot(root, p.page), Rule: RuleMissingPage,
				Detail: fmt.Sprintf("webapp.json names %q as its %q page, but the package has no such file%s", p.page, p.key, where)})
		}
	}
	return v
}

// PackageRoot decides which folder's contents are the package whose
// webapp.json is data, relative to the folder holding it: "" for that
// folder itself, else its "src-folder" (the container's CLI zipped that
// folder's contents). A "src-folder" that could lead outside is refused
// (RulePathEscape). One that the package does not hold is refused in a
// Folder (RuleMissingSrcFolder: the build has not run) and read as ""
// in an Archive, with a note saying so. Validate calls it; so do the
// readers that must know where the files are before they list them.
func PackageRoot(data []byte, shape Shape, t Tree) (root, note string, perr *PackageError) {
	src, problem := manifest.SrcFolder(data)
	switch {
	case problem != "":
		return "", "", &PackageError{Entry: manifest.WebAppFile, Rule: RulePathEscape, Detail: problem}
	case src == "" || src == ".":
		return "", "", nil
	case t.IsDir(src):
		return src, "", nil
	case shape == Archive:
		return "", fmt.Sprintf("the package holds no folder %q (its %q), so the files beside webapp.json are the package", src, manifest.KeySrcFolder), nil
	}
	return "", "", &PackageError{Entry: manifest.WebAppFile, Rule: RuleMissingSrcFolder, Detail: fmt.Sprintf(
		"%q names %q, which is not a folder beside webapp.json (a link is not followed); build the package, or correct %q", manifest.KeySrcFolder, src, manifest.KeySrcFolder)}
}

func joinRoot(root, name string) string {
	if root == "" {
		return name
	}
	return root + "/" + name
}
