package gateway

import (
	"bytes"
	"html"
	"io/fs"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"loginshell/internal/screen"
)

// frameTag is how the chrome's index.html opens its content frame.
var frameTag = []byte(`<iframe id="content" `)

// Index serves the chrome's index.html with the page the screen shows
// already in its content frame: the frame's page loads while the chrome's
// script loads, instead of after it has asked for the view (at start-up
// that wait is what the window's first screen costs beyond a bare app's).
// The chrome finds the frame pointed at the view's page (data-url) and
// leaves it loading. Only an http URL on a package origin under the
// pages' host goes in; anything else serves index.html as it is, and the
// chrome loads the view as before. Both transports serve it: the browser
// mode as its "/", the window through Wails' asset server.
func Index(fsys fs.FS, scr *screen.Screen) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := fs.ReadFile(fsys, "index.html")
		if err != nil {
			http.Error(w, "the shell's frontend is not built: run make build", http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		_, _ = w.Write(withFirstView(b, scr.Current()))
	})
}

// withFirstView points index's content frame at v's page.
func withFirstView(index []byte, v screen.View) []byte {
	if v.Kind != screen.Page || !onPackageOrigin(v.URL, v.Pages) || bytes.Count(index, frameTag) != 1 {
		return index
	}
	u := html.EscapeString(v.URL)
	attrs := `src="` + u + `" data-url="` + u + `" data-reload="` + strconv.FormatUint(v.Reload, 10) + `" `
	return bytes.Replace(index, frameTag, append(append([]byte{}, frameTag...), attrs...), 1)
}

// onPackageOrigin says whether page is an http URL whose host is a
// package's origin under pages (http://p<random>.localhost:PORT): the only
// place the content frame may load.
func onPackageOrigin(page, pages string) bool {
	p, err := url.Parse(page)
	if err != nil || p.Scheme != "http" || p.User != nil {
		return false
	}
	base, err := url.Parse(pages)
	if err != nil || base.Host == "" {
		return false
	}
	return strings.HasSuffix(p.Host, "."+base.Host) && !strings.Contains(strings.TrimSuffix(p.Host, "."+base.Host), ".")
}
