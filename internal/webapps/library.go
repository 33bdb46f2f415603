package webapps

import (
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"loginshell/internal/fault"
	"loginshell/internal/manifest"
	"loginshell/internal/pkginstall"
)

// LibraryOptions say where a Library finds its boot document and packages.
type LibraryOptions struct {
	// DataDir is the shell's data directory (required): installed packages
	// live in DataDir/webapps, and DataDir/boot.json is the boot document
	// when BootFile is empty.
	DataDir string
	// BootFile is a boot document given on the command line; the package
	// directories beside it are part of it (a QA folder: boot.json and its
	// packages). Empty means DataDir/boot.json, else Bundled's.
	BootFile string
	// Bundled holds the packages shipped inside the binary, used when no
	// installed package of that name and version exists (required).
	Bundled fs.FS
	// BundledBoot is the boot document used when there is no other
	// (required).
	BundledBoot []byte
	// Packages are package folders (or their webapp.json) served as they
	// are, without installing them: run from source. They come before
	// every other root, and a name they provide is served at their version
	// whatever the boot document depends on. A folder laid out for the
	// container's CLI ("src-folder") serves that folder's files.
	Packages []string
	Log      *slog.Logger
}

// Library is the one owner of the shell's packages: the boot document, the
// catalog of what is installed, installs and the recovery of installs a
// crash interrupted. The file server, the boot sequence and the offline
// pages (internal/boot) ask it for packages and URLs; installs go through
// it so the catalog it serves is always the one on disk. Safe for
// concurrent use.
type Library struct {
	doc      manifest.Boot
	packages []string // --package folders, first of all
	beside   string   // the folder of --boot, "" without one
	bundled  fs.FS
	dir      string // DataDir/webapps
	log      *slog.Logger

	mu       sync.RWMutex // guards what follows; held only to swap or read it
	cat      *Catalog
	pinned   map[string]string // name -> version of the --package packages
	live     []LiveState
	blocked  map[string]string // name -> broken --package folder that provides it
	lastName map[string]string // --package folder -> the name it last loaded with
}

// OpenLibrary reads the boot document, finishes or rolls back any install a
// crash interrupted, and loads the catalog. Packages that fail to load are
// logged and left out (the others still serve); an unreadable or invalid
// boot document is an error naming the file.
func OpenLibrary(o LibraryOptions) (*Library, error) {
	if o.DataDir == "" || o.Bundled == nil || o.BundledBoot == nil {
		return nil, fmt.Errorf("webapps: DataDir, Bundled and BundledBoot are required")
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	doc, src, err := readBoot(o)
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(o.DataDir, "webapps")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create %s: %w", dir, err)
	}
	// Finish or roll back an install a crash interrupted, so the catalog
	// sees one complete version of every package.
	if err := pkginstall.RecoverInstalls(dir); err != nil {
		return nil, fmt.Errorf("recover interrupted installs: %w", err)
	}
	l := &Library{doc: doc, packages: o.Packages, bundled: o.Bundled, dir: dir, log: o.Log, lastName: map[string]string{}}
	if o.BootFile != "" {
		// The container's repository: app.json beside the package folders.
		l.beside = filepath.Dir(o.BootFile)
	}
	l.reload()
	o.Log.Info("boot document", "source", src, "starter", doc.Starter, "offline", doc.OfflineName)
	return l, nil
}

// readBoot returns the boot document and where it came from.
func readBoot(o LibraryOptions) (manifest.Boot, string, error) {
	return bootDocument(o.DataDir, o.BootFile, o.BundledBoot)
}

// BootDocument returns the boot document a Library of these options
// would serve: bootFile, else dataDir/boot.json, else bundledBoot. It
// reads, never writes: `loginshell check` holds a package to the offline
// role of the boot document an install into dataDir would see.
func BootDocument(dataDir, bootFile string, bundledBoot []byte) (manifest.Boot, error) {
	doc, _, err := bootDocument(dataDir, bootFile, bundledBoot)
	return doc, err
}

func bootDocument(dataDir, bootFile string, bundledBoot []byte) (manifest.Boot, string, error) {
	data, src := bundledBoot, "the bundled samples"
	file := bootFile
	if p := filepath.Join(dataDir, "boot.json"); file == "" && isRegular(p) {
		// The data directory's own boot document: its packages are the
		// installed ones; the directory itself holds none.
		file = p
	}
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return manifest.Boot{}, "", fmt.Errorf("read the boot document: %w", err)
		}
		data, src = b, file
	}
	doc, err := manifest.ParseBoot(data)
	if err != nil {
		return manifest.Boot{}, "", fmt.Errorf("%s: %w", src, err)
	}
	return doc, src, nil
}

