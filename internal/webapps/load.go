package webapps

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"

	"loginshell/internal/manifest"
	"loginshell/internal/pkginstall"
)

// Loading packages. There are two ways to read one, and both are
// pkginstall's, so a package loads exactly when `loginshell check` passes
// it and `loginshell install` would install it:
//
//   - a folder served as it is (--package, a folder beside --boot) is read
//     by pkginstall.InspectPackage, entry rules and all, as a Folder:
//     what check and install read when given that folder;
//   - an installed or bundled package passed those rules when it came in,
//     and is held to pkginstall.Validate as an Archive (what an install
//     extracted), which finds its pages and refuses what the installer
//     would refuse of its webapp.json.

// CatalogOptions say where LoadCatalog finds packages, in the order it
// prefers them for one name and version.
type CatalogOptions struct {
	// Live are --package folders (or their webapp.json), read as they are.
	Live []string
	// Beside is the folder of a boot document given on the command line
	// (the container's repository: app.json beside its package folders),
	// "" for none. A folder in it holding webapp.json is the package that
	// webapp.json names, whatever the folder is called; one holding
	// <version>/webapp.json folders is that package's versions; any other
	// folder (sources, .git, docs) is not a package and is skipped.
	// A Live folder in it is not read twice.
	Beside string
	// Installed is a data directory's webapps folder, "" for none.
	Installed string
	// Bundled are the packages shipped in the binary, nil for none.
	Bundled fs.FS
}

// LiveState is how a --package folder loaded.
type LiveState struct {
	// Path is the folder or webapp.json as given; Folder is the folder
	// (the one holding webapp.json when that was given).
	Path, Folder string
	// Name is the package it provides: its manifest's name, or when that
	// does not parse the name it had when it last loaded ("" if never).
	Name string
	// Version is the version it provides, "" when it did not load.
	Version string
	// Problems are why it did not load (none when it did): what
	// `loginshell check` reports as errors for the folder.
	Problems []*pkginstall.PackageError
}

// LoadCatalog builds the catalog the shell serves from o: the live
// folders first, then the folders beside the boot document, the installed
// packages and the bundled ones. It returns how each live folder loaded
// (in o.Live's order) and, like NewCatalog, every other broken package
// joined in an error matching ErrBrokenPackage; neither keeps the others
// from loading.
func LoadCatalog(o CatalogOptions) (*Catalog, []LiveState, error) {
	var first []*Package
	var live []LiveState
	for _, p := range o.Live {
		pkg, problems := LoadFolder(p)
		st := LiveState{Path: p, Folder: folderOf(p), Problems: problems}
		if pkg != nil {
			pkg.Source = SourceLive
			st.Name, st.Version = pkg.Manifest.Name, pkg.Manifest.Version
			first = append(first, pkg)
		} else if m, err := readManifest(st.Folder); err == nil {
			st.Name = m.Name
		}
		live = append(live, st)
	}
	var roots []catalogRoot
	if o.Beside != "" {
		roots = append(roots, catalogRoot{fsys: withoutDirs(os.DirFS(o.Beside), o.Beside, o.Live), dir: o.Beside, source: SourceBeside})
	}
	if o.Installed != "" {
		roots = append(roots, catalogRoot{fsys: os.DirFS(o.Installed), source: SourceInstalled})
	}
	if o.Bundled != nil {
		roots = append(roots, catalogRoot{fsys: o.Bundled, source: SourceBundled})
	}
	cat, err := newCatalog(first, roots...)
	return cat, live, err
}

