// Package shelltest builds a whole shell.Shell over a temporary data
// directory for the transports' tests (app, internal/serve), the way
// main.go's assemble does, with a cheap key derivation and no demo
// provider. It is imported by tests only.
package shelltest

import (
	"context"
	"log/slog"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"loginshell/internal/auth"
	"loginshell/internal/boot"
	"loginshell/internal/connectivity"
	"loginshell/internal/install"
	"loginshell/internal/keychain"
	"loginshell/internal/online"
	"loginshell/internal/samples"
	"loginshell/internal/screen"
	"loginshell/internal/settings"
	"loginshell/internal/shell"
	"loginshell/internal/signature"
	"loginshell/internal/store/sqlite"
	"loginshell/internal/user"
	"loginshell/internal/webapps"
)

// CheapParams make offline vaults fast to create and open in tests; the
// keychain accepts them only with InsecureAllowWeakParams.
var CheapParams = keychain.Params{Time: 1, MemoryKiB: 64, Threads: 1}

// Options say what differs from an empty data directory.
type Options struct {
	// DataDir defaults to a fresh t.TempDir().
	DataDir  string
	BootFile string
	Offline  bool
	// SignIn gives the online provider its sign-in collaborators (Open,
	// Returned, ReturnURL) once the screen exists; nil shows the
	// provider's page on the screen (browser style).
	SignIn func(*screen.Screen) online.ProviderOptions
	// Installer replaces the Library as what the install service runs
	// (tests of the transports' install paths).
	Installer install.Installer
}

// Engines are the built shell and the parts tests reach into.
type Engines struct {
	*shell.Shell
	Keychain *keychain.Keychain
	Store    *sqlite.Store
	DataDir  string
}

// New builds every engine once, closing them when the test ends.
func New(t testing.TB, o Options) *Engines {
	t.Helper()
	if o.DataDir == "" {
		o.DataDir = t.TempDir()
	}
	log := slog.New(slog.DiscardHandler)
	st, err := settings.Open(filepath.Join(o.DataDir, "settings.json"))
	must(t, err)
	kc, err := keychain.Open(keychain.Options{Dir: filepath.Join(o.DataDir, "keychain"), Now: time.Now, Log: log,
		Params: CheapParams, InsecureAllowWeakParams: true})
	must(t, err)
	last, err := auth.OpenLastUser(filepath.Join(o.DataDir, "state.json"))
	must(t, err)
	lib, err := webapps.OpenLibrary(webapps.LibraryOptions{DataDir: o.DataDir, BootFile: o.BootFile,
		Bundled: samples.FS(), BundledBoot: samples.BootDocument(), Log: log})
	must(t, err)
	users := user.NewService()
	scr := screen.New(shell.Version, "", func() *screen.UserRef {
		if p, m, ok := users.Current(); ok {
			return &screen.UserRef{Username: p.Username, Name: p.Name, Offline: m == user.Offline}
		}
		return nil
	})
	po := online.ProviderOptions{Open: func(_ context.Context, u string) error { scr.Navigate(u); return nil }}
	if o.SignIn != nil {
		po = o.SignIn(scr)
	}
	po.Settings, po.HTTPClient, po.Now, po.Log, po.DefaultClientID = st, &http.Client{Timeout: 10 * time.Second}, time.Now, log, shell.DefaultClientID
	provider, err := online.NewProvider(po)
	must(t, err)
	mon, err := connectivity.NewMonitor(connectivity.MonitorOptions{Probe: provider.Reachable, Target: provider.Issuer, Now: time.Now,
		ForceOffline: o.Offline, OnChange: scr.SetOnline})
	must(t, err)
	ctx, stop := context.WithCancel(context.Background())
	mon.Start(ctx)
	a, err := auth.New(auth.Options{Vault: kc, Online: provider, Network: mon, Pages: lib, Presenter: scr, Users: users,
		LastUser: last, Now: time.Now, ForceOffline: o.Offline, Log: log, FreshFor: shell.FreshOnlineLogin})
	must(t, err)
	seq, err := boot.New(boot.Options{Auth: a, Screen: scr, Apps: lib, Vault: kc, Users: users, Settings: st, Log: log})
	must(t, err)
	var inst install.Installer = lib
	if o.Installer != nil {
		inst = o.Installer
	}
	installs, err := install.New(install.Options{Installer: inst, Dir: o.DataDir, Log: log})
	must(t, err)
	db, err := sqlite.Open(filepath.Join(o.DataDir, "signatures.db"))
	must(t, err)
	sigs, err := signature.New(signature.Options{Store: db,
		Identities: map[string]signature.Identity{signature.IDPLocal: signature.KeychainIdentity{Vault: kc}},
		Poster:     scr, Now: time.Now, Station: "test-station", Log: log})
	must(t, err)
	t.Cleanup(func() {
		_ = a.Cancel()
		seq.Stop()
		stop()
		mon.Close()
		_ = db.Close()
	})
	return &Engines{Shell: &shell.Shell{Auth: a, Boot: seq, Screen: scr, Users: users, Settings: st, Library: lib,
		Installs: installs, Connectivity: mon, Signatures: sigs, Log: log}, Keychain: kc, Store: db, DataDir: o.DataDir}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
