package cli

import (
	"fmt"

	"loginshell/internal/shell"
)

const versionSynopsis = "loginshell version\n      prints the version"

// runVersion prints the version.
func runVersion(e *env, args []string) error {
	fs := newFlags("version")
	if help, err := e.parse("version", fs, args); help || err != nil {
		return err
	}
	if err := e.noArgs("version", fs); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, "loginshell", shell.Version)
	return nil
}