// LoadFolder loads the package in the folder dir (or named by its
// webapp.json) as it is, whatever the folder is called: read by
// pkginstall.InspectPackage as `loginshell check` and `loginshell install`
// read it, so it loads exactly when they pass it. The problems are why it
// did not load.
func LoadFolder(dir string) (*Package, []*pkginstall.PackageError) {
	if st, err := os.Stat(dir); err == nil && !st.IsDir() && !strings.EqualFold(filepath.Ext(dir), ".json") {
		// A zip is installed, never served as it is: it cannot change as a folder does.
		return nil, []*pkginstall.PackageError{{Rule: pkginstall.RuleUnreadable,
			Detail: "not a folder: a package is served as it is from its folder (or its webapp.json); install a zip"}}
	}
	m, layout, problems := pkginstall.InspectPackage(dir, pkginstall.Options{}, nil)
	if len(problems) > 0 {
		return nil, problems
	}
	folder := folderOf(dir)
	files := filepath.Join(folder, filepath.FromSlash(layout.Top))
	if layout.SrcFolder != "" && layout.SrcFolder != "." {
		files = filepath.Join(files, filepath.FromSlash(layout.SrcFolder))
	}
	return &Package{Manifest: m, FS: os.DirFS(files), Source: SourceLive, Folder: folder}, nil
}

// folderOf is the folder of a package path: the path, or for a
// webapp.json the folder holding it.
func folderOf(p string) string {
	if strings.EqualFold(filepath.Ext(p), ".json") {
		return filepath.Dir(p)
	}
	return p
}

// readManifest parses the webapp.json in folder, for the name of a
// package that did not load: when it does not parse, its "name" as
// written, if that can be found.
func readManifest(folder string) (manifest.WebApp, error) {
	data, err := readSmallFile(filepath.Join(folder, manifest.WebAppFile), manifest.MaxFileBytes)
	if err != nil {
		return manifest.WebApp{}, err
	}
	m, err := manifest.ParseWebApp(data)
	if err != nil {
		if n := looseName.FindSubmatch(manifest.StripComments(data)); n != nil && manifest.ValidName(string(n[1])) {
			return manifest.WebApp{Name: string(n[1])}, nil
		}
	}
	return m, err
}

// looseName finds the "name" of a webapp.json cut short or mistyped
// elsewhere: a broken --package folder still blocks the name it provides.
var looseName = regexp.MustCompile(`"name"\s*:\s*"([^"\\]+)"`)

// catalogRoot is a folder of packages and where they come from.
type catalogRoot struct {
	fsys   fs.FS
	dir    string // the folder on disk of a root read as folders (beside --boot)
	source Source
}

// scan loads every package of the root.
func (r catalogRoot) scan() ([]*Package, []error) {
	entries, err := fs.ReadDir(r.fsys, ".")
	if err != nil {
		return nil, []error{fmt.Errorf("%w: list packages: %w", ErrBrokenPackage, err)}
	}
	var pkgs []*Package
	var errs []error
	add := func(p *Package, err error) {
		if err != nil {
			errs = append(errs, err)
			return
		}
		p.Source = r.source
		pkgs = append(pkgs, p)
	}
	for _, e := range entries {
		if !e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		name := e.Name()
		if _, err := fs.Stat(r.fsys, path.Join(name, manifest.WebAppFile)); err == nil {
			add(r.load(name, "", ""))
			continue
		}
		vp, verrs := r.scanVersions(name)
		pkgs = append(pkgs, vp...)
		errs = append(errs, verrs...)
	}
	return pkgs, errs
}

// scanVersions loads <name>/<version>/webapp.json for every version
// directory. A version directory without webapp.json is reported only when
// another one has it; otherwise the whole directory is "not a package"
// (reported, but beside the boot document, where a repository keeps other
// folders too).
func (r catalogRoot) scanVersions(name string) ([]*Package, []error) {
	subs, err := fs.ReadDir(r.fsys, name)
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
		if _, err := fs.Stat(r.fsys, path.Join(dir, manifest.WebAppFile)); err != nil {
			missing = append(missing, fmt.Errorf("%w: %s: no %s", ErrBrokenPackage, dir, manifest.WebAppFile))
			continue
		}
		p, err := r.load(dir, name, s.Name())
		if err != nil {
			errs = append(errs, err)
			continue
		}
		p.Source = r.source
		pkgs = append(pkgs, p)
	}
	if len(pkgs) == 0 && len(errs) == 0 {
		if r.source == SourceBeside {
			return nil, nil
		}
		return nil, []error{fmt.Errorf("%w: %s: no %s in %s/ or in %s/<version>/", ErrBrokenPackage, name, manifest.WebAppFile, name, name)}
	}
	return pkgs, append(errs, missing...)
}

