package pmapi

import (
	"encoding/json"
	"log/slog"
	"net/http"

	"loginshell/internal/fault"
)

// statusOf is the one map from error kinds to status codes. The engines
// chose each error's kind to be the seed's code for it (auth.ErrInProgress
// is a bad request, 400, as the seed says of POST /auth); the kinds the
// seed does not name take the usual HTTP meaning.
var statusOf = map[fault.Kind]int{
	fault.Internal:      http.StatusInternalServerError,
	fault.BadRequest:    http.StatusBadRequest,
	fault.NotFound:      http.StatusNotFound,
	fault.Conflict:      http.StatusConflict,
	fault.Forbidden:     http.StatusForbidden,
	fault.Locked:        http.StatusForbidden, // the seed: a refused password is 403
	fault.NotConfigured: http.StatusInternalServerError,
	fault.Unavailable:   http.StatusServiceUnavailable,
	fault.TooLarge:      http.StatusRequestEntityTooLarge,
	fault.Invalid:       http.StatusUnprocessableEntity,
	fault.Unauthorized:  http.StatusUnauthorized,
	fault.Method:        http.StatusMethodNotAllowed,
	fault.Unsupported:   http.StatusNotImplemented,
	fault.TooMany:       http.StatusTooManyRequests,
}

// Status is the status code of err, from the one map: the REST API and
// the gateway's install endpoint answer with it. An error of no kind is
// 500; its cause belongs in the log. The text that goes with it is
// fault.Text's, the one map to text safe to show, which the window's
// bindings use too: they need no status code, and so no HTTP package.
func Status(err error) int { return statusOf[fault.KindOf(err)] }

var (
	errBusy       = fault.New(fault.Forbidden, "authentication is in progress; this service is unavailable until it completes")
	errBadRequest = fault.New(fault.BadRequest, "bad request")
	errNotFound   = fault.New(fault.NotFound, "not found")
	errMethod     = fault.New(fault.Method, "method not allowed")
	errTooLarge   = fault.New(fault.TooLarge, "too large")
)

// writeError answers with the error's status and {"error": text}, and logs
// the whole error (redacted by the logger), at error level when the shell
// itself failed.
func (a *api) writeError(w http.ResponseWriter, r *http.Request, err error) {
	status, text := Status(err), fault.Text(err)
	level := slog.LevelInfo
	if fault.KindOf(err) == fault.Internal {
		level = slog.LevelError
	}
	a.log.Log(r.Context(), level, "request refused", "method", r.Method, "path", r.URL.RequestURI(), "status", status, "err", err)
	WriteJSON(w, status, map[string]string{"error": text})
}

// WriteJSON answers v as JSON with status, never cached. The gateway's own
// endpoints use it too, so every answer of the shell has the same headers.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	writeHeader(w, status)
	if v != nil {
		_ = json.NewEncoder(w).Encode(v)
	}
}

// The values of WriteJSON's headers, made once: every answer shares them,
// and nothing appends to or changes a header value once set.
var (
	jsonType = []string{"application/json; charset=utf-8"}
	noStore  = []string{"no-store"}
)

// writeHeader writes WriteJSON's headers and status.
func writeHeader(w http.ResponseWriter, status int) {
	h := w.Header()
	h["Content-Type"] = jsonType
	h["Cache-Control"] = noStore
	w.WriteHeader(status)
}