// reload reads the packages again and serves what it found; broken ones
// are logged. Reading happens outside the lock: readers keep the old
// catalog meanwhile.
func (l *Library) reload() {
	cat, live, err := LoadCatalog(CatalogOptions{Live: l.packages, Beside: l.beside, Installed: l.dir, Bundled: l.bundled})
	if err != nil {
		l.log.Warn("some web app packages could not be loaded", "err", err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	pinned, blocked := map[string]string{}, map[string]string{}
	for i, st := range live {
		if st.Name == "" {
			st.Name = l.lastName[st.Folder] // a webapp.json that does not parse still names what it provided
			live[i] = st
		}
		if st.Name != "" {
			l.lastName[st.Folder] = st.Name
		}
		if len(st.Problems) > 0 {
			// Never the installed copy instead: the window says what is wrong.
			if st.Name != "" {
				blocked[st.Name] = st.Folder
			}
			l.log.Warn("a --package folder is broken: the window shows what is wrong until it is fixed",
				"folder", st.Folder, "problem", problemError(st.Problems[0]))
			continue
		}
		if want, ok := l.doc.Dependencies[st.Name]; ok && want != st.Version {
			l.log.Warn("a --package folder is served instead of the version the boot document depends on",
				"name", st.Name, "version", st.Version, "boot", want)
		}
		pinned[st.Name] = st.Version
	}
	l.cat, l.pinned, l.live, l.blocked = cat, pinned, live, blocked
}

func (l *Library) catalog() *Catalog {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.cat
}

// Live returns how each --package folder loaded, in the order given: the
// window marks their pages and shows what is wrong with a broken one.
func (l *Library) Live() []LiveState {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return append([]LiveState(nil), l.live...)
}

// Boot returns the boot document.
func (l *Library) Boot() manifest.Boot { return l.doc }

// Install installs the zip or directory package at path into the data
// directory and serves it at once: pages load from it, and the next login
// uses it if the boot document names it. progress (may be nil) hears the
// bytes written. A refused package matches pkginstall.ErrBadPackage and
// names the entry and the rule; a missing path matches
// pkginstall.ErrNoPackage; the installed version, if any, stays. Without
// replace, a package that would replace an installed one of the same name,
// or the offline login package, is not installed: the error is a
// *pkginstall.ReplaceError saying what it would replace.
func (l *Library) Install(path string, progress func(done, total int64), replace bool) (manifest.WebApp, error) {
	opts := pkginstall.Options{Progress: progress, Log: l.log}
	if !replace {
		opts.Approve = l.approve
	}
	m, err := pkginstall.InstallPackage(l.dir, path, opts)
	if err != nil {
		return m, err
	}
	l.reload()
	return m, nil
}

// approve returns a *pkginstall.ReplaceError when installing m would
// replace an installed package of the same name, or the offline login
// package wherever it comes from; nil otherwise. The installer asks it once the
// package has passed every rule, so a bad package is reported as bad, not
// as a question.
func (l *Library) approve(m manifest.WebApp) error {
	old := pkginstall.InstalledVersion(l.dir, m.Name)
	offline := m.Name == l.doc.OfflineName
	if offline && old == "" {
		if _, err := l.catalog().Lookup(m.Name, ""); err != nil {
			offline = false // nothing of that name to replace yet
		}
	}
	if old == "" && !offline {
		return nil
	}
	return &pkginstall.ReplaceError{Name: m.Name, New: m.Version, Old: old, Offline: offline}
}

// version returns the version of name a --package folder provides, else
// the one the boot document depends on, or "" for the highest installed;
// broken is the --package folder that provides name and is broken.
func (l *Library) version(name string) (version, broken string) {
	l.mu.RLock()
	v, ok := l.pinned[name]
	broken = l.blocked[name]
	l.mu.RUnlock()
	if ok {
		return v, ""
	}
	return l.doc.Dependencies[name], broken
}

// Package returns the package served under name, from the catalog
// current at each call: the --package folder that provides it, else the
// version the boot document depends on, else (no dependency) the highest
// installed. The error matches ErrUnknownApp, also when the version
// depended on is not installed, and when the --package folder that
// provides name is broken (never the installed copy instead: the window
// says what is wrong with the folder). The file server
// (internal/pagefiles) and the offline pages (internal/boot) ask for
// packages here.
func (l *Library) Package(name string) (*Package, error) {
	v, broken := l.version(name)
	if broken != "" {
		return nil, fault.Detail(ErrUnknownApp, "%q: its --package folder %s is broken", name, broken)
	}
	return l.catalog().Lookup(name, v)
}

// HasOffline reports whether the boot document names an installed offline
// login package.
func (l *Library) HasOffline() bool {
	if l.doc.OfflineName == "" {
		return false
	}
	_, err := l.Package(l.doc.OfflineName)
	return err == nil
}

// AppPage returns the URL and title of a web app's main page; the error
// matches ErrUnknownApp when it is not installed.
func (l *Library) AppPage(name string) (pageURL, title string, err error) {
	pkg, err := l.Package(name)
	if err != nil {
		return "", "", err
	}
	return PageURL(pkg.Manifest.Name, pkg.Manifest.Main, nil), pkg.Manifest.DisplayName(), nil
}

// skipDirs is a catalog root without some of its top-level folders.
type skipDirs struct {
	fs.FS
	skip map[string]bool
}

func (s skipDirs) ReadDir(name string) ([]fs.DirEntry, error) {
	entries, err := fs.ReadDir(s.FS, name)
	if name != "." {
		return entries, err
	}
	kept := entries[:0]
	for _, e := range entries {
		if !s.skip[e.Name()] {
			kept = append(kept, e)
		}
	}
	return kept, err
}

// withoutDirs leaves out of root (the folder dir) the package folders
// that sit directly in it.
func withoutDirs(root fs.FS, dir string, packages []string) fs.FS {
	skip := map[string]bool{}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return root
	}
	for _, p := range packages {
		if strings.EqualFold(filepath.Ext(p), ".json") {
			p = filepath.Dir(p)
		}
		if a, err := filepath.Abs(p); err == nil && filepath.Dir(a) == abs {
			skip[filepath.Base(a)] = true
		}
	}
	if len(skip) == 0 {
		return root
	}
	return skipDirs{root, skip}
}

func isRegular(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}
