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
	"loginshell/internal/redact"
	"loginshell/internal/shell"
)

const usage = `loginshell hosts login web pages and web apps and runs their authentication service.

Usage:
  loginshell [flags]                  open the shell window
  loginshell serve --listen ADDR      serve the same shell over loopback HTTP (browsers, CI)
  loginshell version                  print the version

Flags (window and serve):
`

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "loginshell:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	cmd := "window"
	if len(args) > 0 && (args[0] == "serve" || args[0] == "version" || args[0] == "window") {
		cmd, args = args[0], args[1:]
	}
	if cmd == "version" {
		fmt.Fprintln(stdout, "loginshell", shell.Version)
		return nil
	}
	fs := flag.NewFlagSet("loginshell", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usage); fs.PrintDefaults() }
	dataDir := fs.String("data", defaultDataDir(), "data directory: settings, offline vaults, installed packages")
	bootFile := fs.String("boot", "", "boot document (packages beside it are used too); default <data>/boot.json, else the bundled samples")
	demo := fs.Bool("demo", false, "run a demo identity provider on loopback with demo users and sign in against it")
	offline := fs.Bool("offline", false, "never contact the login server: offline sign-in only")
	listen := fs.String("listen", "127.0.0.1:0", "serve: loopback address to listen on")
	logLevel := fs.String("log-level", "info", "log level: debug, info, warn, error")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q; see loginshell -h", fs.Arg(0))
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		return fmt.Errorf("--log-level %q: use debug, info, warn or error", *logLevel)
	}
	log := slog.New(redact.Handler(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level})))

	sh, err := shell.Build(shell.Config{DataDir: *dataDir, BootFile: *bootFile, Demo: *demo, Offline: *offline, Log: log})
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

// defaultDataDir is loginshell under the OS's per-user config directory.
func defaultDataDir() string {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "loginshell-data"
	}
	return filepath.Join(dir, "loginshell")
}
