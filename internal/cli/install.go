package cli

import (
	"errors"
	"fmt"

	"loginshell/internal/pkginstall"
	"loginshell/internal/shell"
)

const installSynopsis = "loginshell install [--data DIR] [--replace] PACKAGE\n      installs a package (zip, directory, or webapp.json) into the data directory"

// runInstall installs one package into the data directory, through the
// same library the shell serves from.
func runInstall(e *env, args []string) error {
	var dataDir, logLevel string
	var replace bool
	fs := newFlags("install")
	fs.StringVar(&dataDir, "data", e.dataDir, "data directory: settings, offline vaults, installed packages")
	addLogLevel(fs, &logLevel)
	fs.BoolVar(&replace, "replace", false, "replace an installed package of the same name, or the offline sign-in package")
	if help, err := e.parse("install", fs, args); help || err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return e.usageError("install", "name one package (a .zip or a directory)")
	}
	log, err := e.logger("install", logLevel)
	if err != nil {
		return err
	}
	pkg := fs.Arg(0)
	lib, err := shell.OpenLibrary(dataDir, log)
	if err != nil {
		return err
	}
	m, err := lib.Install(pkg, nil, replace)
	var rerr *pkginstall.ReplaceError
	if errors.As(err, &rerr) {
		return fmt.Errorf("%s is not installed: %w; run again with --replace to replace it", pkg, err)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "installed %s %s into %s\n", m.Name, m.Version, dataDir)
	return nil
}
