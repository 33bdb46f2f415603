// Package pkginstall puts web app packages on disk, and says what is wrong
// with one. A package (a zip, a folder, or a folder or zip laid out for the
// mobile container's CLI) is read entry by entry under the limits that keep
// a hostile zip harmless, checked, and extracted into
// <dir>/<name>/<version>/ of a webapps folder; versions are switched so
// that a crash at any point leaves one complete version (RecoverInstalls
// finishes the job at the next start), and one install runs at a time per
// folder, across processes.
//
// InspectPackage runs the same rules without
// writing, for `loginshell check`. Validate is the one validation of a
// package's webapp.json against its files: the installer, check and the
// package library's loader (internal/webapps) all call it, so they never
// disagree on what a package is.
//
// Not to be confused with internal/install, the service that runs the
// installs a person starts from the window one at a time: it asks the
// package library, which installs with this package.
package pkginstall

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"sync"
	"time"

	"loginshell/internal/fault"
	"loginshell/internal/manifest"
)

// Options bound what a package may make the installer do. The zero
// value means the defaults below; set a field to tighten or loosen it.
type Options struct {
	// MaxEntries caps files plus directories (default 10000).
	MaxEntries int
	// MaxTotalBytes caps the bytes the package expands to, counted as they
	// are written, not read from headers (default 1 GiB).
	MaxTotalBytes int64
	// MaxRatio caps how many times an entry, and the package as a whole,
	// may expand over its stored size once past 1 MiB (default 200): the
	// zip bomb rule.
	MaxRatio int
	// Progress, when set, is called from the installing goroutine with the
	// bytes written so far and the (declared) total, at most about every 1%
	// or 1 MiB, and once at the end. The extraction goes on while it runs.
	Progress func(done, total int64)
	// Log receives one line per install or refusal (default: discarded).
	Log *slog.Logger
	// Approve, when set, is asked once the package has passed every rule
	// and sits extracted beside the installed versions, before it is made
	// live: an error ends the install there (the extraction is removed,
	// nothing installed changes) and is returned as it is. It runs with
	// the install lock held.
	Approve func(manifest.WebApp) error
	// LockWait caps how long Install and InstallDir wait for another
	// install into the same folder to finish (default DefaultLockWait);
	// then they fail with ErrInstallBusy.
	LockWait time.Duration
}

// The defaults of Options.
const (
	DefaultMaxEntries    = 10000
	DefaultMaxTotalBytes = 1 << 30
	DefaultMaxRatio      = 200
)

