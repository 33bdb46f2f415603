package shell

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	osuser "os/user"
	"path/filepath"
	"time"

	"loginshell/internal/alert"
	"loginshell/internal/audit"
	"loginshell/internal/auth"
	"loginshell/internal/boot"
	"loginshell/internal/configure"
	"loginshell/internal/connectivity"
	"loginshell/internal/install"
	"loginshell/internal/keychain"
	"loginshell/internal/online"
	"loginshell/internal/phrase"
	"loginshell/internal/screen"
	"loginshell/internal/settings"
	"loginshell/internal/signature"
	"loginshell/internal/station"
	"loginshell/internal/user"
)

// Config says everything that differs between one shell and another: the
// command line of the window and serve, and what the transport brings.
// Zero values are the product's defaults; the fields marked for tests
// exist so tests build the production wiring, not a copy of it.
type Config struct {
	// DataDir holds settings, vaults, packages and signatures.db (required).
	DataDir string
	// BootFile is the boot document (--boot); "" means DataDir/boot.json,
	// else the bundled samples.
	BootFile string
	// Packages are --package folders served live.
	Packages []string
	// LoginURL, RedirectPort and Store, when set, are stored in the
	// settings before anything reads them (--login-url, --redirect-port,
	// --store).
	LoginURL, RedirectPort, Store string
	// Demo runs the demo identity provider and adds its users and template.
	Demo bool
	// Offline never contacts the login server.
	Offline bool
	// PagesOrigin is the origin the transport serves hosted pages on.
	PagesOrigin string
	// SignIn gives the online provider the transport's sign-in
	// collaborators (Open, Returned, ReturnURL) once the screen and the
	// settings exist (required).
	SignIn func(*screen.Screen, *settings.Store) (online.ProviderOptions, error)
	// Log receives every engine's log, tagged with its component
	// (default: discarded).
	Log *slog.Logger
	// Station names this computer in signatures and the audit trail
	// (default: the host name), and is the name its audit key
	// (internal/station, DataDir/station-key) is registered under.
	Station string

	// KeychainParams, for tests only with InsecureAllowWeakParams: cheap
	// key derivation. Production MUST NOT set either.
	KeychainParams          keychain.Params
	InsecureAllowWeakParams bool
	// Installer, for tests only: replaces the package library as what
	// the install service runs.
	Installer install.Installer
}

// reloadPoll is how often the --package folders are looked at: an edit
// shows in well under a second.
const reloadPoll = 200 * time.Millisecond

