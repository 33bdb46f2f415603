// Package webapps reads web app packages and serves them to the shell's
// window: a catalog of installed package directories, and an HTTP handler
// that serves their files with the pmapi shim injected into every HTML
// page, so pages written for the mobile container run unchanged. The
// documents it reads (webapp.json, the boot document) are
// internal/manifest's.
//
// Install and InstallDir put a package into <dir>/<name>/<version>/ under
// the limits that keep a hostile zip harmless, switching versions so that a
// crash at any point leaves one complete version (RecoverInstalls finishes
// the job at the next start); InspectZip and InspectDir run the same rules
// without writing, for `loginshell check`.
package webapps

import "loginshell/internal/fault"

// ErrUnknownApp means the catalog holds no package with the requested name
// (or not the requested version). Lookup wraps it with the name.
var ErrUnknownApp = fault.New(fault.NotFound, "unknown web app")

// ErrBrokenPackage is matched by each error NewCatalog reports for a package
// directory it could not load; the error names the directory.
var ErrBrokenPackage = fault.New(fault.Invalid, "broken web app package")
