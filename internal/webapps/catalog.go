package webapps

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"loginshell/internal/fault"
	"loginshell/internal/manifest"
	"loginshell/internal/pkginstall"
)

// Package is one installed web app: its manifest and its files, rooted at
// the directory holding webapp.json.
type Package struct {
	Manifest manifest.WebApp
	FS       fs.FS
}

// Catalog is the set of packages found under one or more roots. It is
// immutable once built, so it is safe for concurrent use; to see newly
// installed packages, build a new one.
type Catalog struct {
	// byName holds each name's packages, highest version first.
	byName map[string][]*Package
}

// NewCatalog loads every package under roots. A root holds one directory per
// package, laid out either flat (<name>/webapp.json) or by version
// (<name>/<version>/webapp.json, what an install produces). Files at a
// root's top level and entries whose name starts with "." (in-progress
// installs, editor droppings) are skipped. The directory name must match the
// manifest's "name" (and the version directory its "version"), and the
// package must pass pkginstall.Validate (every page it names exists, its
// name and version can be folder names everywhere), so a broken package is
// caught here rather than as a blank window.
//
// When two roots hold the same name and version, the earlier root wins: put
// the installed packages first and the bundled samples last.
//
// Broken packages are collected, not fatal: the returned catalog holds every
// package that loaded, and the error (nil when all loaded) joins one error
// per broken package, each matching ErrBrokenPackage and naming the
// package's directory. A root that cannot be listed is reported the same
// way. Only a nil root makes NewCatalog return a nil catalog.
func NewCatalog(roots ...fs.FS) (*Catalog, error) {
	return newCatalog(nil, roots...)
}

// LoadPackage loads the one package in the folder dir (a package folder
// given as it is, e.g. `--package`), whatever the folder's name; with
// "src-folder" in its webapp.json its files are that folder's. The error
// matches ErrBrokenPackage.
func LoadPackage(dir fs.FS) (*Package, error) {
	if dir == nil {
		return nil, errors.New("load package: nil folder")
	}
	return loadPackage(dir, ".", "", "")
}

