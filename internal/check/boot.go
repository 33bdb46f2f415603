package check

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"loginshell/internal/manifest"
	"loginshell/internal/webapps"
)

// The rules of an app definition (a boot document, the container's
// app.json as `pm define` took it).
const (
	RuleInvalidBoot   = "invalid-boot"       // the document does not parse (see manifest.ParseBoot)
	RuleNotDependency = "not-a-dependency"   // the starter or offline app is not among the dependencies
	RuleMissingDep    = "missing-dependency" // a dependency is neither installed nor given
	RuleWrongVersion  = "wrong-version"      // a dependency is there, but not at the version named
	RuleBrokenDep     = "broken-dependency"  // a dependency is there, but the shell would not load it
	RuleBrokenPackage = "broken-package"     // a package that is no dependency would not load (a warning)
)

// BootOptions say where the packages of an app definition are found.
type BootOptions struct {
	// Packages are package paths given on the command line (anything
	// Check reads); each is checked, and counts at its version.
	Packages []string
	// Installed is a data directory's webapps folder ("" for none) and
	// Bundled the packages shipped with the shell (nil for none). The
	// folders beside the document count too, as the shell reads them
	// with --boot (webapps.LoadCatalog).
	Installed string
	Bundled   fs.FS
}

// IsBootDocument reports whether p names an app definition rather than a
// webapp.json: a .json file, not called webapp.json, whose object has a
// "starter" or "dependencies" key.
func IsBootDocument(p string) bool {
	if !strings.EqualFold(filepath.Ext(p), ".json") || filepath.Base(p) == "webapp.json" {
		return false
	}
	data, err := os.ReadFile(p)
	if err != nil {
		return false
	}
	var fields map[string]json.RawMessage
	if json.Unmarshal(manifest.StripComments(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))), &fields) != nil {
		return false
	}
	_, starter := fields["starter"]
	_, deps := fields["dependencies"]
	return starter || deps
}

// CheckBoot checks the app definition at docPath: the starter and offline
// apps are among its dependencies, every dependency is given (at that
// version) or installed at that version, and the offline package has the
// pages an offline login needs. Each given package is checked as Check
// does, its problems reported under its name. Like Check it never fails.
func CheckBoot(docPath string, opts BootOptions) Report {
	doc := filepath.Base(docPath)
	r := Report{Package: docPath, Problems: []Problem{}}
	data, err := os.ReadFile(docPath)
	if err != nil {
		r.add(doc, RuleInvalidBoot, SeverityError, "cannot be read: "+err.Error())
		return r
	}
	b, err := manifest.ParseBoot(data)
	if err != nil {
		r.add(doc, RuleInvalidBoot, SeverityError, strings.TrimPrefix(err.Error(), "boot document: "))
		return r
	}
	r.Name, r.Version = b.Name, b.Version

	given := map[string]manifest.WebApp{}
	for _, p := range opts.Packages {
		pr := Check(p, Options{OfflineName: b.OfflineName})
		for _, prob := range pr.Problems {
			prob.File = filepath.ToSlash(filepath.Join(packageLabel(pr.Name, p), prob.File))
			r.Problems = append(r.Problems, prob)
		}
		if pr.Name != "" { // counted at its version; its own errors are listed above
			given[pr.Name] = manifest.WebApp{Name: pr.Name, Version: pr.Version}
		}
	}
	// The packages as the shell started with --boot docPath would load
	// them: the same loader, the same verdicts.
	cat, _, err := webapps.LoadCatalog(webapps.CatalogOptions{Beside: filepath.Dir(docPath), Installed: opts.Installed,
		Bundled: opts.Bundled})
	broken := brokenByName(err)

	for _, role := range []struct{ name, key string }{{b.Starter, "starter"}, {b.OfflineName, "offline"}} {
		if _, ok := b.Dependencies[role.name]; role.name != "" && !ok {
			r.add(doc, RuleNotDependency, SeverityError, fmt.Sprintf("the %s app %q is not among the dependencies; add it with its version", role.key, role.name))
		}
	}
	names := make([]string, 0, len(b.Dependencies))
	for n := range b.Dependencies {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		want := b.Dependencies[name]
		if problem := VersionProblem(want); problem != "" {
			r.add(doc, RuleVersion, SeverityWarning, fmt.Sprintf("the dependency %q: %s", name, problem))
		}
		if m, ok := given[name]; ok {
			if m.Version != want {
				r.add(doc, RuleWrongVersion, SeverityError, fmt.Sprintf("%q is given at version %s, but the dependency is %s", name, m.Version, want))
			}
			continue
		}
		if _, err := cat.Lookup(name, want); err == nil {
			continue
		}
		switch {
		case len(broken[name]) > 0:
			for _, e := range broken[name] {
				r.add(doc, RuleBrokenDep, SeverityError, fmt.Sprintf("%q %s would not load: %s (%s)", name, want, e.Err, where(e)))
			}
			delete(broken, name)
		case len(cat.Available(name)) > 0:
			r.add(doc, RuleWrongVersion, SeverityError, fmt.Sprintf("%q %s is neither installed nor given (the shell has %s); install it or give its folder", name, want, strings.Join(cat.Available(name), ", ")))
		default:
			r.add(doc, RuleMissingDep, SeverityError, fmt.Sprintf("%q %s is neither installed nor given; install it or give its folder", name, want))
		}
	}
	if b.OfflineName != "" {
		if pkg, err := cat.Lookup(b.OfflineName, b.Dependencies[b.OfflineName]); err == nil {
			if _, checked := given[b.OfflineName]; !checked { // a given one was checked as offline already
				for _, p := range offlinePages(pkg.Manifest) {
					r.add(doc, RuleOfflinePages, SeverityWarning, fmt.Sprintf("the offline sign-in package %q %s names no %s: %s",
						pkg.Manifest.Name, pkg.Manifest.Version, p.what, p.then))
				}
			}
		}
	}
	var rest []string
	for name := range broken {
		rest = append(rest, name)
	}
	sort.Strings(rest)
	for _, name := range rest {
		for _, e := range broken[name] {
			r.add(doc, RuleBrokenPackage, SeverityWarning, fmt.Sprintf("%s would not load: %s", where(e), e.Err))
		}
	}
	return r
}

// brokenByName sorts the packages a catalog could not load by the
// package they are.
func brokenByName(err error) map[string][]*webapps.BrokenError {
	out := map[string][]*webapps.BrokenError{}
	var walk func(error)
	walk = func(err error) {
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			for _, e := range j.Unwrap() {
				walk(e)
			}
			return
		}
		if be := (*webapps.BrokenError)(nil); errors.As(err, &be) {
			out[be.Name] = append(out[be.Name], be)
		}
	}
	if err != nil {
		walk(err)
	}
	return out
}

// where names a broken package's folder for a person.
func where(e *webapps.BrokenError) string {
	switch e.Source {
	case webapps.SourceBeside:
		return fmt.Sprintf("the folder %s beside the app definition", e.Dir)
	case webapps.SourceBundled:
		return "the bundled " + e.Dir
	}
	return "the installed " + e.Dir
}

// packageLabel names a given package in a report: its name, else its path.
func packageLabel(name, p string) string {
	if name != "" {
		return name
	}
	return p
}
