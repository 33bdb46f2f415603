// Command loginshell is a desktop shell that hosts login web pages and
// operators' web apps, runs the authentication service behind them and
// raises electronic-signature challenges. main only wires: flags, logger,
// every engine built once (assemble), then one of two peer transports over
// them: the Wails window (app) or the browser mode (internal/serve). It is
// the only place that exits.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"loginshell/app"
	"loginshell/frontend"
	"loginshell/internal/auth"
	"loginshell/internal/boot"
	"loginshell/internal/check"
	"loginshell/internal/connectivity"
	"loginshell/internal/demoidp"
	"loginshell/internal/gateway"
	"loginshell/internal/install"
	"loginshell/internal/keychain"
	"loginshell/internal/online"
	"loginshell/internal/redact"
	"loginshell/internal/samples"
	"loginshell/internal/screen"
	"loginshell/internal/serve"
	"loginshell/internal/settings"
	"loginshell/internal/shell"
	"loginshell/internal/signature"
	"loginshell/internal/signaturecmd"
	"loginshell/internal/store/choose"
	"loginshell/internal/user"
	"loginshell/internal/webapps"
)

// synopsis is each subcommand's usage line; -h prints it with the flags.
var synopsis = map[string]string{
	"window":    "loginshell [--data DIR] [--boot FILE] [--package DIR]... [--inspect] [--login-url URL] [--redirect-port PORT] [--store DSN] [--demo] [--offline]\n      opens the shell window",
	"serve":     "loginshell serve [--listen 127.0.0.1:0] [--data DIR] [--boot FILE] [--package DIR]... [--login-url URL] [--redirect-port PORT] [--store DSN] [--demo] [--offline]\n      serves the same shell over loopback HTTP for a browser or CI",
	"check":     "loginshell check [--json] [--offline] PACKAGE\n      checks a package (zip, directory, or webapp.json); exit status 1 if it has errors\n  loginshell check [--json] [--data DIR] app.json [PACKAGE]...\n      checks an app definition (boot document) against the installed packages and those given",
	"install":   "loginshell install [--data DIR] [--replace] PACKAGE\n      installs a package (zip, directory, or webapp.json) into the data directory",
	"version":   "loginshell version\n      prints the version",
	"audit":     "loginshell audit verify|show [--json] [--data DIR] [--store DSN]\n      checks the signatures' audit trail (exit 1 if it was changed), or prints it",
	"signature": signaturecmd.Synopsis,
}

