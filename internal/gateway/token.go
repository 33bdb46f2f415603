package gateway

import "net/http"

// withToken adds GET /shell/token to the window's chrome handler: the
// chrome reads the bindings' token there, on its own origin (wails://wails,
// http://wails.localhost), where no hosted page can read an answer.
func withToken(next http.Handler, token string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/shell/token" {
			next.ServeHTTP(w, r)
			return
		}
		if r.Method != http.MethodGet {
			w.Header().Set("Allow", http.MethodGet)
			writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "use GET"})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"token": token})
	})
}