func (o Options) withDefaults() Options {
	if o.MaxEntries <= 0 {
		o.MaxEntries = DefaultMaxEntries
	}
	if o.MaxTotalBytes <= 0 {
		o.MaxTotalBytes = DefaultMaxTotalBytes
	}
	if o.MaxRatio <= 0 {
		o.MaxRatio = DefaultMaxRatio
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.LockWait <= 0 {
		o.LockWait = DefaultLockWait
	}
	return o
}

// Install checks a zip package and installs it as dir/<name>/<version>/,
// where dir is the data directory's webapps folder (the catalog's root) and
// name and version come from its webapp.json. webapp.json may sit at the
// top of the zip or inside a single top-level folder (what zipping a folder
// produces); in the second case that folder is stripped. A __MACOSX folder
// beside the content (added by Finder) is ignored.
//
// The package is refused, with a *PackageError (matching ErrBadPackage)
// naming the first bad entry and the rule, for: ".." segments, absolute
// names, drive letters or colons, backslashes, control characters, names
// that are not UTF-8, names Windows cannot hold (the device names CON, PRN,
// AUX, NUL, COM0-9 and LPT0-9 in any case and with any extension, a
// trailing dot or space, any of < > " | ? *), a name part longer than
// MaxNameBytes or a name longer than MaxPathBytes (the package's name and
// version obey the same name rules), symlinks and special files, encrypted entries,
// duplicate names (ignoring case, as Windows and macOS do), more than
// MaxEntries entries, more than MaxTotalBytes expanded, an expansion
// ratio over MaxRatio, a missing or invalid webapp.json, and pages it names
// that are not in the package. File permissions in the zip are ignored:
// files are written 0644, never executable. No symlink is ever created or
// followed.
//
// Files are extracted into a temporary ".install-*" directory inside dir
// (the catalog skips dot names) and, once all are written, fsynced, with
// their directories; only then is the version
// switched in by renames: an existing dir/<name>/<version> is first moved
// to dir/<name>/.old-<version>, the new tree renamed into place, and the
// old one deleted. The previous version stays on disk until the new one is
// live, and a failed install removes everything it wrote. A crash can leave
// a temporary or .old- directory behind: call RecoverInstalls at start-up
// (Install also settles such leftovers itself before it extracts).
//
// One install runs at a time per dir, across processes: Install takes an
// OS lock on dir/.install.lock (flock, LockFileEx) before it writes
// anything, waits up to Options.LockWait for another install to
// finish, and then fails with ErrInstallBusy (kind Conflict). The lock dies
// with its process, so a crash never leaves dir locked. Success is returned
// only once every file and directory of the package was found on disk,
// with the size written, after the sync and before the switch.
//
// Between the two renames the version is briefly absent; a catalog built
// in that instant misses it (a rebuild finds it).
func Install(dir string, src io.ReaderAt, size int64, opts Options) (manifest.WebApp, error) {
	opts = opts.withDefaults()
	entries, perr := zipEntries(src, size, opts)
	if perr != nil {
		opts.Log.Warn("package refused", "rule", perr.Rule, "entry", perr.Entry)
		return manifest.WebApp{}, perr
	}
	return install(dir, entries, Archive, opts)
}

// InstallDir is Install for a directory package (QA, development): the
// same rules, the same atomic switch. Symbolic links inside srcDir are
// refused, never followed.
func InstallDir(dir, srcDir string, opts Options) (manifest.WebApp, error) {
	opts = opts.withDefaults()
	entries, closeRoot, perr := dirEntries(srcDir, opts)
	if perr != nil {
		opts.Log.Warn("package refused", "rule", perr.Rule, "entry", perr.Entry)
		return manifest.WebApp{}, perr
	}
	defer closeRoot()
	return install(dir, entries, Folder, opts)
}

// InstallPackage installs the package at pkgPath into dir (a data
// directory's webapps/), the one step both the package library and a
// one-off `loginshell install` take. pkgPath names the package as
// InspectPackage reads it: a zip, a folder, a webapp.json with
// "src-folder", or a zip the container's CLI built with its webapp.json
// beside it.
func InstallPackage(dir, pkgPath string, opts Options) (manifest.WebApp, error) {
	if _, err := os.Stat(pkgPath); err != nil {
		return manifest.WebApp{}, fault.Detail(ErrNoPackage, "%s", pkgPath)
	}
	opts = opts.withDefaults()
	entries, _, shape, closeSrc, perr := openPackage(pkgPath, opts)
	if perr != nil {
		opts.Log.Warn("package refused", "rule", perr.Rule, "entry", perr.Entry)
		return manifest.WebApp{}, perr
	}
	defer closeSrc()
	return install(dir, entries, shape, opts)
}

// ErrNoPackage means the package file or directory to install does not
// exist (or cannot be seen).
var ErrNoPackage = fault.New(fault.NotFound, "there is no package file or directory at this path")

// installTempPrefix names extraction directories; RecoverInstalls removes
// them.
const installTempPrefix = ".install-"

// oldPrefix names a version moved aside during the switch.
const oldPrefix = ".old-"

func install(dir string, entries []entry, shape Shape, opts Options) (m manifest.WebApp, err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return manifest.WebApp{}, fmt.Errorf("create %s: %w", dir, err)
	}
	lock, err := lockInstalls(dir, opts.LockWait, opts.Log)
	if err != nil {
		return manifest.WebApp{}, err
	}
	defer lock.unlock() // deferred first, so it runs after the extraction directory is gone
	// With the lock held no other install is live, so every leftover is a
	// crash's: settle them, or a window that never restarts keeps them.
	if err := recoverLocked(dir); err != nil {
		opts.Log.Warn("recover interrupted installs", "err", err)
	}
	tmp, err := os.MkdirTemp(dir, installTempPrefix+"*")
	if err != nil {
		return manifest.WebApp{}, fmt.Errorf("create the extraction directory: %w", err)
	}
	live := false
	defer func() {
		if !live {
			os.RemoveAll(tmp)
		}
	}()
	root, err := os.OpenRoot(tmp)
	if err != nil {
		return manifest.WebApp{}, fmt.Errorf("open the extraction directory: %w", err)
	}
	defer root.Close()
	var mu sync.Mutex             // walk extracts with several goroutines
	written := map[string]int64{} // what must be on disk: size, -1 for a directory
	m, _, problems, err := walk(entries, opts, shape, false, func(name string, isDir bool, r io.Reader, buf []byte) error {
		n, err := extract(root, name, isDir, r, buf)
		if err == nil {
			mu.Lock()
			written[name] = n
			mu.Unlock()
		}
		return err
	})
	if err != nil {
		return manifest.WebApp{}, fmt.Errorf("extract the package: %w", err)
	}
	if len(problems) > 0 {
		p := problems[0]
		opts.Log.Warn("package refused", "rule", p.Rule, "entry", p.Entry)
		return manifest.WebApp{}, p
	}
	if opts.Approve != nil {
		if err := opts.Approve(m); err != nil {
			return manifest.WebApp{}, err
		}
	}
	if err := syncTree(tmp, written); err != nil {
		return manifest.WebApp{}, fmt.Errorf("check and sync the extracted package: %w", err)
	}
	if err := switchVersion(dir, tmp, m, opts.Log); err != nil {
		return manifest.WebApp{}, err
	}
	live = true
	opts.Log.Info("package installed", "name", m.Name, "version", m.Version)
	return m, nil
}