func main() {
	err := run(os.Args[1:], os.Stdout, os.Stderr)
	var exit exitCode
	switch {
	case err == nil:
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

// usageError is a command line that cannot be run: one line on stderr,
// exit status 2, as Go's own tools do.
func usageError(stderr io.Writer, cmd, format string, args ...any) error {
	fmt.Fprintf(stderr, "loginshell %s: %s\nRun 'loginshell %s -h' for usage.\n", cmd, fmt.Sprintf(format, args...), cmd)
	return exitCode(2)
}

// printUsage prints cmd's synopsis and flags on stdout (help asked for is
// not an error); `loginshell -h` lists every subcommand first.
func printUsage(stdout io.Writer, cmd string, named bool, fs *flag.FlagSet) {
	fmt.Fprintln(stdout, "loginshell hosts login web pages and web apps and runs their authentication service.")
	fmt.Fprintln(stdout, "\nUsage:")
	if cmd == "window" && !named {
		for _, c := range []string{"window", "serve", "check", "install", "version"} {
			fmt.Fprintf(stdout, "  %s\n", synopsis[c])
		}
		fmt.Fprintln(stdout, "\nRun 'loginshell SUBCOMMAND -h' for a subcommand's flags. Flags of the window:")
	} else {
		fmt.Fprintf(stdout, "  %s\n\nFlags:\n", synopsis[cmd])
	}
	fs.SetOutput(stdout)
	fs.PrintDefaults()
}

// options are the command line of window, serve and install.
type options struct {
	dataDir, bootFile, loginURL, redirectPort, store, listen, logLevel string
	demo, offline, replace, inspect                                    bool
	packages                                                           []string // --package: run from source
}

func run(args []string, stdout, stderr io.Writer) error {
	cmd := "window"
	if len(args) > 0 {
		if _, ok := synopsis[args[0]]; ok {
			cmd, args = args[0], args[1:]
		}
	}
	if cmd == "signature" {
		return runSignature(args, stdout, stderr)
	}
	verb := ""
	if cmd == "audit" && len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		verb, args = args[0], args[1:] // audit verify --data DIR: the verb first, then its flags
	}
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are reported once, by usageError
	fs.Usage = func() {}
	var o options
	var asJSON, checkOffline bool
	switch cmd {
	case "check":
		fs.BoolVar(&asJSON, "json", false, "print the report as JSON")
		fs.BoolVar(&checkOffline, "offline", false, "check as an offline login package even without setup/manage pages")
		fs.StringVar(&o.dataDir, "data", defaultDataDir(), "app definitions: data directory whose installed packages count")
	case "audit":
		fs.StringVar(&o.dataDir, "data", defaultDataDir(), "data directory holding signatures.db")
		fs.BoolVar(&asJSON, "json", false, "show: one JSON object per entry")
		fs.StringVar(&o.store, "store", "", "the plant's PostgreSQL signature store (postgres://USER@HOST/DATABASE); default: the data directory's signature_store setting, else its signatures.db")
	case "window", "serve", "install":
		fs.StringVar(&o.dataDir, "data", defaultDataDir(), "data directory: settings, offline vaults, installed packages")
		fs.StringVar(&o.logLevel, "log-level", "", "log level: debug, info, warn, error (default: warn when the log goes to a terminal, info otherwise)")
		if cmd != "install" {
			fs.StringVar(&o.bootFile, "boot", "", "boot document (packages beside it are used too); default <data>/boot.json, else the bundled samples")
			fs.BoolVar(&o.demo, "demo", false, "run a demo identity provider on loopback with demo users and sign in against it")
			fs.BoolVar(&o.offline, "offline", false, "never contact the login server: offline sign-in only")
			fs.StringVar(&o.loginURL, "login-url", "", "set the login_url setting (the organisation's OpenID issuer) and keep it")
			fs.StringVar(&o.redirectPort, "redirect-port", "", "set the redirect_port setting and keep it: the fixed loopback port of the sign-in redirect, for identity providers that match redirect URIs exactly (0: a random port)")
			fs.StringVar(&o.store, "store", "", "set the signature_store setting and keep it: the PostgreSQL database the plant's stations share (postgres://USER@HOST/DATABASE?sslmode=verify-full; the password goes in ~/.pgpass or PGPASSWORD); \"embedded\" goes back to signatures.db in the data directory")
			fs.Func("package", "serve this package folder (or its webapp.json) as it is, without installing it, and reload the page when its files change; repeatable", func(v string) error {
				o.packages = append(o.packages, v)
				return nil
			})
		}
		if cmd == "window" {
			fs.BoolVar(&o.inspect, "inspect", false, "QA: enable the web inspector (right click > Inspect Element) on the window's pages")
		}
		if cmd == "install" {
			fs.BoolVar(&o.replace, "replace", false, "replace an installed package of the same name, or the offline sign-in package")
		}
		if cmd == "serve" {
			fs.StringVar(&o.listen, "listen", "127.0.0.1:0", "loopback address to listen on")
		}
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printUsage(stdout, cmd, len(args) > 0 && args[0] == cmd, fs)
			return nil
		}
		return usageError(stderr, cmd, "%v", err)
	}
	switch cmd {
	case "version":
		if fs.NArg() > 0 {
			return usageError(stderr, cmd, "unexpected argument %q", fs.Arg(0))
		}
		fmt.Fprintln(stdout, "loginshell", shell.Version)
		return nil
	case "check":
		if fs.NArg() < 1 {
			return usageError(stderr, cmd, "name one package (a .zip, a directory or a webapp.json), or an app.json and its packages")
		}
		if check.IsBootDocument(fs.Arg(0)) {
			return runCheckBoot(fs.Arg(0), fs.Args()[1:], o.dataDir, asJSON, stdout, stderr)
		}
		if fs.NArg() != 1 {
			return usageError(stderr, cmd, "name one package (a .zip, a directory or a webapp.json)")
		}
		return runCheck(fs.Arg(0), asJSON, checkOffline, stdout, stderr)
	case "install":
		if fs.NArg() != 1 {
			return usageError(stderr, cmd, "name one package (a .zip or a directory)")
		}
	case "audit":
		if verb == "" && fs.NArg() > 0 {
			verb = fs.Arg(0)
		}
		if (verb != "verify" && verb != "show") || fs.NArg() > 1 || (fs.NArg() == 1 && fs.Arg(0) != verb) {
			return usageError(stderr, cmd, "say verify or show")
		}
		return runAudit(verb, o.dataDir, o.store, asJSON, stdout, stderr)
	default:
		if fs.NArg() > 0 {
			return usageError(stderr, cmd, "unexpected argument %q", fs.Arg(0))
		}
	}
	// A person at a terminal sees warnings and errors only (--log-level
	// for more); a log going to a file, a journal or CI keeps every step.
	if o.logLevel == "" {
		o.logLevel = "info"
		if isTerminal(stderr) {
			o.logLevel = "warn"
		}
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(o.logLevel)); err != nil {
		return usageError(stderr, cmd, "--log-level %q: use debug, info, warn or error", o.logLevel)
	}
	log := slog.New(redact.Handler(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level})))

	switch cmd {
	case "install":
		return runInstall(o, fs.Arg(0), stdout, log)
	case "serve":
		// The listener first: a refused address is refused before anything
		// is created, and the sign-in's way back is its URL.
		ln, err := serve.Listen(o.listen)
		if err != nil {
			return err
		}
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		sh, note, closeAll, err := assemble(o, log, ln.PagesOrigin(), func(scr *screen.Screen, _ *settings.Store) (online.ProviderOptions, error) {
			// The provider's page opens in the same tab, and the loopback
			// callback sends the tab back to the shell, whose screen has
			// left the provider's page by then.
			return online.ProviderOptions{Open: embedded(scr), ReturnURL: ln.KeyedURL(),
				Returned: func() { scr.LeaveNavigate("Signing in…") }}, nil
		})
		if err != nil {
			ln.Close()
			return err
		}
		defer closeAll()
		return serve.Run(ctx, ln, sh, frontend.Dist(), func(line string) {
			fmt.Fprintln(stdout, line) // the banner: the first line on stdout
			if note != "" {
				fmt.Fprintln(stdout, note)
			}
		})
	}
	if err := app.CheckDisplay(); err != nil {
		return err
	}
	pages, err := gateway.ListenPages()
	if err != nil {
		return fmt.Errorf("listen for the hosted pages: %w", err)
	}
	defer pages.Close()
	var win *app.Window
	sh, note, closeAll, err := assemble(o, log, pages.Origin(), func(scr *screen.Screen, st *settings.Store) (online.ProviderOptions, error) {
		var err error
		win, err = app.NewWindow(scr, log.With("component", "app"))
		if err != nil {
			return online.ProviderOptions{}, err
		}
		return windowSignIn(win, st), nil
	})
	if err != nil {
		return err
	}
	defer closeAll()
	if note != "" {
		fmt.Fprintln(stdout, note)
	}
	return app.Run(sh, win, pages, frontend.Dist(), app.RunOptions{Inspect: o.inspect})
}

