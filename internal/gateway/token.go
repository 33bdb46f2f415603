package gateway

import (
	"context"
	"net/http"
	"strings"

	"loginshell/internal/screen"
)

// WindowChrome is what the window's chrome handler takes from the window
// (app/): the secrets only the chrome may learn.
type WindowChrome struct {
	// Token is the bindings' token. GET /shell/token hands it to the
	// chrome, and every other /shell/ request must carry it in KeyHeader.
	Token string
	// Channel returns the prefix the chrome puts before every message it
	// posts on the window's message channel (see app's channelGuard;
	// "" where none is needed), blocking until the channel is guarded:
	// GET /shell/token answers only then, with the prefix, or 503 when
	// the channel could not be guarded, so the chrome does not start.
	Channel func(ctx context.Context) (string, error)
	// View, if set, is what the window shows now: GET /shell/token hands
	// it with the token, so the chrome draws its first view (and starts
	// the first page's frame) without waiting for the View binding's
	// round trip through the web view (README, Performance). It reveals
	// nothing the token does not already open (the binding answers the
	// same), and it changes nothing: the binding still tells the window
	// that the chrome is back.
	View func() screen.View
}

// withToken guards the window's chrome handler:
//
//   - GET /shell/token answers the bindings' token, the channel's prefix
//     and the view, on the chrome's own origin (wails://wails,
//     http://wails.localhost), where no hosted page can read an answer;
//   - every other /shell/ request needs the token in KeyHeader: 401
//     otherwise, before its body is read. A hosted page can send a request
//     there blind (a no-cors fetch), but cannot read the token, and a
//     header of its own would need a CORS preflight the chrome never
//     answers.
//
// The chrome's files and Wails' own paths are not under /shell/.
func withToken(next http.Handler, wc WindowChrome) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/shell/token":
			if r.Method != http.MethodGet {
				w.Header().Set("Allow", http.MethodGet)
				writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "use GET"})
				return
			}
			channel, err := wc.Channel(r.Context())
			if err != nil {
				writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "the shell's window is not safe to use: its message channel is open to hosted pages"})
				return
			}
			answer := map[string]any{"token": wc.Token, "channel": channel}
			if wc.View != nil {
				answer["view"] = wc.View()
			}
			writeJSON(w, http.StatusOK, answer)
		case strings.HasPrefix(r.URL.Path, "/shell/") && !equal(r.Header.Get(KeyHeader), wc.Token):
			writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "this request did not come from the shell's own window"})
		default:
			next.ServeHTTP(w, r)
		}
	})
}
