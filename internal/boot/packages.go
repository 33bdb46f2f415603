// Package boot is the shell's start-up sequence, as the mobile container
// ran it: sign in (POST /auth), set up the offline password the first time
// (POST /auth/setup) when an offline package is configured, then show the
// starter app. It also turns the boot document and the package catalog into
// the page URLs the authentication service and the window need.
package boot

import (
	"fmt"
	"net/http"
	"net/url"
	"sync"

	"loginshell/internal/auth"
	"loginshell/internal/webapps"
)

// Packages is the boot document over the catalog of installed packages.
// Catalog is the initial catalog; Swap replaces it after an install, so
// the next login and the next page load see the new package.
type Packages struct {
	Doc     webapps.Boot
	Catalog *webapps.Catalog

	mu sync.RWMutex
}

// Swap makes c the catalog used from now on.
func (p *Packages) Swap(c *webapps.Catalog) {
	p.mu.Lock()
	p.Catalog = c
	p.mu.Unlock()
}

func (p *Packages) catalog() *webapps.Catalog {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return p.Catalog
}

// Handler serves the packages of the current catalog at webapps.Prefix,
// each at the version the boot document depends on.
func (p *Packages) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.catalog().Handler(p.Version).ServeHTTP(w, r)
	})
}

// Version returns the version of name that the boot document depends on,
// or "" for the highest installed.
func (p *Packages) Version(name string) string { return p.Doc.Dependencies[name] }

// OfflinePage implements auth.Pages: the offline package's main, setup or
// manage page, opened as <page>?t=<token>&u=<username>.
func (p *Packages) OfflinePage(cmd auth.Command, token, username string) (string, error) {
	if p.Doc.OfflineName == "" {
		return "", auth.ErrNoOfflinePackage
	}
	pkg, err := p.catalog().Lookup(p.Doc.OfflineName, p.Version(p.Doc.OfflineName))
	if err != nil {
		return "", fmt.Errorf("%w: %q is not installed", auth.ErrNoOfflinePackage, p.Doc.OfflineName)
	}
	var page string
	switch cmd {
	case auth.CmdAuthenticate:
		page = pkg.Manifest.Main
	case auth.CmdSetup:
		page = pkg.Manifest.Setup
	case auth.CmdUpdate:
		page = pkg.Manifest.Manage
	}
	if page == "" {
		element := map[auth.Command]string{auth.CmdSetup: "setup", auth.CmdUpdate: "manage"}[cmd]
		return "", fmt.Errorf("%w: webapp.json of %q has no %q element", auth.ErrNoPage, pkg.Manifest.Name, element)
	}
	return webapps.PageURL(pkg.Manifest.Name, page, url.Values{"t": {token}, "u": {username}}), nil
}

// HasOffline reports whether the boot document names an installed offline
// login package.
func (p *Packages) HasOffline() bool {
	if p.Doc.OfflineName == "" {
		return false
	}
	_, err := p.catalog().Lookup(p.Doc.OfflineName, p.Version(p.Doc.OfflineName))
	return err == nil
}

// AppPage returns the URL and title of a web app's main page.
func (p *Packages) AppPage(name string) (string, string, error) {
	pkg, err := p.catalog().Lookup(name, p.Version(name))
	if err != nil {
		return "", "", err
	}
	return webapps.PageURL(pkg.Manifest.Name, pkg.Manifest.Main, nil), pkg.Manifest.Name, nil
}