// embedded shows the provider's page where the shell is (the window, or
// the browser tab of the serve mode).
func embedded(scr *screen.Screen) func(context.Context, string) error {
	return func(_ context.Context, url string) error { scr.Navigate(url); return nil }
}

// windowSignIn is where the window shows the provider's page: in the
// window itself, then reloaded back to the shell, or in the system browser
// (login_browser "system"), with nothing to reload. The setting is read
// once, at start, like the rest of the window's wiring.
func windowSignIn(win *app.Window, st *settings.Store) online.ProviderOptions {
	if st.String(settings.LoginBrowser) == "system" {
		return online.ProviderOptions{Open: win.OpenSystem}
	}
	return online.ProviderOptions{Open: win.OpenEmbedded, Returned: win.ReturnFromLogin}
}

// assemble builds every engine once, in dependency order, each complete
// at construction: the origin the transport serves hosted pages on goes
// into the screen, and the transport's sign-in collaborators (signIn,
// given the screen) into the online provider's constructor. It returns the
// shell, the demo note ("" without --demo) and a func that releases what
// it started.
func assemble(o options, log *slog.Logger, pagesOrigin string, signIn func(*screen.Screen, *settings.Store) (online.ProviderOptions, error)) (sh *shell.Shell, note string, closeAll func(), err error) {
	var closers []func()
	release := func() {
		for i := len(closers) - 1; i >= 0; i-- {
			closers[i]()
		}
	}
	// Not closeAll itself: a failing return sets that result to nil.
	defer func() {
		if err != nil {
			release()
		}
	}()
	if err := os.MkdirAll(o.dataDir, 0o700); err != nil {
		return nil, "", nil, fmt.Errorf("create the data directory %s: %w", o.dataDir, err)
	}
	st, err := settings.Open(filepath.Join(o.dataDir, "settings.json"))
	if err != nil {
		return nil, "", nil, err
	}
	if o.loginURL != "" {
		if err := st.Set(settings.LoginURL, o.loginURL); err != nil {
			return nil, "", nil, err
		}
	}
	if o.redirectPort != "" {
		if err := st.Set(settings.RedirectPort, o.redirectPort); err != nil {
			return nil, "", nil, err
		}
	}
	if o.demo {
		idp, demoNote, err := startDemo(st, log)
		if err != nil {
			return nil, "", nil, err
		}
		closers = append(closers, func() { _ = idp.Close() })
		note = demoNote
	}
	kc, err := keychain.Open(keychain.Options{Dir: filepath.Join(o.dataDir, "keychain"), Now: time.Now, Log: log.With("component", "keychain")})
	if err != nil {
		return nil, "", nil, fmt.Errorf("open the keychain: %w", err)
	}
	last, err := auth.OpenLastUser(filepath.Join(o.dataDir, "state.json"))
	if err != nil {
		return nil, "", nil, err
	}
	lib, err := webapps.OpenLibrary(webapps.LibraryOptions{DataDir: o.dataDir, BootFile: o.bootFile,
		Bundled: samples.FS(), BundledBoot: samples.BootDocument(), Packages: o.packages, Log: log.With("component", "webapps")})
	if err != nil {
		return nil, "", nil, err
	}
	users := user.NewService()
	scr := screen.New(shell.Version, pagesOrigin, func() *screen.UserRef {
		if p, m, ok := users.Current(); ok {
			return &screen.UserRef{Username: p.Username, Name: p.Name, Offline: m == user.Offline}
		}
		return nil
	})
	po, err := signIn(scr, st)
	if err != nil {
		return nil, "", nil, err
	}
	// Run from source: an edit in a --package folder shows at once.
	watchCtx, stopWatch := context.WithCancel(context.Background())
	go lib.Watch(watchCtx, reloadPoll, scr.Reload)
	closers = append(closers, stopWatch)
	httpClient := &http.Client{Timeout: 30 * time.Second}
	po.Settings, po.HTTPClient, po.Now, po.Log, po.DefaultClientID = st, httpClient, time.Now, log.With("component", "online"), shell.DefaultClientID
	provider, err := online.NewProvider(po)
	if err != nil {
		return nil, "", nil, err
	}
	mon, err := connectivity.NewMonitor(connectivity.MonitorOptions{Probe: provider.Reachable, Target: provider.Issuer, Now: time.Now,
		ForceOffline: o.offline, OnChange: scr.SetOnline})
	if err != nil {
		return nil, "", nil, err
	}
	monCtx, stopMon := context.WithCancel(context.Background())
	mon.Start(monCtx)
	closers = append(closers, func() { stopMon(); mon.Close() })
	a, err := auth.New(auth.Options{
		Vault: kc, Online: provider, Network: mon, Pages: lib, Presenter: scr, Users: users, LastUser: last,
		Now: time.Now, ForceOffline: o.offline, Log: log.With("component", "auth"),
		AllowFallback: func() bool { return st.Bool(settings.AllowOfflineFallback) },
		FreshFor:      shell.FreshOnlineLogin,
	})
	if err != nil {
		return nil, "", nil, err
	}
	seq, err := boot.New(boot.Options{Auth: a, Screen: scr, Apps: lib, Vault: kc, Users: users, Settings: st,
		Log: log.With("component", "boot")})
	if err != nil {
		return nil, "", nil, err
	}
	closers = append(closers, func() { _ = a.Cancel(); seq.Stop() })
	installs, err := install.New(install.Options{Installer: lib, Dir: o.dataDir, Log: log.With("component", "install")})
	if err != nil {
		return nil, "", nil, err
	}
	dsn, err := choose.DSN(st, o.store, true)
	if err != nil {
		return nil, "", nil, err
	}
	db, where, err := choose.Open(o.dataDir, dsn)
	if err != nil {
		return nil, "", nil, err
	}
	log.Info("signature store", "where", where)
	closers = append(closers, func() { _ = db.Close() })
	identities := map[string]signature.Identity{signature.IDPLocal: signature.KeychainIdentity{Vault: kc}}
	if o.demo {
		identities[demoIDP] = demoidp.Identity{Users: demoidp.DemoUsers()}
	}
	// idp "openid": the organisation's provider of the settings, whose own
	// sign-in page the signature dialog shows.
	interactive := map[string]signature.Interactive{signature.IDPOpenID: provider}
	sigs, err := signature.New(signature.Options{Store: db, Identities: identities, Interactive: interactive, Poster: scr, Now: time.Now,
		Station: station(), Log: log.With("component", "signature")})
	if err != nil {
		return nil, "", nil, err
	}
	go sigs.Watch(watchCtx) // outcomes signed at other stations (PostgreSQL store)
	if err := loadTemplates(sigs, filepath.Join(o.dataDir, "templates.json"), o.demo); err != nil {
		return nil, "", nil, err
	}
	return &shell.Shell{Auth: a, Boot: seq, Screen: scr, Users: users, Settings: st, Library: lib,
		Installs: installs, Connectivity: mon, Signatures: sigs, Log: log}, note, release, nil
}

