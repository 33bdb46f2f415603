package shell

import (
	"fmt"
	"log/slog"
	"time"

	"loginshell/internal/manifest"
	"loginshell/internal/samples"
	"loginshell/internal/signature"
	"loginshell/internal/webapps"
)

// The commands (install, audit, signature) need one engine each, not a
// whole shell; they build it here so there is still one place that
// constructs engines, and so they open a data directory's packages and
// store exactly as the shell does.

// openLibrary opens the packages of dataDir as the shell serves them:
// the boot document (bootFile, else DATA/boot.json, else the bundled
// samples') and the --package folders.
func openLibrary(dataDir, bootFile string, packages []string, log *slog.Logger) (*webapps.Library, error) {
	return webapps.OpenLibrary(webapps.LibraryOptions{DataDir: dataDir, BootFile: bootFile,
		Bundled: samples.FS(), BundledBoot: samples.BootDocument(), Packages: packages, Log: log.With("component", "webapps")})
}

// OpenLibrary opens the installed packages of dataDir for `loginshell
// install`, through the same library the shell serves from.
func OpenLibrary(dataDir string, log *slog.Logger) (*webapps.Library, error) {
	return openLibrary(dataDir, "", nil, log)
}

// BootDocument is the boot document the shell and `loginshell install`
// use with dataDir and no --boot: DATA/boot.json, else the bundled
// samples'.
func BootDocument(dataDir string) (manifest.Boot, error) {
	return webapps.BootDocument(dataDir, "", samples.BootDocument())
}

// CommandEngine builds the signature engine of `loginshell signature`
// over db: it queues, cancels and reads as a station does, but posts no
// challenge and checks no password (requests queued here are signed at a
// station).
func CommandEngine(db signature.Backend, station string, now func() time.Time) (*signature.Engine, error) {
	return signature.New(signature.Options{Store: db, Identities: map[string]signature.Identity{signature.IDPLocal: noIdentity{}},
		Poster: noPoster{}, Now: now, Station: station})
}

// noPoster is the command's Poster: there is no page here to post a
// challenge to. The command never triggers, so it is never asked.
type noPoster struct{}

func (noPoster) Post(string, string, signature.Challenge) error {
	return fmt.Errorf("%w: the command line shows no challenges; trigger the request at a station", signature.ErrNotPosted)
}
func (noPoster) Close(string) {}

// noIdentity is the command's local identity provider: nobody signs here.
type noIdentity struct{}

func (noIdentity) Verify(string, string) (signature.Signer, error) {
	return signature.Signer{}, fmt.Errorf("%w: sign at a station", signature.ErrUnsupported)
}
