package check

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"loginshell/internal/manifest"
	"loginshell/internal/pkginstall"
	"loginshell/internal/webapps"
)

// The rules of an app definition (a boot document, the container's
// app.json as `pm define` took it).
const (
	RuleInvalidBoot   = "invalid-boot"       // the document does not parse (see manifest.ParseBoot)
	RuleNotDependency = "not-a-dependency"   // the starter or offline app is not among the dependencies
	RuleMissingDep    = "missing-dependency" // a dependency is neither installed nor given
	RuleWrongVersion  = "wrong-version"      // a dependency is there, but not at the version named
)

// BootOptions say where the packages of an app definition are found.
type BootOptions struct {
	// Packages are package paths given on the command line (anything
	// Check reads); each is checked, and counts at its version.
	Packages []string
	// Roots are catalog roots (webapps.NewCatalog) holding the packages
	// installed: beside the document, the data directory's, the bundled.
	Roots []fs.FS
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
		pr := Check(p, Options{})
		if pr.Name != "" && pr.Name == b.OfflineName {
			pr = Check(p, Options{Offline: true})
		}
		for _, prob := range pr.Problems {
			prob.File = filepath.ToSlash(filepath.Join(packageLabel(pr.Name, p), prob.File))
			r.Problems = append(r.Problems, prob)
		}
		if pr.Name != "" {
			m, _, _ := pkginstall.InspectPackage(p, pkginstall.Options{}, nil)
			given[m.Name] = m
		}
	}
	cat, _ := webapps.NewCatalog(opts.Roots...) // broken packages are simply not installed
	if cat == nil {
		cat, _ = webapps.NewCatalog()
	}

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
	found := map[string]manifest.WebApp{}
	for _, name := range names {
		want := b.Dependencies[name]
		if m, ok := given[name]; ok {
			if m.Version != want {
				r.add(doc, RuleWrongVersion, SeverityError, fmt.Sprintf("%q is given at version %s, but the dependency is %s", name, m.Version, want))
				continue
			}
			found[name] = m
			continue
		}
		pkg, err := cat.Lookup(name, want)
		switch {
		case err == nil:
			found[name] = pkg.Manifest
		case len(cat.Versions(name)) > 0:
			r.add(doc, RuleWrongVersion, SeverityError, fmt.Sprintf("%q %s is not installed (installed: %s); install it or give its folder", name, want, strings.Join(cat.Versions(name), ", ")))
		default:
			r.add(doc, RuleMissingDep, SeverityError, fmt.Sprintf("%q %s is neither installed nor given; install it or give its folder", name, want))
		}
	}
	if m, ok := found[b.OfflineName]; ok && b.OfflineName != "" {
		if _, checked := given[b.OfflineName]; !checked { // a given one was checked as offline already
			for _, p := range []struct{ key, page, what string }{
				{"setup", m.Setup, "the first-time password page"},
				{"manage", m.Manage, "the password change page"},
			} {
				if p.page == "" {
					r.add(filepath.ToSlash(filepath.Join(m.Name, "webapp.json")), RuleOfflinePages, SeverityError, fmt.Sprintf(
						"the offline login package must name its %q page (%s)", p.key, p.what))
				}
			}
		}
	}
	return r
}

// packageLabel names a given package in a report: its name, else its path.
func packageLabel(name, p string) string {
	if name != "" {
		return name
	}
	return p
}
