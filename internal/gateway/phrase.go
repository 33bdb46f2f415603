package gateway

import (
	"encoding/json"
	"io"
	"mime"
	"net/http"

	"loginshell/internal/fault"
)

// maxPhraseBody bounds the JSON of POST /shell/signing-phrase: a few words.
const maxPhraseBody = 4 << 10

// Texts of the refusals decided here rather than by the shell.
const (
	msgPhraseBody   = "Send JSON: {\"phrase\": \"...\"} with Content-Type application/json."
	msgPhraseFailed = "The signing phrase could not be saved because of an internal error; see the shell's log."
)

// signingPhrase is POST /shell/signing-phrase with {"phrase": "..."}, the
// signature dialog asking for the station's phrase at the first signing:
// Options.SigningPhrase stores it, and the next view carries it. A refusal
// (a phrase the rules refuse, one chosen already) answers 200 with ok false
// and its text, which the dialog shows; 415 a body that is not JSON, 400
// one that is not the expected object. Only the chrome reaches it: the
// pages' origin serves no /shell/ path, and the browser mode's Guard wants
// its key.
func (c *chrome) signingPhrase(w http.ResponseWriter, r *http.Request) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		writeJSON(w, http.StatusUnsupportedMediaType, configureAnswer{Error: msgPhraseBody})
		return
	}
	var req struct {
		Phrase *string `json:"phrase"`
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxPhraseBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil || req.Phrase == nil || dec.Decode(&struct{}{}) != io.EOF {
		writeJSON(w, http.StatusBadRequest, configureAnswer{Error: msgPhraseBody})
		return
	}
	if err := c.SigningPhrase(*req.Phrase); err != nil {
		text := fault.Text(err)
		if fault.KindOf(err) == fault.Internal {
			c.Log.Error("store the signing phrase", "err", err)
			text = msgPhraseFailed
		}
		writeJSON(w, http.StatusOK, configureAnswer{Error: text})
		return
	}
	writeJSON(w, http.StatusOK, configureAnswer{OK: true})
}
