// Command loginshell is a desktop shell that hosts login web pages and
// operators' web apps, runs the authentication service behind them and
// raises electronic-signature challenges. main only wires: flags, logger,
// the engines (internal/shell), then a transport: the Wails window (app)
// or the loopback HTTP server (serve). It is the only place that exits.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"loginshell/app"
	"loginshell/frontend"
	"loginshell/internal/check"
	"loginshell/internal/redact"
	"loginshell/internal/shell"
)

const usage = `loginshell hosts login web pages and web apps and runs their authentication service.

Usage:
  loginshell [flags]                  open the shell window
  loginshell serve --listen ADDR      serve the same shell over loopback HTTP (browsers, CI)
  loginshell check [--json] [--offline] PACKAGE
                                      check a package (zip or directory); exit 1 if it has errors
  loginshell install [--data DIR] PACKAGE
                                      install a package (zip or directory) into the data directory
  loginshell version                  print the version

Flags (window and serve):
`

func main() {
	err := run(os.Args[1:], os.Stdout, os.Stderr)
	var exit exitCode
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		os.Exit(0)
	case errors.As(err, &exit):
		os.Exit(int(exit))
	default:
		fmt.Fprintln(os.Stderr, "loginshell:", err)
		os.Exit(1)
	}
}

// exitCode ends the process with a status and nothing more to print.
type exitCode int

func (e exitCode) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

func run(args []string, stdout, stderr io.Writer) error {
	cmd := "window"
	if len(args) > 0 && (args[0] == "serve" || args[0] == "version" || args[0] == "window" || args[0] == "check" || args[0] == "install") {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "version":
		fmt.Fprintln(stdout, "loginshell", shell.Version)
		return nil
	case "check":
		return runCheck(args, stdout, stderr)
	}
	fs := flag.NewFlagSet("loginshell", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usage); fs.PrintDefaults() }
	dataDir := fs.String("data", defaultDataDir(), "data directory: settings, offline vaults, installed packages")
	bootFile := fs.String("boot", "", "boot document (packages beside it are used too); default <data>/boot.json, else the bundled samples")
	demo := fs.Bool("demo", false, "run a demo identity provider on loopback with demo users and sign in against it")
	offline := fs.Bool("offline", false, "never contact the login server: offline sign-in only")
	loginURL := fs.String("login-url", "", "set the login_url setting (the organisation's OpenID issuer) and keep it")
	listen := fs.String("listen", "127.0.0.1:0", "serve: loopback address to listen on")
	logLevel := fs.String("log-level", "info", "log level: debug, info, warn, error")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if cmd == "install" {
		if fs.NArg() != 1 {
			return fmt.Errorf("install takes one package (a .zip or a directory); see loginshell -h")
		}
	} else if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q; see loginshell -h", fs.Arg(0))
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		return fmt.Errorf("--log-level %q: use debug, info, warn or error", *logLevel)
	}
	log := slog.New(redact.Handler(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level})))

	if cmd == "install" {
		m, err := shell.InstallPackage(*dataDir, fs.Arg(0), nil, log)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "installed %s %s into %s\n", m.Name, m.Version, *dataDir)
		return nil
	}

	sh, err := shell.Build(shell.Config{DataDir: *dataDir, BootFile: *bootFile, Demo: *demo, Offline: *offline, LoginURL: *loginURL, Log: log})
	if err != nil {
		return err
	}
	defer sh.Close()

	if cmd == "serve" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		return sh.Serve(ctx, *listen, frontend.Dist(), func(line string) { fmt.Fprintln(stdout, line) })
	}
	if note := sh.DemoNote(); note != "" {
		fmt.Fprintln(stdout, note)
	}
	return app.Run(sh, frontend.Dist())
}

// runCheck validates a package for QA: every problem on its own line (or
// JSON for CI), exit status 1 when there is an error.
func runCheck(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("loginshell check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print the report as JSON")
	offline := fs.Bool("offline", false, "check as an offline login package even without setup/manage pages")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(stderr, "usage: loginshell check [--json] [--offline] PACKAGE")
		return exitCode(2)
	}
	r := check.Check(fs.Arg(0), check.Options{Offline: *offline})
	if *asJSON {
		b, err := r.JSON()
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, string(b))
	} else {
		fmt.Fprint(stdout, r.Text())
	}
	if !r.OK() {
		return exitCode(1)
	}
	return nil
}

// defaultDataDir is loginshell under the OS's per-user config directory.
func defaultDataDir() string {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "loginshell-data"
	}
	return filepath.Join(dir, "loginshell")
}
