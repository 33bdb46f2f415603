// Package shell is the composition root: it builds the engines from the
// command line's Config (data directory, boot document, demo, offline),
// and hands them to a transport: the Wails window (app/) or the serve
// mode's loopback HTTP server (Serve). main.go only parses flags and calls
// in here, so the assembly is tested like any other code.
package shell

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"loginshell/internal/auth"
	"loginshell/internal/boot"
	"loginshell/internal/connectivity"
	"loginshell/internal/demoidp"
	"loginshell/internal/gateway"
	"loginshell/internal/install"
	"loginshell/internal/keychain"
	"loginshell/internal/pmapi"
	"loginshell/internal/samples"
	"loginshell/internal/screen"
	"loginshell/internal/settings"
	"loginshell/internal/user"
	"loginshell/internal/webapps"
)

// Version is the shell's version, shown in the status bar and /pmapi/version.
const Version = "0.1.0"

// FreshOnlineLogin is how recent an online sign-in must be to set up or
// change the offline password without signing in again.
const FreshOnlineLogin = 15 * time.Minute

// DefaultClientID is the OpenID client id used when the client_id setting
// is empty; the demo provider registers it.
const DefaultClientID = "loginshell"

// Config is what the command line decides.
type Config struct {
	DataDir  string // required
	BootFile string // "" = <data>/boot.json, else the bundled samples
	Demo     bool   // run the demo identity provider and point login_url at it
	Offline  bool   // never try the login server
	LoginURL string // --login-url: stored as the login_url setting
	Log      *slog.Logger
	// KeychainParams overrides the argon2id parameters (tests only, with
	// InsecureWeakKDF).
	KeychainParams  keychain.Params
	InsecureWeakKDF bool
}

// Shell is the assembled engines.
type Shell struct {
	Screen   *screen.Screen
	Auth     *auth.Service
	Boot     *boot.Sequence
	Users    *user.Service
	Settings *settings.Store
	Keychain *keychain.Keychain
	Packages *boot.Packages
	Online   *boot.Online
	Reporter *connectivity.Reporter
	// Installs runs the installs started from the window or the browser,
	// one at a time, over Install.
	Installs *install.Service
	Log      *slog.Logger

	cfg      Config
	dataDir  string
	demo     *demoidp.Server
	demoNote string
}

