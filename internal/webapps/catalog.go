package webapps

import (
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strings"

	"loginshell/internal/fault"
	"loginshell/internal/manifest"
)

// Package is one web app the shell can serve: its manifest and its
// files, rooted at the folder whose contents are the package.
type Package struct {
	Manifest manifest.WebApp
	FS       fs.FS
	// Source says where the package comes from.
	Source Source
	// Folder is the folder on disk of a package served as it is (a
	// --package folder, a folder beside --boot), "" otherwise.
	Folder string
}

// Source says where a package in the catalog comes from.
type Source string

// The sources of packages, in the order a catalog prefers them for one
// name and version.
const (
	SourceLive      Source = "--package" // a --package folder, served as it is
	SourceBeside    Source = "beside the boot document"
	SourceInstalled Source = "installed"
	SourceBundled   Source = "bundled"
)

// Catalog is the set of packages found under one or more roots. It is
// immutable once built, so it is safe for concurrent use; to see newly
// installed packages, build a new one.
type Catalog struct {
	// byName holds each name's packages, highest version first.
	byName map[string][]*Package
}

// NewCatalog loads every package under roots, each read as a folder of
// installed packages. A root holds one directory per package, laid out
// either flat (<name>/webapp.json) or by version
// (<name>/<version>/webapp.json, what an install produces). Files at a
// root's top level and entries whose name starts with "." (in-progress
// installs, editor droppings) are skipped. The directory name must match
// the manifest's "name" (and the version directory its "version"), and
// the package must pass pkginstall.Validate as an Archive (every page it
// names exists, its name and version can be folder names everywhere), so a
// broken package is caught here rather than as a blank window.
//
// When two roots hold the same name and version, the earlier root wins: put
// the installed packages first and the bundled samples last.
//
// Broken packages are collected, not fatal: the returned catalog holds every
// package that loaded, and the error (nil when all loaded) joins one error
// per broken package, each matching ErrBrokenPackage and naming the
// package's directory. A root that cannot be listed is reported the same
// way. Only a nil root makes NewCatalog return a nil catalog.
//
// The shell's own catalog (Library, and `loginshell check app.json`) is
// LoadCatalog's, which knows where each root comes from.
func NewCatalog(roots ...fs.FS) (*Catalog, error) {
	rs := make([]catalogRoot, len(roots))
	for i, r := range roots {
		rs[i] = catalogRoot{fsys: r, source: SourceInstalled}
	}
	return newCatalog(nil, rs...)
}

// newCatalog is NewCatalog with packages that come before every root,
// each root read as its source says.
func newCatalog(first []*Package, roots ...catalogRoot) (*Catalog, error) {
	c := &Catalog{byName: map[string][]*Package{}}
	seen := map[[2]string]bool{}
	var errs []error
	for i, root := range roots {
		if root.fsys == nil {
			return nil, fmt.Errorf("new catalog: root %d is nil", i)
		}
	}
	for i := -1; i < len(roots); i++ {
		pkgs := first
		if i >= 0 {
			var rootErrs []error
			pkgs, rootErrs = roots[i].scan()
			errs = append(errs, rootErrs...)
		}
		for _, p := range pkgs {
			key := [2]string{p.Manifest.Name, p.Manifest.Version}
			if seen[key] {
				continue
			}
			seen[key] = true
			c.byName[p.Manifest.Name] = append(c.byName[p.Manifest.Name], p)
		}
	}
	for _, pkgs := range c.byName {
		sort.SliceStable(pkgs, func(i, j int) bool {
			a, b := pkgs[i].Manifest.Version, pkgs[j].Manifest.Version
			if c := manifest.CompareVersions(a, b); c != 0 {
				return c > 0
			}
			return a > b // "1.0" and "1.00" compare equal; keep the order stable
		})
	}
	return c, errors.Join(errs...)
}

// Lookup returns the package with that name and exactly that version, or
// with version "" the highest installed version (dotted numbers compared
// numerically: 1.10 > 1.9). A miss wraps ErrUnknownApp with the name.
func (c *Catalog) Lookup(name, version string) (*Package, error) {
	pkgs := c.byName[name]
	if len(pkgs) == 0 {
		return nil, fault.Detail(ErrUnknownApp, "%q", name)
	}
	if version == "" {
		return pkgs[0], nil
	}
	for _, p := range pkgs {
		if p.Manifest.Version == version {
			return p, nil
		}
	}
	return nil, fault.Detail(ErrUnknownApp, "%q version %q (the shell has %s)", name, version, strings.Join(c.Available(name), ", "))
}

// Names returns the names of all packages, sorted.
func (c *Catalog) Names() []string {
	names := make([]string, 0, len(c.byName))
	for n := range c.byName {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Available returns the versions of name the catalog holds, highest
// first, each but an installed one saying where it comes from:
// "1.0.0 (bundled)", "0.0.1 (--package)".
func (c *Catalog) Available(name string) []string {
	var vs []string
	for _, p := range c.byName[name] {
		v := p.Manifest.Version
		if p.Source != SourceInstalled && p.Source != "" {
			v += " (" + string(p.Source) + ")"
		}
		vs = append(vs, v)
	}
	return vs
}

// Versions returns the versions installed for name, highest first.
func (c *Catalog) Versions(name string) []string {
	var vs []string
	for _, p := range c.byName[name] {
		vs = append(vs, p.Manifest.Version)
	}
	return vs
}
