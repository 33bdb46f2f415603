package gateway

import (
	"bytes"
	"encoding/json"
	"html"
	"io/fs"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"loginshell/internal/screen"
)

// The chrome's index.html carries two marks the first view fills in.
var (
	// firstViewTag is the empty script element the view shown now goes
	// into, as JSON: the chrome draws it as its script starts, without
	// first asking Go for it (a round trip, and in the window the token's
	// before it).
	firstViewTag = []byte(`<script type="application/json" id="first-view"></script>`)
	// frameTag opens the content frame; a page's URL goes into it
	// (data-preload), and index.html's inline script starts loading it at
	// once, hidden and inert until the chrome's script takes it over.
	frameTag = []byte(`<iframe id="content" `)
)

// WithIndex serves GET / and /index.html through Index, and everything
// else through next: how the window's asset server gets the chrome's
// index.html with the first view (Wails adds its runtime scripts to it
// afterwards, as to any index.html).
func WithIndex(next http.Handler, fsys fs.FS, scr *screen.Screen) http.Handler {
	index := Index(fsys, scr)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && (r.URL.Path == "/" || r.URL.Path == "/index.html") {
			index.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// Index serves the chrome's index.html with the view the screen shows now
// in it (withFirstView). It is on the chrome's origin only, like the
// view itself (GET /shell/view, the window's View binding): the view names
// the page shown, which only the chrome may hand to the page.
func Index(fsys fs.FS, scr *screen.Screen) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
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

// withFirstView puts v into index: as JSON in its first-view element, and
// when v is a page on a package's origin, that page in the content frame's
// data-preload with its reload count, the frame inert. An index without
// the marks is served as it is (the chrome then asks for the view, as
// before).
func withFirstView(index []byte, v screen.View) []byte {
	if bytes.Count(index, firstViewTag) != 1 {
		return index
	}
	// encoding/json escapes <, > and & (\u003c ...): nothing in the view
	// can end the script element.
	js, err := json.Marshal(v)
	if err != nil {
		return index
	}
	filled := make([]byte, 0, len(index)+len(js)+256)
	filled = append(filled, firstViewTag[:len(firstViewTag)-len("</script>")]...)
	filled = append(filled, js...)
	filled = append(filled, "</script>"...)
	out := bytes.Replace(index, firstViewTag, filled, 1)
	if v.Kind != screen.Page || !onPackageOrigin(v.URL, v.Pages) || bytes.Count(out, frameTag) != 1 {
		return out
	}
	attrs := `data-preload="` + html.EscapeString(v.URL) + `" data-reload="` + strconv.FormatUint(v.Reload, 10) + `" inert `
	return bytes.Replace(out, frameTag, append(append([]byte{}, frameTag...), attrs...), 1)
}

// onPackageOrigin says whether page is an http URL whose host is a
// package's origin under pages (<label>.p<random>.localhost:PORT): the
// only place the content frame may load.
func onPackageOrigin(page, pages string) bool {
	p, err := url.Parse(page)
	if err != nil || p.Scheme != "http" || p.User != nil {
		return false
	}
	base, err := url.Parse(pages)
	if err != nil || base.Host == "" || base.Scheme != "http" {
		return false
	}
	label, ok := strings.CutSuffix(p.Host, "."+base.Host)
	return ok && label != "" && !strings.Contains(label, ".")
}
