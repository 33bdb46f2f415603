package manifest

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// WebApp is a package's webapp.json. Main is the page the shell opens;
// Setup and Manage (optional, used by the offline login package) are the
// offline password setup and change pages. Page paths are relative to the
// package root and already checked not to escape it. Title (optional, "title")
// is the name people see in the shell's top bar: the shell cannot read the
// page's own <title> across origins, so the manifest carries it.
type WebApp struct {
	Name    string
	Version string
	Main    string
	Setup   string
	Manage  string
	Title   string
}

// WebAppFile is the name of a package's manifest, at the package's root;
// it is also the document's name in a DocumentError.
const WebAppFile = "webapp.json"

// MaxFileBytes is the largest webapp.json a reader takes in: the document
// is read into memory whole, from packages that are not trusted.
const MaxFileBytes = 1 << 20

// ParseWebApp reads a webapp.json. "name", "version" and "main" are
// required; "update" is accepted as an alias of "manage" (the mobile
// container's spelling). Page paths must stay inside the package: "..",
// absolute paths, URLs and backslashes are refused; a leading "./" is
// dropped. Every error is a *DocumentError naming the field and matches
// ErrInvalidDocument.
//
// ParseWebApp does not check that the pages exist, nor that the name and
// version can be folder names on every computer: pkginstall.Validate does,
// for every reader of a package.
func ParseWebApp(data []byte) (WebApp, error) {
	o, err := readObject(WebAppFile, data)
	if err != nil {
		return WebApp{}, err
	}
	var m WebApp
	for _, f := range []struct {
		key, hint string
		dst       *string
	}{
		{"name", "name the package", &m.Name},
		{"version", "give the package a version", &m.Version},
		{"main", "name the page the shell opens, e.g. \"index.html\"", &m.Main},
	} {
		v, err := o.str(f.key)
		if err != nil {
			return WebApp{}, err
		}
		if v == "" {
			return WebApp{}, o.fail(f.key, "is missing; "+f.hint)
		}
		*f.dst = v
	}
	if !ValidName(m.Name) {
		return WebApp{}, o.fail("name", elementRule)
	}
	if !ValidName(m.Version) {
		return WebApp{}, o.fail("version", elementRule)
	}
	if m.Title, err = o.str("title"); err != nil {
		return WebApp{}, err
	}
	if m.Setup, err = o.str("setup"); err != nil {
		return WebApp{}, err
	}
	if m.Manage, err = o.aliased("manage", "update"); err != nil {
		return WebApp{}, err
	}
	for _, p := range []struct {
		key string
		dst *string
	}{{"main", &m.Main}, {"setup", &m.Setup}, {"manage", &m.Manage}} {
		if *p.dst == "" {
			continue
		}
		clean, problem := cleanPagePath(*p.dst)
		if problem != "" {
			return WebApp{}, o.fail(p.key, problem)
		}
		*p.dst = clean
	}
	return m, nil
}

// DisplayName is what the shell's top bar says for the package: its
// "title", else its name made readable ("line-app" → "Line app"), never
// an empty string.
func (m WebApp) DisplayName() string {
	if t := strings.TrimSpace(m.Title); t != "" {
		return t
	}
	n := strings.NewReplacer("-", " ", "_", " ", ".", " ").Replace(m.Name)
	if n == "" {
		return m.Name
	}
	r, size := utf8.DecodeRuneInString(n)
	return string(unicode.ToUpper(r)) + n[size:]
}

// Pages lists the pages the manifest names, main first, skipping the
// optional ones that are not set.
func (m WebApp) Pages() []string {
	pages := []string{m.Main}
	for _, p := range []string{m.Setup, m.Manage} {
		if p != "" {
			pages = append(pages, p)
		}
	}
	return pages
}