// reloadPoll is how often the --package folders are looked at: an edit
// shows in well under a second.
const reloadPoll = 200 * time.Millisecond

// demoIDP is the template idp of the demo's signatures: the demo users and
// their listed passwords.
const demoIDP = "demo"

// demoTemplate is the template --demo ships: the line app's release needs
// an operator and then a supervisor, two different people.
var demoTemplate = signature.Template{Name: "Line Release Approval", Description: "Release a production line after a batch.",
	Expression: "{role:Operator} AND {role:Supervisor}", IDP: demoIDP, Framing: signature.FramingEmbedded, Timeout: 2,
	ForceUniqueUser: true, Meaning: "Approval: I approve the release of this line."}

// loadTemplates stores the templates of DIR/templates.json (a bad file is
// refused with the entry and field at fault), and with --demo the demo's,
// each only when it differs from the stored one, so a start writes nothing
// to the audit trail for what did not change.
func loadTemplates(sigs *signature.Engine, path string, demo bool) error {
	var ts []signature.Template
	data, err := os.ReadFile(path)
	switch {
	case err == nil:
		if ts, err = signature.ParseTemplates(data); err != nil {
			return err
		}
	case !errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("read %s: %w", path, err)
	}
	if demo {
		ts = append(ts, demoTemplate)
	}
	ctx := context.Background()
	for _, t := range ts {
		if have, err := sigs.Template(ctx, t.Name); err == nil && have == t {
			continue
		}
		if err := sigs.PutTemplate(ctx, t); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	}
	return nil
}

