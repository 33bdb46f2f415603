package gateway

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"path"
	"strings"
)

// KeyHeader carries the chrome's secret on its requests: the browser
// mode's per-run key, or the window's bindings' token; KeyQuery carries it in the URL the serve command prints and
// on the chrome's event stream (EventSource sends no headers).
const (
	KeyHeader = "X-Loginshell-Key"
	KeyQuery  = "key"
)

// NewKey returns a fresh random key (128 bits, hex).
func NewKey() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand failed: " + err.Error()) // never happens on supported OSes
	}
	return hex.EncodeToString(b)
}

// publicPrefix holds the chrome's built files (Vite's assets/): code and
// styles every copy of loginshell ships, so they need no key, and the
// browser fetches them without one.
const publicPrefix = "/assets/"

// Guard protects the browser mode's chrome, whose endpoints sign people in
// and install packages, from everything on the machine that is not the tab
// it was opened in:
//
//   - the Host header must be exactly hostport (the loopback address it
//     listens on), which defeats DNS rebinding: 403 otherwise;
//   - an Origin header, when present, must be http://hostport, which
//     refuses cross-site calls from other pages: 403 otherwise;
//   - every request but the chrome's static files must carry the key: in
//     KeyHeader, or as ?key= on a GET (the printed URL, the event
//     stream): 401 otherwise. There is no cookie: cookies are not per
//     port, so one would reach every other server on 127.0.0.1, and a key
//     kept by the tab instead lets the newly printed URL work after a
//     restart whatever an older run left behind;
//   - no response may be framed (frame-ancestors 'none'), so no other page
//     can dress the shell up or click through it.
//
// The hosted pages are not behind Guard: they live on their own origin
// (Pages).
func Guard(key, hostport string, next http.Handler) http.Handler {
	origin := "http://" + hostport
	return Unframed(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Host != hostport {
			writeJSON(w, http.StatusForbidden, map[string]string{"error": "wrong Host header: this shell answers only to " + hostport})
			return
		}
		if o := r.Header.Get("Origin"); o != "" && o != origin {
			writeJSON(w, http.StatusForbidden, map[string]string{"error": "cross-origin request refused"})
			return
		}
		// Cleaned: /assets/../shell/view is not a built file.
		if r.Method == http.MethodGet && strings.HasPrefix(path.Clean(r.URL.Path), publicPrefix) {
			next.ServeHTTP(w, r)
			return
		}
		got := r.Header.Get(KeyHeader)
		if got == "" && r.Method == http.MethodGet {
			got = r.URL.Query().Get(KeyQuery)
		}
		if !equal(got, key) {
			writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "missing or wrong key: open the URL the serve command printed"})
			return
		}
		next.ServeHTTP(w, r)
	}))
}

// Unframed forbids every page to frame next's answers (CSP
// frame-ancestors 'none', and X-Frame-Options for older engines): the
// chrome is never shown inside another page, where that page could dress
// it up or click through it. Both chromes use it: Guard in the browser
// mode, Wails' asset server's middleware in the window (WebKitGTK applies
// the headers of a wails:// answer as of an http one).
func Unframed(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "frame-ancestors 'none'")
		h.Set("X-Frame-Options", "DENY")
		next.ServeHTTP(w, r)
	})
}

func equal(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }
