package pmapi

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"loginshell/internal/auth"
	"loginshell/internal/keychain"
	"loginshell/internal/settings"
	"loginshell/internal/webapps"
)

// statusOf is the one map from engine errors to the seed's status codes.
// Order matters: an error may wrap several sentinels (ErrNotAttempted wraps
// the reason), and the first match wins.
var statusOf = []struct {
	err    error
	status int
}{
	{auth.ErrNotConfigured, http.StatusInternalServerError},
	{auth.ErrNotAttempted, http.StatusForbidden},
	{auth.ErrFailed, http.StatusForbidden},
	{auth.ErrCancelled, http.StatusForbidden},
	{auth.ErrInProgress, http.StatusBadRequest},
	{auth.ErrNotInProgress, http.StatusBadRequest},
	{auth.ErrTokenUnknown, http.StatusNotFound},
	{auth.ErrBadQuery, http.StatusBadRequest},
	{auth.ErrNotOnline, http.StatusBadRequest},
	{auth.ErrNoOfflinePackage, http.StatusBadRequest},
	{auth.ErrNoPage, http.StatusBadRequest},
	{auth.ErrVaultExists, http.StatusBadRequest},
	{auth.ErrNoVault, http.StatusBadRequest},
	{keychain.ErrWeakPassword, http.StatusBadRequest},
	{keychain.ErrWrongPassword, http.StatusForbidden},
	{keychain.ErrLocked, http.StatusForbidden},
	{keychain.ErrTampered, http.StatusForbidden},
	{keychain.ErrNoVault, http.StatusForbidden},
	{errBusy, http.StatusForbidden},
	{errBadRequest, http.StatusBadRequest},
	{settings.ErrNotFound, http.StatusNotFound},
	{errNotFound, http.StatusNotFound},
	{webapps.ErrUnknownApp, http.StatusNotFound},
}

var (
	errBusy       = errors.New("authentication is in progress; this service is unavailable until it completes")
	errBadRequest = errors.New("bad request")
	errNotFound   = errors.New("not found")
)

// internalMessage is all a page sees of an error nobody mapped: the cause
// (an I/O error, a path) goes to the log, not to the page.
const internalMessage = "internal error in the shell; see its log"

// writeError answers with the error's status and {"error": message}.
func (a *api) writeError(w http.ResponseWriter, r *http.Request, err error) {
	status, msg := http.StatusInternalServerError, internalMessage
	for _, m := range statusOf {
		if errors.Is(err, m.err) {
			status, msg = m.status, err.Error()
			if text, ok := keychain.Message(err); ok {
				msg = text
			}
			break
		}
	}
	level := slog.LevelInfo
	if status == http.StatusInternalServerError && msg == internalMessage {
		level = slog.LevelError
	}
	a.log.Log(r.Context(), level, "request refused", "method", r.Method, "path", r.URL.RequestURI(), "status", status, "err", err)
	writeJSON(w, status, map[string]string{"error": msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if v != nil {
		_ = json.NewEncoder(w).Encode(v)
	}
}
