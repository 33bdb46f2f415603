// Package samples holds the web app packages bundled with the shell: an
// offline login package (sign-in, first-time password setup, password
// change) and "lineapp", a small starter app, plus a boot document naming
// them. They make a fresh install usable and give QA a known-good package to
// compare theirs against.
//
// The pages call services only at http://pmapi/... and load only relative
// assets, so they run unchanged in the mobile container and in the shell
// (whose injected shim routes http://pmapi/ to /pmapi/).
package samples

import (
	"embed"
	"io/fs"
)

//go:embed data
var data embed.FS

//go:embed boot.json
var bootJSON string

// FS returns the bundled packages as a catalog root: one directory per
// package, each holding webapp.json (the flat layout webapps.NewCatalog
// reads). Pass it after the installed packages' root so installed versions
// win.
func FS() fs.FS {
	sub, err := fs.Sub(data, "data")
	if err != nil {
		panic("samples: embedded data directory: " + err.Error()) // "data" is a valid path; unreachable
	}
	return sub
}

// BootDocument returns the boot document for the bundled packages: starter
// "lineapp", offline package "offline-login". Each call returns a fresh
// copy the caller may modify.
func BootDocument() []byte { return []byte(bootJSON) }
