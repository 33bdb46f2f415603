package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"loginshell/internal/check"
	"loginshell/internal/samples"
	"loginshell/internal/shell"
)

const checkSynopsis = "loginshell check [--json] [--offline] [--data DIR] PACKAGE\n      checks a package (zip, directory, or webapp.json); exit status 1 if it has errors\n  loginshell check [--json] [--data DIR] app.json [PACKAGE]...\n      checks an app definition (boot document) against the installed packages and those given"

// runCheck validates a package, or an app definition and its packages,
// for QA: every problem on its own line (or JSON for CI), exit status 1
// when there is an error.
func runCheck(e *env, args []string) error {
	var asJSON, offline bool
	var dataDir string
	flags := newFlags("check")
	flags.BoolVar(&asJSON, "json", false, "print the report as JSON")
	flags.BoolVar(&offline, "offline", false, "check as the offline sign-in package whatever its name (its setup and manage pages are required)")
	flags.StringVar(&dataDir, "data", e.dataDir, "data directory: its installed packages count for an app definition, its boot document names the offline package")
	if help, err := e.parse("check", flags, args); help || err != nil {
		return err
	}
	if flags.NArg() < 1 {
		return e.usageError("check", "name one package (a .zip, a directory or a webapp.json), or an app.json and its packages")
	}
	target := flags.Arg(0)
	isBoot := check.IsBootDocument(target)
	if !isBoot && flags.NArg() != 1 {
		return e.usageError("check", "name one package (a .zip, a directory or a webapp.json)")
	}
	if _, err := os.Stat(target); errors.Is(err, os.ErrNotExist) {
		// Nothing to check: say so, rather than report a package without
		// a webapp.json.
		fmt.Fprintf(e.stderr, "loginshell check: %s does not exist\n", target)
		return exitCode(exitFailed)
	}
	var r check.Report
	if isBoot {
		// The app definition's packages are those given, then those
		// beside it, installed in dataDir and bundled.
		r = check.CheckBoot(target, check.BootOptions{Packages: flags.Args()[1:],
			Installed: filepath.Join(dataDir, "webapps"), Bundled: samples.FS()})
	} else {
		// The package is held to the offline role as `loginshell install
		// --data DIR` would hold it: the offline package of DIR's boot
		// document (DIR/boot.json, else the bundled one).
		boot, err := shell.BootDocument(dataDir)
		if err != nil {
			return err
		}
		r = check.Check(target, check.Options{Offline: offline, OfflineName: boot.OfflineName})
	}
	return e.printReport(r, asJSON)
}

// printReport prints a check's report (JSON for CI); exit status 1 when it
// has an error.
func (e *env) printReport(r check.Report, asJSON bool) error {
	if asJSON {
		b, err := r.JSON()
		if err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, string(b))
	} else {
		fmt.Fprint(e.stdout, r.Text())
	}
	if !r.OK() {
		return exitCode(exitFailed)
	}
	return nil
}
