// Package webapps is the shell's package library: the boot document in
// force, the catalog of packages it can serve (installed, bundled, beside
// --boot, --package folders), installs that swap the catalog at once, and
// the URLs of package pages. It knows no login state and serves no HTTP:
// internal/boot turns the authentication service's commands into the
// offline package's pages (boot.OfflinePages), and internal/pagefiles
// serves the files of the package Library.Package names.
//
// The documents it reads are internal/manifest's; installing, and the one
// validation of a package that the installer, `loginshell check` and the
// catalog's loader share (pkginstall.Validate), are internal/pkginstall's.
package webapps

import "loginshell/internal/fault"

// ErrUnknownApp means the catalog holds no package with the requested name
// (or not the requested version). Lookup wraps it with the name.
var ErrUnknownApp = fault.New(fault.NotFound, "unknown web app")

// ErrBrokenPackage is matched by each error NewCatalog reports for a package
// directory it could not load; the error names the directory.
var ErrBrokenPackage = fault.New(fault.Invalid, "broken web app package")
