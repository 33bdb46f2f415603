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

// frameTag and loadingTag are how the chrome's index.html opens its
// content frame and its "Starting…" overlay.
var (
	frameTag   = []byte(`<iframe id="content" `)
	loadingTag = []byte(`<section id="loading" `)
)

// Index serves the chrome's index.html with the page the screen shows
// already in its content frame, shown: the page loads and paints while
// the chrome's script loads, instead of after it has asked for the view
// (at start-up that wait is what the window's first screen costs beyond a
// bare app's).
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

// withFirstView points index's content frame at v's page, shown, with
// the "Starting…" overlay hidden: the page paints as soon as it has
// loaded, before the chrome's script has even run.
func withFirstView(index []byte, v screen.View) []byte {
	if v.Kind != screen.Page || !onPackageOrigin(v.URL, v.Pages) || bytes.Count(index, frameTag) != 1 || bytes.Count(index, loadingTag) != 1 {
		return index
	}
	i := bytes.Index(index, frameTag)
	end := bytes.IndexByte(index[i:], '>')
	if end < 0 {
		return index
	}
	tag := string(index[i : i+end])
	tag = strings.Replace(tag, " hidden", "", 1)
	u := html.EscapeString(v.URL)
	tag = string(frameTag) + `src="` + u + `" data-url="` + u + `" data-reload="` + strconv.FormatUint(v.Reload, 10) + `" ` + strings.TrimPrefix(tag, string(frameTag))
	out := make([]byte, 0, len(index)+2*len(u)+64)
	out = append(out, index[:i]...)
	out = append(out, tag...)
	out = append(out, index[i+end:]...)
	return bytes.Replace(out, loadingTag, append(append([]byte{}, loadingTag...), "hidden "...), 1)
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
