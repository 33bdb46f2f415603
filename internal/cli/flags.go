package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"loginshell/internal/online"
	"loginshell/internal/redact"
	"loginshell/internal/screen"
	"loginshell/internal/settings"
	"loginshell/internal/shell"
)

// newFlags is a subcommand's flag set: errors are reported once, by
// parse, and help is printed by parse on stdout.
func newFlags(cmd string) *flag.FlagSet {
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// parse parses args into fs, flags before, between and after the
// arguments (`check DIR --json` as `check --json DIR`); "--" ends the
// flags. Afterwards fs.Args() are the arguments in order. help is true
// when -h was asked for (the usage is printed on stdout, nothing is to
// run); err is a usage error, printed.
func (e *env) parse(cmd string, fs *flag.FlagSet, args []string) (help bool, err error) {
	if err := parseInterspersed(fs, args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			c, _ := lookup(cmd)
			e.printHelp(c.synopsis, fs)
			return true, nil
		}
		return false, e.usageError(cmd, "%v", err)
	}
	return false, nil
}

// parseInterspersed is fs.Parse that also reads the flags that follow an
// argument.
func parseInterspersed(fs *flag.FlagSet, args []string) error {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return err
		}
		rest := fs.Args()
		consumed := args[:len(args)-len(rest)]
		if len(rest) == 0 || (len(consumed) > 0 && consumed[len(consumed)-1] == "--") {
			pos = append(pos, rest...)
			break
		}
		pos, args = append(pos, rest[0]), rest[1:]
	}
	return fs.Parse(append([]string{"--"}, pos...))
}

// printHelp prints one subcommand's help, the one format every
// subcommand shares: its synopsis, then its flags if it has any.
func (e *env) printHelp(synopsis string, fs *flag.FlagSet) {
	fmt.Fprintf(e.stdout, "Usage:\n  %s\n", synopsis)
	hasFlags := false
	fs.VisitAll(func(*flag.Flag) { hasFlags = true })
	if hasFlags {
		fmt.Fprintln(e.stdout, "\nFlags:")
		fs.SetOutput(e.stdout)
		fs.PrintDefaults()
	}
}

// printOverview is `loginshell help` (and -h): every subcommand, then the
// window's flags, since a command line that names no subcommand opens it.
func (e *env) printOverview() {
	out := e.stdout
	fmt.Fprintln(out, "loginshell hosts login web pages and web apps and runs their authentication service.")
	fmt.Fprintln(out, "\nUsage:")
	for _, c := range commands() {
		fmt.Fprintf(out, "  %s\n", c.synopsis)
	}
	fmt.Fprintln(out, "\nRun 'loginshell help SUBCOMMAND' (or 'loginshell SUBCOMMAND -h') for a subcommand's flags. Flags of the window:")
	var o shellFlags
	fs := newFlags("window")
	o.add(fs, e.dataDir)
	fs.Bool("inspect", false, "QA: enable the web inspector (right click > Inspect Element) on the window's pages")
	fs.SetOutput(out)
	fs.PrintDefaults()
}

// shellFlags are the command line of the shell itself: window and serve.
type shellFlags struct {
	dataDir, bootFile, loginURL, redirectPort, store, logLevel, station string
	demo, offline                                                       bool
	packages                                                            []string // --package: run from source
}

// add declares the flags on fs.
func (o *shellFlags) add(fs *flag.FlagSet, defaultDataDir string) {
	fs.StringVar(&o.dataDir, "data", defaultDataDir, "data directory: settings, offline vaults, installed packages")
	addLogLevel(fs, &o.logLevel)
	fs.StringVar(&o.bootFile, "boot", "", "boot document (packages beside it are used too); default <data>/boot.json, else the bundled samples")
	fs.BoolVar(&o.demo, "demo", false, "run a demo identity provider on loopback with demo users and sign in against it")
	fs.BoolVar(&o.offline, "offline", false, "never contact the login server: offline sign-in only")
	fs.StringVar(&o.loginURL, "login-url", "", "set the login_url setting (the organisation's OpenID issuer) and keep it")
	fs.StringVar(&o.redirectPort, "redirect-port", "", "set the redirect_port setting and keep it: the fixed loopback port of the sign-in redirect, for identity providers that match redirect URIs exactly (0: a random port)")
	fs.StringVar(&o.store, "store", "", "set the signature_store setting and keep it: the PostgreSQL database the plant's stations share (postgres://USER@HOST/DATABASE?sslmode=verify-full; the password goes in ~/.pgpass or PGPASSWORD); \"embedded\" goes back to signatures.db in the data directory")
	fs.StringVar(&o.station, "station", "", "this station's name in signatures and the audit trail, under which its audit key is registered (default: the host name); give each data directory on one computer a name of its own")
	fs.Func("package", "serve this package folder (or its webapp.json) as it is, without installing it, and reload the page when its files change; repeatable", func(v string) error {
		if st, err := os.Stat(v); err == nil && !st.IsDir() && !strings.EqualFold(filepath.Ext(v), ".json") {
			// A zip cannot change under the shell as a folder does.
			return fmt.Errorf("%s is not a folder: --package serves a package folder (or its webapp.json) as it is; install a zip with loginshell install", v)
		}
		o.packages = append(o.packages, v)
		return nil
	})
}

// config is the shell's Config for these flags: hosted pages served on
// pagesOrigin, the provider's page shown as signIn says.
func (o shellFlags) config(log *slog.Logger, pagesOrigin string, signIn func(*screen.Screen, *settings.Store) (online.ProviderOptions, error)) shell.Config {
	return shell.Config{DataDir: o.dataDir, BootFile: o.bootFile, Packages: o.packages, LoginURL: o.loginURL,
		RedirectPort: o.redirectPort, Store: o.store, Demo: o.demo, Offline: o.offline, PagesOrigin: pagesOrigin,
		SignIn: signIn, Log: log, Station: o.station}
}

func addLogLevel(fs *flag.FlagSet, level *string) {
	fs.StringVar(level, "log-level", "", "log level: debug, info, warn, error (default: warn when the log goes to a terminal, info otherwise)")
}

// logger is the process's log on stderr, every line redacted. A person at
// a terminal sees warnings and errors only (--log-level for more); a log
// going to a file, a journal or CI keeps every step.
func (e *env) logger(cmd, levelFlag string) (*slog.Logger, error) {
	if levelFlag == "" {
		levelFlag = "info"
		if isTerminal(e.stderr) {
			levelFlag = "warn"
		}
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(levelFlag)); err != nil {
		return nil, e.usageError(cmd, "--log-level %q: use debug, info, warn or error", levelFlag)
	}
	return slog.New(redact.Handler(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: level}))), nil
}

// noArgs refuses positional arguments.
func (e *env) noArgs(cmd string, fs *flag.FlagSet) error {
	if fs.NArg() > 0 {
		return e.usageError(cmd, "unexpected argument %q", fs.Arg(0))
	}
	return nil
}