// Build assembles the engines. Close releases what Build started.
func Build(cfg Config) (*Shell, error) {
	if cfg.DataDir == "" {
		return nil, errors.New("a data directory is required (--data DIR)")
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	log := cfg.Log
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("create the data directory %s: %w", cfg.DataDir, err)
	}
	st, err := settings.Open(filepath.Join(cfg.DataDir, "settings.json"))
	if err != nil {
		return nil, err
	}
	kc, err := keychain.Open(keychain.Options{
		Dir: filepath.Join(cfg.DataDir, "keychain"), Now: time.Now, Log: log.With("component", "keychain"),
		Params: cfg.KeychainParams, InsecureAllowWeakParams: cfg.InsecureWeakKDF,
	})
	if err != nil {
		return nil, fmt.Errorf("open the keychain: %w", err)
	}
	last, err := auth.OpenLastUser(filepath.Join(cfg.DataDir, "state.json"))
	if err != nil {
		return nil, err
	}
	if cfg.LoginURL != "" {
		if err := st.Set(settings.LoginURL, cfg.LoginURL); err != nil {
			return nil, err
		}
	}
	pkgs, err := loadPackages(cfg, log)
	if err != nil {
		return nil, err
	}
	s := &Shell{Users: user.NewService(), Settings: st, Keychain: kc, Packages: pkgs, Log: log, cfg: cfg, dataDir: cfg.DataDir}
	if cfg.Demo {
		if err := s.startDemo(); err != nil {
			return nil, err
		}
	}
	httpClient := &http.Client{Timeout: 30 * time.Second}
	s.Online = &boot.Online{
		Settings: st, HTTPClient: httpClient, Now: time.Now, Log: log.With("component", "online"),
		DefaultClientID: DefaultClientID,
	}
	s.Reporter = &connectivity.Reporter{Reachable: s.Online.Reachable, ForceOffline: cfg.Offline, Users: s.Users}
	s.Screen = screen.New(Version, s.status)
	s.Auth, err = auth.New(auth.Options{
		Vault: kc, Online: s.Online, Pages: pkgs, Presenter: s.Screen, Users: s.Users, LastUser: last,
		Now: time.Now, ForceOffline: cfg.Offline, Log: log.With("component", "auth"),
		AllowFallback: func() bool { return st.Bool(settings.AllowOfflineFallback) },
		FreshFor:      FreshOnlineLogin,
	})
	if err != nil {
		return nil, err
	}
	s.Boot, err = boot.New(s.Auth, s.Screen, pkgs, kc, s.Users, log.With("component", "boot"))
	if err != nil {
		return nil, err
	}
	s.Installs, err = install.New(install.Options{Installer: s, Dir: cfg.DataDir, Log: log.With("component", "install")})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// status feeds the status bar. The online flag is the cached connectivity
// check; it never blocks the screen for long.
func (s *Shell) status() screen.Status {
	var st screen.Status
	if p, _, ok := s.Users.Current(); ok {
		st.User = &screen.UserRef{Username: p.Username, Name: p.Name}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	st.Online = s.Reporter.Online(ctx)
	return st
}

// Handler returns the shell's HTTP surface for the window; assets may be
// nil when Wails serves the chrome's files. It has no POST /shell/install
// and no POST /shell/configure: the window installs and sets the login
// server through its bindings (app.Shell.PickPackage, dropped files,
// app.Shell.Configure), so pages shown in it get neither endpoint.
func (s *Shell) Handler(assets fs.FS) (http.Handler, error) { return s.handler(assets, false) }

// handler is Handler; with browser set (serve mode, where the chrome has no
// bindings) it adds the upload and configure endpoints.
func (s *Shell) handler(assets fs.FS, browser bool) (http.Handler, error) {
	var inst *install.Service
	var configure func(string) error
	if browser {
		inst, configure = s.Installs, s.Configure
	}
	api, err := pmapi.New(pmapi.Options{
		Auth: s.Auth, Users: s.Users, Settings: s.Settings, Connectivity: s.Reporter.States,
		Boot: s.Boot, Windows: s.Boot, Version: Version, Log: s.Log.With("component", "pmapi"),
	})
	if err != nil {
		return nil, err
	}
	return gateway.New(gateway.Options{
		Assets: assets, PMAPI: api, Webapps: s.Packages.Handler(), Screen: s.Screen,
		Retry:     func() { s.Boot.Start(context.Background()) },
		Cancel:    s.Auth.Cancel,
		Install:   inst,
		Configure: configure,
		Log:       s.Log,
	})
}

// Close stops the demo provider, if any, after cancelling a running flow.
func (s *Shell) Close() error {
	_ = s.Auth.Cancel()
	s.Boot.Stop()
	if s.demo != nil {
		return s.demo.Close()
	}
	return nil
}

// loadPackages reads the boot document and builds the catalog: packages
// beside --boot first, then the installed ones, then the bundled samples.
func loadPackages(cfg Config, log *slog.Logger) (*boot.Packages, error) {
	var roots []fs.FS
	doc := samples.BootDocument()
	src := "the bundled samples"
	bootFile := cfg.BootFile
	if bootFile != "" {
		// Packages beside an explicit boot document are part of it (a QA
		// folder: boot.json and its package directories).
		roots = append(roots, os.DirFS(filepath.Dir(bootFile)))
	} else if p := filepath.Join(cfg.DataDir, "boot.json"); fileExists(p) {
		// The data directory's own boot document: its packages are the
		// installed ones, read below; the directory itself holds none.
		bootFile = p
	}
	if bootFile != "" {
		b, err := os.ReadFile(bootFile)
		if err != nil {
			return nil, fmt.Errorf("read the boot document: %w", err)
		}
		doc, src = b, bootFile
	}
	installed := filepath.Join(cfg.DataDir, "webapps")
	if err := os.MkdirAll(installed, 0o700); err != nil {
		return nil, fmt.Errorf("create %s: %w", installed, err)
	}
	// Finish or roll back an install a crash interrupted, so the catalog
	// below sees one complete version of every package.
	if err := webapps.RecoverInstalls(installed); err != nil {
		return nil, fmt.Errorf("recover interrupted installs: %w", err)
	}
	roots = append(roots, os.DirFS(installed), samples.FS())
	bd, err := webapps.ParseBoot(doc)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", src, err)
	}
	cat, err := webapps.NewCatalog(roots...)
	if err != nil {
		// Broken packages are reported, the good ones still serve.
		log.Warn("some web app packages could not be loaded", "err", err)
	}
	if cat == nil {
		return nil, fmt.Errorf("build the package catalog: %w", err)
	}
	log.Info("boot document", "source", src, "starter", bd.Starter, "offline", bd.OfflineName)
	return &boot.Packages{Doc: bd, Catalog: cat}, nil
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}
