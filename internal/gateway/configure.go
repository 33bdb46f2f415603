package gateway

import (
	"encoding/json"
	"io"
	"log/slog"
	"mime"
	"net/http"

	"loginshell/internal/fault"
)

// maxConfigureBody bounds the JSON of POST /shell/configure: one URL.
const maxConfigureBody = 16 << 10

// configureRequest is the body of POST /shell/configure.
type configureRequest struct {
	LoginURL *string `json:"login_url"`
}

// configureAnswer is what POST /shell/configure answers, like /shell/cancel:
// ok, or an error a person can read.
type configureAnswer struct {
	OK    bool   `json:"ok"`
	Error string `json:"error,omitempty"`
	// Closed: a challenge's answer ended it (signature.ChallengeOver).
	Closed bool `json:"closed,omitempty"`
	// Confirm: the answer asks the signer to confirm
	// (signature.NeedsConfirm); nothing was signed.
	Confirm bool `json:"confirm,omitempty"`
}

// Texts of the refusals decided here rather than by the shell.
const (
	msgConfigureType   = "Send JSON: {\"login_url\": \"https://...\"} with Content-Type application/json."
	msgConfigureBody   = "The request body must be JSON with a login_url string: {\"login_url\": \"https://...\"}."
	msgConfigureFailed = "The login server could not be saved because of an internal error; see the shell's log."
)

// configure is POST /shell/configure with {"login_url": "..."}:
// Options.Configure stores it and starts the sign-in again. A refusal of
// the shell (an address that breaks the rule, a sign-in already running)
// answers 200 with ok false and its text, like /shell/cancel, so the chrome
// shows it beside the form; 415 answers a body that is not JSON and 400 one
// that is not the expected object. Requiring JSON also keeps plain HTML
// forms of other pages from posting here.
func (c *chrome) configure(w http.ResponseWriter, r *http.Request) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		writeJSON(w, http.StatusUnsupportedMediaType, configureAnswer{Error: msgConfigureType})
		return
	}
	var req configureRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxConfigureBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil || req.LoginURL == nil || dec.Decode(&struct{}{}) != io.EOF {
		writeJSON(w, http.StatusBadRequest, configureAnswer{Error: msgConfigureBody})
		return
	}
	if err := c.Configure(*req.LoginURL); err != nil {
		writeJSON(w, http.StatusOK, configureAnswer{Error: configureText(err, c.Log)})
		return
	}
	writeJSON(w, http.StatusOK, configureAnswer{OK: true})
}

// configureText is the text shown for a refusal, from the one map to safe
// text (fault.Text); a failure of the shell itself is logged and shown as
// such.
func configureText(err error, log *slog.Logger) string {
	if fault.KindOf(err) == fault.Internal {
		log.Error("configure the login server", "err", err)
		return msgConfigureFailed
	}
	return fault.Text(err)
}