// newCatalog is NewCatalog with packages that come before every root.
func newCatalog(first []*Package, roots ...fs.FS) (*Catalog, error) {
	c := &Catalog{byName: map[string][]*Package{}}
	seen := map[[2]string]bool{}
	var errs []error
	for i, root := range roots {
		if root == nil {
			return nil, fmt.Errorf("new catalog: root %d is nil", i)
		}
	}
	for i := -1; i < len(roots); i++ {
		pkgs := first
		if i >= 0 {
			var rootErrs []error
			pkgs, rootErrs = scanRoot(roots[i])
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
		sort.Slice(pkgs, func(i, j int) bool {
			a, b := pkgs[i].Manifest.Version, pkgs[j].Manifest.Version
			if c := manifest.CompareVersions(a, b); c != 0 {
				return c > 0
			}
			return a > b // "1.0" and "1.00" compare equal; keep the order stable
		})
	}
	return c, errors.Join(errs...)
}

func scanRoot(root fs.FS) ([]*Package, []error) {
	entries, err := fs.ReadDir(root, ".")
	if err != nil {
		return nil, []error{fmt.Errorf("%w: list packages: %w", ErrBrokenPackage, err)}
	}
	var pkgs []*Package
	var errs []error
	for _, e := range entries {
		if !e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		name := e.Name()
		if _, err := fs.Stat(root, path.Join(name, manifest.WebAppFile)); err == nil {
			p, err := loadPackage(root, name, name, "")
			if err != nil {
				errs = append(errs, err)
				continue
			}
			pkgs = append(pkgs, p)
			continue
		}
		vp, verrs := scanVersions(root, name)
		pkgs = append(pkgs, vp...)
		errs = append(errs, verrs...)
	}
	return pkgs, errs
}

// scanVersions loads <name>/<version>/webapp.json for every version
// directory. A version directory without webapp.json is reported only when
// another one has it; otherwise the whole directory is "not a package".
func scanVersions(root fs.FS, name string) ([]*Package, []error) {
	subs, err := fs.ReadDir(root, name)
	if err != nil {
		return nil, []error{fmt.Errorf("%w: %s: %w", ErrBrokenPackage, name, err)}
	}
	var pkgs []*Package
	var errs, missing []error
	for _, s := range subs {
		if !s.IsDir() || strings.HasPrefix(s.Name(), ".") {
			continue
		}
		dir := path.Join(name, s.Name())
		if _, err := fs.Stat(root, path.Join(dir, manifest.WebAppFile)); err != nil {
			missing = append(missing, fmt.Errorf("%w: %s: no %s", ErrBrokenPackage, dir, manifest.WebAppFile))
			continue
		}
		p, err := loadPackage(root, dir, name, s.Name())
		if err != nil {
			errs = append(errs, err)
			continue
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) == 0 && len(errs) == 0 {
		return nil, []error{fmt.Errorf("%w: %s: no %s in %s/ or in %s/<version>/", ErrBrokenPackage, name, manifest.WebAppFile, name, name)}
	}
	return pkgs, append(errs, missing...)
}

// loadPackage loads the package whose webapp.json is dir/webapp.json in
// root. What is wrong with it is pkginstall.Validate's to say, as for an
// install or `loginshell check`; the catalog adds only where the package
// sits (the folder named for it) and where its files are (src-folder).
func loadPackage(root fs.FS, dir, wantName, wantVersion string) (*Package, error) {
	broken := func(err error) error { return fmt.Errorf("%w: %s: %w", ErrBrokenPackage, dir, err) }
	data, err := fs.ReadFile(root, path.Join(dir, manifest.WebAppFile))
	if err != nil {
		return nil, broken(err)
	}
	// A folder laid out for the container's CLI: the files are the
	// src-folder's contents. Installs drop the key, so only package
	// folders given as they are (beside --boot, --package) have it.
	src, srcProblem := manifest.SrcFolder(data)
	files := dir
	if src != "" {
		files = path.Join(dir, src)
	}
	sub, subErr := fs.Sub(root, files)
	m, problems := pkginstall.Validate(data, func(page string) bool {
		if subErr != nil {
			return false
		}
		info, err := fs.Stat(sub, page)
		return err == nil && info.Mode().IsRegular()
	})
	// Problems are reported in the order a person fixes them: the
	// manifest, where the package sits, where its files are, its pages.
	if len(problems) > 0 && problems[0].Rule != pkginstall.RuleMissingPage {
		return nil, broken(manifestError(problems[0]))
	}
	if wantName != "" && m.Name != wantName {
		return nil, broken(fmt.Errorf("%s names the package %q but it sits in directory %q", manifest.WebAppFile, m.Name, wantName))
	}
	if wantVersion != "" && m.Version != wantVersion {
		return nil, broken(fmt.Errorf("%s gives version %q but it sits in directory %q", manifest.WebAppFile, m.Version, wantVersion))
	}
	if srcProblem != "" {
		return nil, broken(errors.New(srcProblem))
	}
	if src != "" {
		if info, err := fs.Stat(root, files); err != nil || !info.IsDir() {
			return nil, broken(fmt.Errorf("%s names the %s %q, which is not a folder", manifest.WebAppFile, manifest.KeySrcFolder, src))
		}
	}
	if subErr != nil {
		return nil, broken(subErr)
	}
	if len(problems) > 0 {
		return nil, broken(fmt.Errorf("%s names the page %q, which is not a file in the package", manifest.WebAppFile, problems[0].Entry))
	}
	return &Package{Manifest: m, FS: sub}, nil
}

// manifestError words an invalid webapp.json as the catalog always has:
// the *manifest.DocumentError itself when it did not parse.
func manifestError(p *pkginstall.PackageError) error {
	var derr *manifest.DocumentError
	if errors.As(p, &derr) {
		return derr
	}
	return fmt.Errorf("%s: %s", manifest.WebAppFile, p.Detail)
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
	return nil, fault.Detail(ErrUnknownApp, "%q version %q (installed: %s)", name, version, strings.Join(c.Versions(name), ", "))
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

// Versions returns the versions installed for name, highest first.
func (c *Catalog) Versions(name string) []string {
	var vs []string
	for _, p := range c.byName[name] {
		vs = append(vs, p.Manifest.Version)
	}
	return vs
}
