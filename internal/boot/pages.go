package boot

import (
	"net/url"

	"loginshell/internal/auth"
	"loginshell/internal/fault"
	"loginshell/internal/manifest"
	"loginshell/internal/webapps"
)

// Packages are the installed packages as the offline pages need them;
// *webapps.Library is one.
type Packages interface {
	// Boot returns the boot document (the offline package's name).
	Boot() manifest.Boot
	// Package returns the package served under name.
	Package(name string) (*webapps.Package, error)
}

// OfflinePages returns the authentication service's Pages over the
// installed packages: the boot document's offline login package opened at
// its main page for authenticate, its setup page for setup and its manage
// page for update, as <page>?t=<token>&u=<username> (the seed's t and u).
//
// The package library knows packages, not logins; the authentication
// service knows commands, not packages. This is where a command becomes a
// page, so neither has to import the other. It returns auth.Pages rather
// than a type of its own because being that collaborator is all it does;
// a nil pkgs gives a nil Pages, which auth.New refuses.
func OfflinePages(pkgs Packages) auth.Pages {
	if pkgs == nil {
		return nil
	}
	return offlinePages{pkgs}
}

type offlinePages struct{ pkgs Packages }

// OfflinePage implements auth.Pages. The errors are auth's:
// ErrNoOfflinePackage when the boot document names none or it is not
// installed, ErrNoPage when its webapp.json has no page for cmd.
func (o offlinePages) OfflinePage(cmd auth.Command, token, username string) (string, error) {
	name := o.pkgs.Boot().OfflineName
	if name == "" {
		return "", auth.ErrNoOfflinePackage
	}
	pkg, err := o.pkgs.Package(name)
	if err != nil {
		return "", fault.Detail(auth.ErrNoOfflinePackage, "%q is not installed", name)
	}
	var page, element string
	switch cmd {
	case auth.CmdAuthenticate:
		page, element = pkg.Manifest.Main, "main"
	case auth.CmdSetup:
		page, element = pkg.Manifest.Setup, "setup"
	case auth.CmdUpdate:
		page, element = pkg.Manifest.Manage, "manage"
	}
	if page == "" {
		return "", fault.Detail(auth.ErrNoPage, "webapp.json of %q has no %q element", pkg.Manifest.Name, element)
	}
	return webapps.PageURL(pkg.Manifest.Name, page, url.Values{"t": {token}, "u": {username}}), nil
}
