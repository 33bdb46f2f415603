package shell

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"loginshell/internal/webapps"
)

// InstallPackage installs the zip or directory package at pkgPath into
// <dataDir>/webapps, reporting progress through progress (may be nil). A
// bad package is refused with an error naming the entry and the rule
// (errors.Is(err, webapps.ErrBadPackage)); the installed version, if any,
// is untouched.
func InstallPackage(dataDir, pkgPath string, progress func(done, total int64), log *slog.Logger) (webapps.Manifest, error) {
	dir := filepath.Join(dataDir, "webapps")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return webapps.Manifest{}, fmt.Errorf("create %s: %w", dir, err)
	}
	if err := webapps.RecoverInstalls(dir); err != nil {
		return webapps.Manifest{}, fmt.Errorf("recover interrupted installs: %w", err)
	}
	opts := webapps.InstallOptions{Progress: progress, Log: log}
	st, err := os.Stat(pkgPath)
	if err != nil {
		return webapps.Manifest{}, fmt.Errorf("package %s: %w", pkgPath, err)
	}
	if st.IsDir() {
		return webapps.InstallDir(dir, pkgPath, opts)
	}
	f, err := os.Open(pkgPath)
	if err != nil {
		return webapps.Manifest{}, fmt.Errorf("open package: %w", err)
	}
	defer f.Close()
	return webapps.Install(dir, f, st.Size(), opts)
}

// Install installs a package into this shell's data directory and makes
// the running shell use it: pages load from it at once, and the next login
// uses it if the boot document names it.
func (s *Shell) Install(pkgPath string, progress func(done, total int64)) (webapps.Manifest, error) {
	m, err := InstallPackage(s.dataDir, pkgPath, progress, s.Log.With("component", "install"))
	if err != nil {
		return m, err
	}
	pkgs, err := loadPackages(s.cfg, s.Log)
	if err != nil {
		return m, fmt.Errorf("reload packages: %w", err)
	}
	s.Packages.Swap(pkgs.Catalog)
	s.Log.Info("package installed", "name", m.Name, "version", m.Version)
	return m, nil
}