// Build builds every engine once, in dependency order, each complete at
// construction, and starts what runs in the background (the connectivity
// monitor, the package watch, the signature watch). The caller MUST call
// Close on the shell it returns; on an error, whatever was started is
// already released.
func Build(c Config) (sh *Shell, err error) {
	if c.DataDir == "" || c.SignIn == nil {
		return nil, errors.New("shell: DataDir and SignIn are required")
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	if c.Station == "" {
		c.Station = Station()
	}
	sh = &Shell{Log: c.Log, DataDir: c.DataDir}
	defer func() {
		if err != nil {
			sh.Close()
			sh = nil
		}
	}()
	log := c.Log
	if err := os.MkdirAll(c.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("create the data directory %s: %w", c.DataDir, err)
	}
	st, err := settings.Open(filepath.Join(c.DataDir, "settings.json"))
	if err != nil {
		return nil, err
	}
	sh.Settings = st
	if c.LoginURL != "" {
		if err := st.MergeVia(map[string]any{settings.LoginURL: c.LoginURL}, settings.ViaCommandLine); err != nil {
			return nil, err
		}
	}
	if c.RedirectPort != "" {
		if err := st.Set(settings.RedirectPort, c.RedirectPort); err != nil {
			return nil, err
		}
	}
	if c.Demo {
		idp, note, err := startDemo(st, log)
		if err != nil {
			return nil, err
		}
		sh.onClose(func() { _ = idp.Close() })
		sh.DemoNote = note
	}
	kc, err := keychain.Open(keychain.Options{Dir: filepath.Join(c.DataDir, "keychain"), Now: time.Now,
		Log: log.With("component", "keychain"), Params: c.KeychainParams, InsecureAllowWeakParams: c.InsecureAllowWeakParams})
	if err != nil {
		return nil, fmt.Errorf("open the keychain: %w", err)
	}
	sh.Keychain = kc
	last, err := auth.OpenLastUser(filepath.Join(c.DataDir, "state.json"))
	if err != nil {
		return nil, err
	}
	lib, err := openLibrary(c.DataDir, c.BootFile, c.Packages, log)
	if err != nil {
		return nil, err
	}
	sh.Library = lib
	users := user.NewService()
	sh.Users = users
	// The signing phrase in a file of its own, never in settings.json,
	// which pages read.
	ph, err := phrase.Open(filepath.Join(c.DataDir, phrase.FileName))
	if err != nil {
		return nil, err
	}
	sh.Phrase = ph
	// Who may install from the window and the browser: a signed-in person,
	// with the installer_role setting's role when it names one. The
	// install service asks it at every install; the screen tells the
	// chrome, which offers the install actions only to such a person.
	permit := install.Permit(func() (string, []string, bool) {
		p, _, ok := users.Current()
		return p.Username, p.Roles, ok
	}, func() string { return st.String(settings.InstallerRole) })
	scr := screen.New(Version, c.PagesOrigin, func() *screen.UserRef {
		if p, m, ok := users.Current(); ok {
			return &screen.UserRef{Username: p.Username, Name: p.Name, Offline: m == user.Offline, MayInstall: permit() == nil}
		}
		return nil
	}, ph.Phrase)
	if c.Offline {
		scr.ChooseOffline()
	}
	sh.Screen = scr
	po, err := c.SignIn(scr, st)
	if err != nil {
		return nil, err
	}
	// Run from source: an edit in a --package folder shows at once, and a
	// folder that does not load says why in the window.
	scr.SetLive(liveFolders(lib))
	watchCtx, stopWatch := context.WithCancel(context.Background())
	sh.onClose(stopWatch)
	go lib.Watch(watchCtx, reloadPoll, func() {
		scr.SetLive(liveFolders(lib))
		scr.Reload()
	})
	po.Settings, po.HTTPClient, po.Now, po.Log, po.DefaultClientID = st, &http.Client{Timeout: 30 * time.Second}, time.Now,
		log.With("component", "online"), DefaultClientID
	provider, err := online.NewProvider(po)
	if err != nil {
		return nil, err
	}
	mon, err := connectivity.NewMonitor(connectivity.MonitorOptions{Probe: provider.Reachable, Target: provider.Issuer, Now: time.Now,
		ForceOffline: c.Offline, OnChange: scr.SetOnline})
	if err != nil {
		return nil, err
	}
	sh.Connectivity = mon
	monCtx, stopMon := context.WithCancel(context.Background())
	mon.Start(monCtx)
	sh.onClose(func() { stopMon(); mon.Close() })
	a, err := auth.New(auth.Options{
		Vault: kc, Online: provider, Network: mon, Pages: boot.OfflinePages(lib), Presenter: scr, Users: users, LastUser: last,
		Now: time.Now, ForceOffline: c.Offline, Log: log.With("component", "auth"),
		AllowFallback: func() bool { return st.Bool(settings.AllowOfflineFallback) },
		FreshFor:      FreshOnlineLogin,
	})
	if err != nil {
		return nil, err
	}
	sh.Auth = a
	seq, err := boot.New(boot.Options{Auth: a, Screen: scr, Apps: lib, Vault: kc, Users: users, Settings: st,
		Log: log.With("component", "boot")})
	if err != nil {
		return nil, err
	}
	sh.Boot = seq
	sh.onClose(func() { _ = a.Cancel(); seq.Stop() })
	var installer install.Installer = lib
	if c.Installer != nil {
		installer = c.Installer
	}
	installs, err := install.New(install.Options{Installer: installer, Dir: c.DataDir, Permit: permit, Log: log.With("component", "install"),
		OfflineName: func() string { return lib.Boot().OfflineName }})
	if err != nil {
		return nil, err
	}
	sh.Installs = installs
	dsn, err := storeDSN(st, c.Store, true)
	if err != nil {
		return nil, err
	}
	// The station's key signs a checkpoint for every transaction that
	// appends to the trail, inside it; its own copy of the latest is
	// written by its goroutine after the commit. Closed after the store.
	stn, err := station.Open(station.Options{Dir: c.DataDir, Name: c.Station, Now: time.Now, Log: log.With("component", "station")})
	if err != nil {
		return nil, fmt.Errorf("open the station's key: %w", err)
	}
	sh.onClose(func() { _ = stn.Close() })
	db, where, err := openStore(c.DataDir, dsn, stn)
	if err != nil {
		return nil, err
	}
	log.Info("signature store", "where", where, "station", c.Station, "key", stn.Fingerprint())
	sh.Store = db
	sh.onClose(func() { _ = db.Close() })
	// The Settings place's changes need the install permit once someone
	// has signed in here (configure's doc says why and what stays open).
	place, err := configure.New(configure.Options{Settings: st, Auth: a, Users: users, Boot: seq, StoreInUse: where,
		Permit: permit, SignedInBefore: func() bool { return last.Get() != "" }, Log: log.With("component", "configure")})
	if err != nil {
		return nil, err
	}
	sh.Configure = place
	identities := map[string]signature.Identity{signature.IDPLocal: signature.KeychainIdentity{Vault: kc}}
	if c.Demo {
		if identities[demoIDP], err = demoIdentity(); err != nil {
			return nil, err
		}
	}
	// idp "openid": the organisation's provider of the settings, whose own
	// sign-in page the signature dialog shows.
	interactive := map[string]signature.Interactive{signature.IDPOpenID: provider}
	// Alerts (a signer locked out, repeated failed attempts at one slot):
	// this station runs alert_command for those it raises; every station
	// shows every alert on the store in its chrome (followAlerts).
	alerts := alert.Command{Setting: func() string { return st.String(settings.AlertCommand) }, Log: log.With("component", "alert")}
	sigs, err := signature.New(signature.Options{Store: db, Identities: identities, Interactive: interactive, Offline: c.Offline, Poster: scr, Now: time.Now,
		Station: c.Station, Log: log.With("component", "signature"), Alerts: alerts})
	if err != nil {
		return nil, err
	}
	sh.Signatures = sigs
	recordSettings(st, sigs, users, log.With("component", "settings"))
	go sigs.Watch(watchCtx) // outcomes signed at other stations (PostgreSQL store)
	// The follower reads the store: it ends, and its last read with it,
	// before the store closes (closers run in reverse order).
	alertsCtx, stopAlerts := context.WithCancel(context.Background())
	followed := make(chan struct{})
	go func() {
		defer close(followed)
		followAlerts(alertsCtx, db, alert.NewNotices(scr.Notify, nil), log.With("component", "alert"))
	}()
	sh.onClose(func() { stopAlerts(); <-followed })
	if err := loadTemplates(sigs, filepath.Join(c.DataDir, "templates.json"), c.Demo); err != nil {
		return nil, err
	}
	return sh, nil
}

// OSActor names who runs a command or starts the shell, for the trail:
// "os:USER@HOST".
func OSActor() string {
	who := "unknown"
	if u, err := osuser.Current(); err == nil && u.Username != "" {
		who = u.Username
	}
	return "os:" + who + "@" + Station()
}

// recordSettings writes every change of the login server or the OpenID
// client (settings.Recorded) to the audit trail through the signature
// engine, as a template's change goes: who (the person signed in, else the
// OS user and host the shell runs as), where (the station: Engine stamps
// it), through what (settings.Via). The changes made before the engine
// existed (--login-url, --demo) are written first.
func recordSettings(st *settings.Store, sigs *signature.Engine, users *user.Service, log *slog.Logger) {
	st.Record(func(c settings.Change) {
		who := OSActor()
		if p, _, ok := users.Current(); ok {
			who = p.Username
			if p.Name != "" && p.Name != p.Username {
				who += " (" + p.Name + ")"
			}
		}
		if err := sigs.RecordSetting(signature.ActingAs(context.Background(), who), c.Detail()); err != nil {
			log.Error("a change of the login server is not in the audit trail", "key", c.Key, "via", string(c.Via), "err", err)
		}
	})
}

// alertPoll is how often a station reads the store for alerts raised
// anywhere on it.
const alertPoll = time.Second

// followAlerts shows in the chrome each alert any station on the store
// raises from now on, reading the trail every alertPoll until ctx ends. A
// store that does not answer is logged once per change of what it says,
// not at every poll, and read again.
func followAlerts(ctx context.Context, db alert.Trail, notices *alert.Notices, log *slog.Logger) {
	last := ""
	failed := func(err error) {
		if err.Error() != last {
			log.Warn("signature alerts not read from the store; trying again", "err", err)
		}
		last = err.Error()
	}
	head, err := alert.Head(ctx, db)
	for err != nil {
		failed(err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(alertPoll):
		}
		head, err = alert.Head(ctx, db)
	}
	_ = alert.Follow(ctx, db, head, alertPoll, func(e audit.Entry) { last = ""; notices.Alert(e) }, failed)
}

// Station names this computer in signatures and the audit trail.
func Station() string {
	if h, err := os.Hostname(); err == nil && h != "" {
		return h
	}
	return "this computer"
}
