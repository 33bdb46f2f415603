// Package webapps is the shell's package library: the boot document in
// force, the catalog of packages it can serve, installs that swap the
// catalog at once, and an HTTP handler that serves the packages' files
// with the pmapi shim injected into every HTML page, so pages written for
// the mobile container run unchanged. The documents it reads are
// internal/manifest's; installing is internal/pkginstall's.
package webapps

import "loginshell/internal/fault"

// ErrUnknownApp means the catalog holds no package with the requested name
// (or not the requested version). Lookup wraps it with the name.
var ErrUnknownApp = fault.New(fault.NotFound, "unknown web app")

// ErrBrokenPackage is matched by each error NewCatalog reports for a package
// directory it could not load; the error names the directory.
var ErrBrokenPackage = fault.New(fault.Invalid, "broken web app package")
