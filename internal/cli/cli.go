// Package cli is loginshell's command line: one file per subcommand
// (window, serve, check, install, audit, signature, compliance, station, version) behind one
// table. It parses, builds what the command needs through internal/shell
// (the one composition root) and turns the outcome into an exit status,
// which main hands to os.Exit: Main never exits the process itself.
//
// Conventions, as Go's own tools: help asked for goes to stdout with exit
// status 0; a command line that cannot be run is one line on stderr and
// exit status 2; a failure is "loginshell: ..." on stderr and exit status
// 1, unless the command says otherwise (check, audit verify, signature
// queue --wait).
package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"loginshell/internal/shell"
)

// command is one subcommand: its usage line and what runs it (args after
// the subcommand's name).
type command struct {
	name     string
	synopsis string
	run      func(e *env, args []string) error
}

// commands is the table Main dispatches on, in the order help lists them.
// A command line that names none of them runs the window. (A function, not
// a variable: help reads the table, and the commands read help.)
func commands() []command {
	return []command{
		{"window", windowSynopsis, runWindow},
		{"serve", serveSynopsis, runServe},
		{"check", checkSynopsis, runCheck},
		{"install", installSynopsis, runInstall},
		{"version", versionSynopsis, runVersion},
		{"audit", auditSynopsis, runAudit},
		{"signature", signatureSynopsis, runSignature},
		{"compliance", complianceSynopsis, runCompliance},
		{"station", stationSynopsis, runStation},
	}
}

func lookup(name string) (command, bool) {
	for _, c := range commands() {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

// env is what a command runs with: its streams and the collaborators a
// test replaces.
type env struct {
	stdout, stderr io.Writer
	// dataDir is --data's default.
	dataDir string
	// station names this computer in requests and the audit trail.
	station string
	now     func() time.Time
	// poll is how often `signature queue --wait` reads the request's
	// state (a store that hears of changes wakes it sooner).
	poll time.Duration
	// openStore opens the signature store of a data directory, as
	// shell.OpenStore.
	openStore func(dataDir, storeFlag string, create bool) (shell.SignatureStore, string, error)
}

// Main runs the command line args (without the program's name) and
// returns the process's exit status.
func Main(args []string, stdout, stderr io.Writer) int {
	return Run(args, stdout, stderr, Options{})
}

// Options change what a run takes from the process, for tests that run
// the command line in process; zero values are the process's own.
type Options struct {
	// Poll is how often `signature queue --wait` reads the request's
	// state when nothing wakes it (default 1 s).
	Poll time.Duration
}

// Run is Main with Options.
func Run(args []string, stdout, stderr io.Writer, o Options) int {
	e := &env{stdout: stdout, stderr: stderr, dataDir: defaultDataDir(), station: shell.Station(), now: time.Now,
		poll: time.Second, openStore: shell.OpenStore}
	if o.Poll > 0 {
		e.poll = o.Poll
	}
	return e.exit(e.run(args))
}

// run dispatches args to their subcommand. No subcommand, or flags
// first, is the window; help and --version are understood as Unix tools
// do; any other first word is an unknown subcommand, named with the
// nearest known one.
func (e *env) run(args []string) error {
	window, _ := lookup("window")
	if len(args) == 0 {
		return window.run(e, args)
	}
	switch first := args[0]; first {
	case "help":
		return e.help(args[1:])
	case "-h", "-help", "--help":
		e.printOverview()
		return nil
	case "-v", "-version", "--version":
		return runVersion(e, args[1:])
	default:
		if c, ok := lookup(first); ok {
			return c.run(e, args[1:])
		}
		if strings.HasPrefix(first, "-") {
			return window.run(e, args)
		}
		hint := "run 'loginshell help' for the list"
		if near := nearest(first); near != "" {
			hint = "did you mean " + near + "?"
		}
		fmt.Fprintf(e.stderr, "loginshell: unknown command %q; %s\n", first, hint)
		return exitCode(exitUsage)
	}
}

// help is `loginshell help [SUBCOMMAND]`.
func (e *env) help(args []string) error {
	switch len(args) {
	case 0:
		e.printOverview()
		return nil
	case 1:
		c, ok := lookup(args[0])
		if !ok {
			fmt.Fprintf(e.stderr, "loginshell help: unknown command %q; run 'loginshell help' for the list\n", args[0])
			return exitCode(exitUsage)
		}
		return c.run(e, []string{"-h"})
	default:
		return e.usageError("help", "name one subcommand")
	}
}

// nearest is the subcommand closest to word by edit distance, when it is
// close enough to be a slip of the keyboard ("chek", "sever"); "" else.
func nearest(word string) string {
	best, bestD := "", 3
	for _, c := range commands() {
		if d := distance(strings.ToLower(word), c.name); d < bestD {
			best, bestD = c.name, d
		}
	}
	return best
}

// distance is the Levenshtein distance of a and b, in bytes.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// exit turns a command's outcome into an exit status, printing a failure
// that was not printed yet.
func (e *env) exit(err error) int {
	var code exitCode
	switch {
	case err == nil:
		return 0
	case errors.As(err, &code):
		return int(code)
	default:
		fmt.Fprintln(e.stderr, "loginshell:", err)
		return 1
	}
}

// exitCode ends the process with a status and nothing more to print.
type exitCode int

func (c exitCode) Error() string { return fmt.Sprintf("exit status %d", int(c)) }

// orNil is c as an error, nil for status 0.
func (c exitCode) orNil() error {
	if c == 0 {
		return nil
	}
	return c
}

// Exit statuses scripts branch on.
const (
	exitFailed = 1 // the command failed; check and audit verify: problems found
	exitUsage  = 2 // a command line that cannot be run
)

// usageError is a command line that cannot be run: one line on stderr,
// exit status 2, as Go's own tools do.
func (e *env) usageError(cmd, format string, args ...any) error {
	fmt.Fprintf(e.stderr, "loginshell %s: %s\nRun 'loginshell %s -h' for usage.\n", cmd, fmt.Sprintf(format, args...), cmd)
	return exitCode(exitUsage)
}

// defaultDataDir is loginshell under the OS's per-user config directory.
func defaultDataDir() string {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "loginshell-data"
	}
	return filepath.Join(dir, "loginshell")
}

// isTerminal says whether w is a terminal (a character device): the
// standard library's way, with no terminal package.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
