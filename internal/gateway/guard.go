package gateway

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
)

// KeyHeader and KeyCookie carry the serve mode's per-run secret.
const (
	KeyHeader = "X-Loginshell-Key"
	KeyCookie = "loginshell_key"
)

// NewKey returns a fresh random key (128 bits, hex).
func NewKey() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand failed: " + err.Error()) // never happens on supported OSes
	}
	return hex.EncodeToString(b)
}

// Guard protects the serve mode, whose API can sign people in, from
// everything on the machine that is not the browser it was opened in:
//
//   - the Host header must be exactly hostport (the loopback address it
//     listens on), which defeats DNS rebinding: 403 otherwise;
//   - an Origin header, when present, must be http://hostport, which
//     refuses cross-site calls from other pages: 403 otherwise;
//   - the request must carry the key in KeyHeader or KeyCookie, or as
//     ?key= on the page that opens the shell, which then sets the cookie
//     (HttpOnly, SameSite=Strict): 401 otherwise.
func Guard(key, hostport string, next http.Handler) http.Handler {
	origin := "http://" + hostport
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Host != hostport {
			writeJSON(w, http.StatusForbidden, map[string]string{"error": "wrong Host header: this shell answers only to " + hostport})
			return
		}
		if o := r.Header.Get("Origin"); o != "" && o != origin {
			writeJSON(w, http.StatusForbidden, map[string]string{"error": "cross-origin request refused"})
			return
		}
		got := r.Header.Get(KeyHeader)
		if got == "" {
			if c, err := r.Cookie(KeyCookie); err == nil {
				got = c.Value
			}
		}
		if got == "" && r.Method == http.MethodGet {
			if q := r.URL.Query().Get("key"); q != "" && equal(q, key) {
				http.SetCookie(w, &http.Cookie{Name: KeyCookie, Value: key, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode})
				got = q
			}
		}
		if !equal(got, key) {
			writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "missing or wrong key: open the URL the serve command printed"})
			return
		}
		next.ServeHTTP(w, r)
	})
}

func equal(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }
