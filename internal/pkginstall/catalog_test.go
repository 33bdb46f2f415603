package pkginstall_test

import (
	"io/fs"

	"loginshell/internal/pkginstall"
	"loginshell/internal/webapps"
)

// The installer's own tests check that what it wrote loads in the shell's
// package library; they reach webapps.NewCatalog through this hook (see
// pkginstall.LoadCatalog), since only an external test may import webapps.
func init() {
	pkginstall.LoadCatalog = func(roots ...fs.FS) (pkginstall.Catalog, error) {
		c, err := webapps.NewCatalog(roots...)
		if c == nil {
			return nil, err
		}
		return catalog{c}, err
	}
}

type catalog struct{ c *webapps.Catalog }

func (c catalog) Lookup(name, version string) (pkginstall.Loaded, error) {
	p, err := c.c.Lookup(name, version)
	if err != nil {
		return pkginstall.Loaded{}, err
	}
	return pkginstall.Loaded{FS: p.FS}, nil
}
