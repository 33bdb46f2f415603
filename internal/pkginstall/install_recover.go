package pkginstall

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// RecoverInstalls finishes or rolls back installs a crash interrupted in
// dir (the webapps folder Install writes to), so every version is whole
// again: leftover ".install-*" extraction directories are removed; for each
// dir/<name>/.old-<version>, the old copy is deleted when <version> is in
// place (the new one went live) and renamed back when it is not (the crash
// came between the two renames). Empty <name> folders left by a first
// install that died are removed. A missing dir is not an error.
//
// Run it at start-up, before building the catalog. It takes the install
// lock Install takes, without waiting: when another install into dir (in
// this process or another) holds it, RecoverInstalls does nothing and
// returns nil, because that install's extraction directory is live, not a
// crash's leftover. Nothing is lost by skipping: the running install
// settles every leftover itself once it holds the lock, and if it crashes,
// the next RecoverInstalls or Install finds its leftovers.
func RecoverInstalls(dir string) error {
	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		return nil // never create dir (and its lock file) just to find it empty
	}
	lock, ok, err := tryLockInstalls(dir)
	if err != nil {
		return fmt.Errorf("recover installs: %w", err)
	}
	if !ok {
		return nil
	}
	defer lock.unlock()
	return recoverLocked(dir)
}

// recoverLocked is RecoverInstalls for a caller holding dir's install lock.
func recoverLocked(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("recover installs: %w", err)
	}
	var errs []error
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		switch {
		case strings.HasPrefix(e.Name(), installTempPrefix):
			if err := os.RemoveAll(p); err != nil {
				errs = append(errs, fmt.Errorf("remove an interrupted install: %w", err))
			}
		case e.IsDir() && !strings.HasPrefix(e.Name(), "."):
			if err := recoverName(p); err != nil {
				errs = append(errs, err)
			}
		}
	}
	if err := syncDir(dir); err != nil {
		errs = append(errs, fmt.Errorf("sync %s: %w", dir, err))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("recover installs: %w", err)
	}
	return nil
}

func recoverName(nameDir string) error {
	subs, err := os.ReadDir(nameDir)
	if err != nil {
		return err
	}
	if len(subs) == 0 {
		return os.Remove(nameDir)
	}
	var errs []error
	for _, s := range subs {
		if v, ok := strings.CutPrefix(s.Name(), oldPrefix); ok && v != "" {
			errs = append(errs, recoverVersion(nameDir, v))
		}
	}
	return errors.Join(errs...)
}

// recoverVersion settles one .old-<version> in nameDir, if there is one.
func recoverVersion(nameDir, version string) error {
	old := filepath.Join(nameDir, oldPrefix+version)
	if _, err := os.Lstat(old); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	target := filepath.Join(nameDir, version)
	if _, err := os.Lstat(target); err == nil {
		if err := os.RemoveAll(old); err != nil {
			return fmt.Errorf("remove the replaced version %s: %w", old, err)
		}
		return nil
	}
	if err := os.Rename(old, target); err != nil {
		return fmt.Errorf("restore %s: %w", target, err)
	}
	return syncDir(nameDir)
}
