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
	"loginshell/internal/store/postgres"
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
	// A `return nil, err` has set sh to nil before this runs: what was
	// started is released through built (it was sh.Close() on nil, a
	// panic instead of the error).
	built := sh
	defer func() {
		if err != nil {
			built.Close()
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
	// A bad templates.json is refused now; the templates are stored when
	// the signature store opens.
	templatesFile := filepath.Join(c.DataDir, "templates.json")
	templates, err := readTemplates(templatesFile, c.Demo)
	if err != nil {
		return nil, err
	}
	// The signature store, the station's key and the alert follower open
	// at the store's first use (lazyStore), never before the window.
	db := newLazyStore(func() (SignatureStore, func(), error) {
		return openSignatures(signaturesOptions{dataDir: c.DataDir, dsn: dsn, station: c.Station, templates: templates,
			templatesFile: templatesFile, notices: alert.NewNotices(scr.Notify, nil), log: log})
	})
	sh.Store = db
	sh.onClose(func() { _ = db.Close() })
	where := filepath.Join(c.DataDir, StoreFile)
	if dsn != "" {
		where = postgres.Describe(dsn)
	}
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
	// Registered after the store's Close, so it runs before it.
	sh.settingsWritten = recordSettings(st, sigs, users, db, log.With("component", "settings"))
	sh.onClose(sh.settingsWritten)
	go sigs.Watch(watchCtx) // outcomes signed at other stations (PostgreSQL store), once it is open
	if dsn != "" {
		// The plant's store carries other stations' alerts, which this
		// chrome shows whether or not anyone signs here: it is opened
		// now, beside the window, not in its way, and until it opens.
		go openPlantStore(watchCtx, db, log)
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
