package webapps

import (
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"strings"
)

// PackageLabel is the DNS label that names a package's own origin under
// the pages' host: every package gets an origin (and so a localStorage
// and a cookie jar) of its own, so no package reads another's private
// state. Names up to 31 bytes are spelled in hex after an "a"; longer ones
// are hashed after an "h" (a label holds at most 63 characters).
func PackageLabel(name string) string {
	if len(name) <= 31 {
		return "a" + hex.EncodeToString([]byte(name))
	}
	sum := sha256.Sum256([]byte(name))
	return "h" + hex.EncodeToString(sum[:])[:60]
}

// LabelPackage is the package a label names: the name itself for a label
// of a name up to 31 bytes; for a longer name, whose label is a hash, the
// label stands for it (still one per package). ok is false for text that
// is no package label.
func LabelPackage(label string) (name string, ok bool) {
	switch {
	case strings.HasPrefix(label, "a"):
		b, err := hex.DecodeString(label[1:])
		if err != nil || len(b) == 0 || len(b) > 31 {
			return "", false
		}
		return string(b), true
	case strings.HasPrefix(label, "h") && len(label) == 61:
		if _, err := hex.DecodeString(label[1:]); err != nil {
			return "", false
		}
		return label, true
	}
	return "", false
}

// PackageOrigin is the origin pages of package name are served from, under
// pages (http://p….localhost:PORT): http://<label>.p….localhost:PORT.
func PackageOrigin(pages, name string) string {
	u, err := url.Parse(pages)
	if err != nil || u.Host == "" {
		return pages
	}
	u.Host = PackageLabel(name) + "." + u.Host
	return u.Scheme + "://" + u.Host
}

// OnItsOrigin turns a page URL (PageURL's /webapps/<name>/…) into the
// absolute URL on its package's own origin under pages; other URLs, and
// any URL when pages is "", are returned as they are.
func OnItsOrigin(pages, pageURL string) string {
	rest, ok := strings.CutPrefix(pageURL, Prefix)
	if pages == "" || !ok {
		return pageURL
	}
	name, _, _ := strings.Cut(rest, "/")
	name, err := url.PathUnescape(name)
	if err != nil || name == "" {
		return pageURL
	}
	return PackageOrigin(pages, name) + pageURL
}