// load loads the package whose webapp.json is dir/webapp.json, which must
// name wantName and wantVersion when they are set (a version folder, or an
// installed or bundled package's folder named for it). Folders beside the
// boot document are read as they are (LoadFolder); the others are held to
// pkginstall.Validate as an Archive. Problems are reported in the order a
// person fixes them: the manifest, where the package sits, its files.
func (r catalogRoot) load(dir, wantName, wantVersion string) (*Package, error) {
	name := wantName // what the package is called, for the error; its manifest's once read
	broken := func(err error) error { return &BrokenError{Dir: dir, Name: name, Source: r.source, Err: err} }
	sits := func(m manifest.WebApp) error {
		name = m.Name
		switch {
		case wantName != "" && m.Name != wantName:
			return broken(fmt.Errorf("%s names the package %q but it sits in directory %q", manifest.WebAppFile, m.Name, wantName))
		case wantVersion != "" && m.Version != wantVersion:
			return broken(fmt.Errorf("%s gives version %q but it sits in directory %q", manifest.WebAppFile, m.Version, wantVersion))
		}
		return nil
	}
	if r.dir != "" {
		folder := filepath.Join(r.dir, filepath.FromSlash(dir))
		p, problems := LoadFolder(folder)
		if len(problems) > 0 {
			if m, err := readManifest(folder); err == nil {
				name = m.Name
			}
			return nil, broken(problemError(problems[0]))
		}
		if err := sits(p.Manifest); err != nil {
			return nil, err
		}
		return p, nil
	}
	if wantName == "" {
		wantName, name = dir, dir // an installed or bundled package sits in the folder of its name
	}
	data, err := fs.ReadFile(r.fsys, path.Join(dir, manifest.WebAppFile))
	if err != nil {
		return nil, broken(err)
	}
	v := pkginstall.Validate(data, fsTree{r.fsys, dir}, pkginstall.Archive)
	if v.Manifest.Name == "" {
		return nil, broken(problemError(v.Problems[0]))
	}
	if err := sits(v.Manifest); err != nil {
		return nil, err
	}
	if len(v.Problems) > 0 {
		return nil, broken(problemError(v.Problems[0]))
	}
	sub, err := fs.Sub(r.fsys, path.Join(dir, v.Root))
	if err != nil {
		return nil, broken(err)
	}
	return &Package{Manifest: v.Manifest, FS: sub}, nil
}

// BrokenError is one package a catalog could not load. It matches
// ErrBrokenPackage and reads "broken web app package: <dir>: <why>".
type BrokenError struct {
	Dir    string // the package's folder in its root
	Name   string // the package it is (its manifest's name, else what its folder says), "" if unknown
	Source Source
	Err    error
}

func (e *BrokenError) Error() string {
	return fmt.Sprintf("%s: %s: %s", ErrBrokenPackage, e.Dir, e.Err)
}

// Is makes errors.Is(err, ErrBrokenPackage) true.
func (e *BrokenError) Is(target error) bool { return target == ErrBrokenPackage }

func (e *BrokenError) Unwrap() error { return e.Err }

// problemError words a package's problem as `loginshell check` prints it
// (file: rule: message); a webapp.json that did not parse unwraps to its
// *manifest.DocumentError.
func problemError(p *pkginstall.PackageError) error {
	file := p.Entry
	if file == "" {
		file = "package"
	}
	return &problem{text: fmt.Sprintf("%s: %s: %s", file, p.Rule, p.Detail), cause: p}
}

type problem struct {
	text  string
	cause *pkginstall.PackageError
}

func (e *problem) Error() string { return e.text }
func (e *problem) Unwrap() error { return e.cause }

// fsTree is a pkginstall.Tree over the folder dir of fsys.
type fsTree struct {
	fsys fs.FS
	dir  string
}

func (t fsTree) IsFile(name string) bool {
	info, err := fs.Stat(t.fsys, path.Join(t.dir, name))
	return err == nil && info.Mode().IsRegular()
}

func (t fsTree) IsDir(name string) bool {
	info, err := fs.Stat(t.fsys, path.Join(t.dir, name))
	return err == nil && info.IsDir()
}
