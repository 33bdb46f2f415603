package gateway

import (
	"io/fs"
	"net/http"
)

// WithIndex serves GET / and /index.html through Index, and everything
// else through next: how the window's asset server gets the chrome's
// index.html as the browser mode serves it (Wails adds its runtime
// scripts to it afterwards, as to any index.html).
func WithIndex(next http.Handler, fsys fs.FS) http.Handler {
	index := Index(fsys)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && (r.URL.Path == "/" || r.URL.Path == "/index.html") {
			index.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// Index serves the chrome's index.html, never cached: a shell updated in
// place starts with its own chrome. It carries nothing of the screen (the
// chrome's first view comes with its token, WindowChrome.View, or behind
// its key): a view inlined in it, drawn as the chrome's script started,
// made the first page's final screen come later, not sooner (README,
// Performance), as did starting the page's frame with index.html.
func Index(fsys fs.FS) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		b, err := fs.ReadFile(fsys, "index.html")
		if err != nil {
			http.Error(w, "the shell's frontend is not built: run make build", http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		_, _ = w.Write(b)
	})
}
