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
	switch {
	case errors.As(err, &rerr) && rerr.Same():
		// Nothing to do is not a failure: a script that installs what
		// is there already goes on.
		fmt.Fprintf(e.stdout, "%s %s is already installed in %s; nothing changed (--replace installs this copy over it)\n", rerr.Name, rerr.New, dataDir)
		return nil
	case errors.As(err, &rerr):
		fmt.Fprintf(e.stderr, "loginshell install: %s; nothing was installed: run again with --replace to install it\n", err)
		return exitCode(exitFailed)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "installed %s %s into %s\n", m.Name, m.Version, dataDir)
	return nil
}