// station names this computer in signatures and the audit trail.
func station() string {
	if h, err := os.Hostname(); err == nil && h != "" {
		return h
	}
	return "this computer"
}

// runAudit checks the audit trail of the data directory (verify: exit 1
// naming the first altered, missing or reordered entry) or prints it.
func runAudit(what, dataDir, storeFlag string, asJSON bool, stdout, stderr io.Writer) error {
	st, err := settings.Open(filepath.Join(dataDir, "settings.json"))
	if err != nil {
		return err
	}
	dsn, err := choose.DSN(st, storeFlag, false)
	if err != nil {
		return err
	}
	path := filepath.Join(dataDir, choose.File)
	if _, err := os.Stat(path); err != nil && dsn == "" {
		fmt.Fprintf(stderr, "loginshell audit: %s does not exist: no signature has been recorded in %s\n", path, dataDir)
		return exitCode(1)
	}
	db, path, err := choose.Open(dataDir, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	err = signaturecmd.Audit(context.Background(), db, path, what, asJSON, stdout, stderr)
	var exit signaturecmd.Exit
	if errors.As(err, &exit) {
		return exitCode(exit.Code)
	}
	return err
}

// startDemo runs the demo identity provider on loopback and points the
// settings at it; the note tells a person where it runs and which users it
// knows (demo passwords are meant to be read).
func startDemo(st *settings.Store, log *slog.Logger) (*demoidp.Server, string, error) {
	idp, err := demoidp.Start(demoidp.Options{Addr: "127.0.0.1:0", ClientID: shell.DefaultClientID, Log: log.With("component", "demoidp")})
	if err != nil {
		return nil, "", fmt.Errorf("start the demo identity provider: %w", err)
	}
	if err := st.Merge(map[string]any{settings.LoginURL: idp.Issuer(), settings.ClientID: idp.ClientID(), settings.Prompt: "login"}); err != nil {
		idp.Close()
		return nil, "", err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "loginshell: demo identity provider at %s; demo users:", idp.Issuer())
	for _, u := range demoidp.DemoUsers() {
		fmt.Fprintf(&b, " %s/%s (%s)", u.Username, u.Password, strings.Join(u.Roles, ", "))
	}
	return idp, b.String(), nil
}

// runInstall installs one package into the data directory, through the
// same Library the shell serves from.
func runInstall(o options, pkg string, stdout io.Writer, log *slog.Logger) error {
	lib, err := webapps.OpenLibrary(webapps.LibraryOptions{DataDir: o.dataDir, Bundled: samples.FS(),
		BundledBoot: samples.BootDocument(), Log: log.With("component", "webapps")})
	if err != nil {
		return err
	}
	m, err := lib.Install(pkg, nil, o.replace)
	var rerr *webapps.ReplaceError
	if errors.As(err, &rerr) {
		return fmt.Errorf("%s is not installed: %w; run again with --replace to replace it", pkg, err)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "installed %s %s into %s\n", m.Name, m.Version, o.dataDir)
	return nil
}

// runCheck validates a package for QA: every problem on its own line (or
// JSON for CI), exit status 1 when there is an error.
func runCheck(pkg string, asJSON, offline bool, stdout, stderr io.Writer) error {
	if _, err := os.Stat(pkg); errors.Is(err, os.ErrNotExist) {
		// Nothing to check: say so, rather than report a package without
		// a webapp.json.
		fmt.Fprintf(stderr, "loginshell check: %s does not exist\n", pkg)
		return exitCode(1)
	}
	return printReport(check.Check(pkg, check.Options{Offline: offline}), asJSON, stdout)
}

// printReport prints a check's report (JSON for CI); exit status 1 when it
// has an error.
func printReport(r check.Report, asJSON bool, stdout io.Writer) error {
	if asJSON {
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

// runCheckBoot checks an app definition: its packages are those given,
// then those beside it, installed in dataDir and bundled.
func runCheckBoot(doc string, pkgs []string, dataDir string, asJSON bool, stdout, stderr io.Writer) error {
	if _, err := os.Stat(doc); errors.Is(err, os.ErrNotExist) {
		fmt.Fprintf(stderr, "loginshell check: %s does not exist\n", doc)
		return exitCode(1)
	}
	r := check.CheckBoot(doc, check.BootOptions{Packages: pkgs,
		Roots: []fs.FS{os.DirFS(filepath.Dir(doc)), os.DirFS(filepath.Join(dataDir, "webapps")), samples.FS()}})
	return printReport(r, asJSON, stdout)
}

// defaultDataDir is loginshell under the OS's per-user config directory.
func defaultDataDir() string {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "loginshell-data"
	}
	return filepath.Join(dir, "loginshell")
}

// runSignature is `loginshell signature` (internal/signaturecmd) over the
// store --data and --store name, as `audit` chooses it; its exit statuses
// are the process's.
func runSignature(args []string, stdout, stderr io.Writer) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := signaturecmd.Run(ctx, args, stdout, stderr, signaturecmd.Options{
		Open: func(_ context.Context, dataDir, storeFlag string) (signaturecmd.Store, string, error) {
			return choose.ForCommand(dataDir, storeFlag)
		},
		DataDir: defaultDataDir(), Station: station(), Now: time.Now,
	})
	var exit signaturecmd.Exit
	if errors.As(err, &exit) {
		return exitCode(exit.Code)
	}
	return err
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
