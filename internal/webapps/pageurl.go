package webapps

import (
	"net/url"
	"strings"
)

// Prefix is the URL path under which packages are served
// (internal/pagefiles serves them; the gateway mounts it there).
const Prefix = "/webapps/"

// PageURL returns the shell-relative URL of a page in a package, e.g.
// PageURL("offline-login", "login.html", url.Values{"t": {tok}, "u": {user}})
// is "/webapps/offline-login/login.html?t=...&u=...". Every path segment and
// query value is escaped, so a username with spaces, "&" or "#" arrives
// intact in the page's location.search.
func PageURL(pkgName, page string, query url.Values) string {
	segs := strings.Split(page, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	u := Prefix + url.PathEscape(pkgName) + "/" + strings.Join(segs, "/")
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	return u
}
