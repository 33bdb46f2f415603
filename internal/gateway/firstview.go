package gateway

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"net/http"

	"loginshell/internal/screen"
)

// firstViewTag is the empty script element of the chrome's index.html that
// the view shown now goes into, as JSON, for the chrome to draw as its
// script starts instead of first asking Go for it (in the window, the
// token's round trip and then the view's). index.html has no such element
// now: drawn that way, the first page's final screen came later, not
// sooner (README, Performance), as it did when the page's frame started
// with index.html. Without the element the index is served as it is.
var firstViewTag = []byte(`<script type="application/json" id="first-view"></script>`)

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

// withFirstView puts v into index as JSON in its first-view element. An
// index without the mark is served as it is (the chrome then asks for the
// view, as before). The page's frame is not started here: loading the
// page with index.html, before the chrome, was measured slower on two
// cores (the page's web content competes with the chrome's own loading).
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
	filled := make([]byte, 0, len(firstViewTag)+len(js))
	filled = append(filled, firstViewTag[:len(firstViewTag)-len("</script>")]...)
	filled = append(filled, js...)
	filled = append(filled, "</script>"...)
	return bytes.Replace(index, firstViewTag, filled, 1)
}