// extract writes one entry under root and returns the bytes written (-1
// for a directory). os.Root refuses any path that would leave the
// extraction directory, a second fence behind the name rules. Entries are
// extracted concurrently, so a file's folders are made here, whether or
// not its folder's entry came first: Root.MkdirAll takes a folder another
// goroutine made in between (EEXIST) as made.
func extract(root *os.Root, name string, isDir bool, r io.Reader, buf []byte) (int64, error) {
	p := filepath.FromSlash(name)
	if isDir {
		return -1, root.MkdirAll(p, 0o755)
	}
	if d := path.Dir(name); d != "." {
		if err := root.MkdirAll(filepath.FromSlash(d), 0o755); err != nil {
			return 0, err
		}
	}
	f, err := root.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return 0, err
	}
	n, err := copyAhead(f, r, buf)
	if err != nil {
		f.Close()
		return n, err
	}
	// Synced with the rest by syncTree; an fsync here would make the
	// decompression wait for the disk file by file.
	startWriteback(f)
	return n, f.Close()
}

// syncTree fsyncs every file and directory of an extracted tree, so the
// renames that follow publish complete data (the kernel was asked to
// start writing each file as it was extracted: startWriteback), and
// checks on the way that the tree holds exactly what was written
// (name -> size, -1 for a directory; folders made for files may be extra).
// The install lock keeps other shells from touching the tree, but a
// package is only reported installed when it is whole on disk, whatever
// else (a virus scanner, an older shell without the lock) may have done.
func syncTree(top string, written map[string]int64) error {
	seen := 0
	err := filepath.WalkDir(top, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(top, p)
		rel = filepath.ToSlash(rel)
		want, listed := written[rel]
		if listed {
			seen++
		}
		if d.IsDir() {
			if listed && want >= 0 {
				return fmt.Errorf("%s is a directory, not the file written", rel)
			}
			return syncDir(p)
		}
		info, err := d.Info()
		switch {
		case err != nil:
			return err
		case !listed || want < 0 || !info.Mode().IsRegular():
			return fmt.Errorf("%s is not a file of the package", rel)
		case info.Size() != want:
			return fmt.Errorf("%s holds %d bytes, not the %d written", rel, info.Size(), want)
		}
		return syncFile(p)
	})
	if err == nil && seen != len(written) {
		err = fmt.Errorf("%d of the %d entries written are missing", len(written)-seen, len(written))
	}
	return err
}

// syncFile fsyncs the file at p (opened for writing: Windows flushes
// only a file open for it).
func syncFile(p string) error {
	f, err := os.OpenFile(p, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) { // some platforms cannot sync directories
		return err
	}
	return nil
}

// switchVersion publishes tmp as dir/<name>/<version>. Each step leaves a
// state RecoverInstalls can finish: target and .old- both present means the
// new one is live (drop the old); only .old- present means the switch was
// cut short (put it back).
func switchVersion(dir, tmp string, m manifest.WebApp, log *slog.Logger) error {
	nameDir := filepath.Join(dir, m.Name)
	if err := os.MkdirAll(nameDir, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", nameDir, err)
	}
	if err := recoverVersion(nameDir, m.Version); err != nil { // a crash's leftover, before we reuse its name
		return fmt.Errorf("recover %s: %w", m.Name, err)
	}
	target := filepath.Join(nameDir, m.Version)
	old := filepath.Join(nameDir, oldPrefix+m.Version)
	replaced := false
	if _, err := os.Lstat(target); err == nil {
		if err := os.Rename(target, old); err != nil {
			return fmt.Errorf("move the installed version aside: %w", err)
		}
		replaced = true
	}
	if err := os.Rename(tmp, target); err != nil {
		if replaced {
			if rerr := os.Rename(old, target); rerr != nil {
				log.Error("put the previous version back", "name", m.Name, "version", m.Version, "err", rerr)
			}
		} else {
			os.Remove(nameDir) // only if empty: nothing else of this name was installed
		}
		return fmt.Errorf("move the new version into place: %w", err)
	}
	if err := syncDir(nameDir); err != nil {
		return fmt.Errorf("sync %s: %w", nameDir, err)
	}
	if err := syncDir(dir); err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	if replaced {
		if err := os.RemoveAll(old); err != nil { // the new version is live; RecoverInstalls retries
			log.Warn("remove the previous version", "name", m.Name, "version", m.Version, "err", err)
		}
	}
	return nil
}
