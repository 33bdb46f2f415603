// Package shelltest builds a whole shell.Shell over a temporary data
// directory for the transports' tests (app, internal/serve) through
// shell.Build, the product's own wiring, with a cheap key derivation and
// no demo provider. It is imported by tests only.
package shelltest

import (
	"context"
	"testing"

	"loginshell/internal/install"
	"loginshell/internal/keychain"
	"loginshell/internal/online"
	"loginshell/internal/screen"
	"loginshell/internal/settings"
	"loginshell/internal/shell"
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
	// Store is the --store flag: a plant's PostgreSQL DSN ("" for the
	// data directory's signatures.db).
	Store string
	// SignIn gives the online provider its sign-in collaborators (Open,
	// Returned, ReturnURL) once the screen exists; nil shows the
	// provider's page on the screen (browser style).
	SignIn func(*screen.Screen) online.ProviderOptions
	// Installer replaces the Library as what the install service runs
	// (tests of the transports' install paths).
	Installer install.Installer
	// KeychainParams are the offline vaults' key derivation; zero means
	// CheapParams. A benchmark of the offline login gives the product's
	// own (keychain.DefaultParams).
	KeychainParams keychain.Params
}

// Engines are the built shell and the parts tests reach into.
type Engines struct {
	*shell.Shell
}

// New builds the shell through shell.Build, as the window and serve do,
// closing it when the test ends.
func New(t testing.TB, o Options) *Engines {
	t.Helper()
	if o.DataDir == "" {
		o.DataDir = t.TempDir()
	}
	signIn := func(scr *screen.Screen, _ *settings.Store) (online.ProviderOptions, error) {
		if o.SignIn != nil {
			return o.SignIn(scr), nil
		}
		return online.ProviderOptions{Open: func(_ context.Context, u string) error { scr.Navigate(u); return nil }}, nil
	}
	if o.KeychainParams == (keychain.Params{}) {
		o.KeychainParams = CheapParams
	}
	sh, err := shell.Build(shell.Config{DataDir: o.DataDir, BootFile: o.BootFile, Offline: o.Offline, Store: o.Store, SignIn: signIn,
		Station: "test-station", KeychainParams: o.KeychainParams, InsecureAllowWeakParams: true, Installer: o.Installer})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sh.Close)
	return &Engines{Shell: sh}
}
