package pkginstall

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
)

// dirEntries lists a directory package without following links. Files are
// opened through an os.Root and checked to be the file that was listed.
func dirEntries(srcDir string, opts Options) ([]entry, func(), *PackageError) {
	root, err := os.OpenRoot(srcDir)
	if err != nil {
		return nil, nil, &PackageError{Rule: RuleUnreadable, Detail: "the package directory cannot be opened: " + err.Error()}
	}
	entries, perr := dirEntriesRoot(root, opts)
	if perr != nil {
		root.Close()
		return nil, nil, perr
	}
	return entries, func() { root.Close() }, nil
}

// dirEntriesRoot lists the directory package at root; the caller closes
// root once the entries are read.
func dirEntriesRoot(root *os.Root, opts Options) ([]entry, *PackageError) {
	var entries []entry
	werr := fs.WalkDir(root.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == "." {
			return nil
		}
		if len(entries) >= opts.MaxEntries {
			return errTooMany
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		e := entry{name: p, mode: info.Mode(), compressed: -1, declared: info.Size()}
		if info.IsDir() {
			e.name += "/"
		}
		e.open = func() (io.ReadCloser, error) { return openSame(root, p, info) }
		entries = append(entries, e)
		return nil
	})
	switch {
	case errors.Is(werr, errTooMany):
		return nil, &PackageError{Rule: RuleTooManyEntries, Detail: fmt.Sprintf("the package has more than the limit of %d entries", opts.MaxEntries)}
	case werr != nil:
		return nil, &PackageError{Rule: RuleUnreadable, Detail: "the package directory cannot be listed: " + werr.Error()}
	}
	return entries, nil
}

var errTooMany = errors.New("too many entries")

// openSame opens a listed file and makes sure it is still that regular
// file, so swapping it for a link after the listing gains nothing.
func openSame(root *os.Root, p string, listed fs.FileInfo) (io.ReadCloser, error) {
	f, err := root.Open(filepath.FromSlash(p))
	if err != nil {
		return nil, err
	}
	info, err := f.Stat()
	if err != nil || !info.Mode().IsRegular() || !os.SameFile(info, listed) {
		f.Close()
		return nil, &PackageError{Entry: path.Clean(p), Rule: RuleChanged, Detail: "the file changed while the package was read"}
	}
	return f, nil
}
