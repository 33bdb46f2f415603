package gateway

import (
	"encoding/json"
	"io"
	"mime"
	"net/http"

	"loginshell/internal/configure"
)

// Settings is the chrome's Settings place (configure.Place) as its
// endpoints need it.
type Settings interface {
	Current() configure.Values
	Save(c configure.Change) (configure.Saved, error)
}

// maxSettingsBody bounds the JSON of POST /shell/settings: three short
// strings.
const maxSettingsBody = 16 << 10

// Texts of the refusals decided here rather than by the place.
const (
	msgSettingsType = "Send JSON: {\"loginURL\": \"https://...\", \"redirectPort\": \"\", \"signatureStore\": \"\"} with Content-Type application/json."
	msgSettingsBody = "The request body must be JSON with the strings loginURL, redirectPort and signatureStore, and nothing else."
)

// settingsView is GET /shell/settings: what the Settings place shows.
func (c *chrome) settingsView(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, c.Settings.Current())
}

// settingsSave is POST /shell/settings with a configure.Change: every
// field checked with its key's one rule, all stored or none. A refusal of
// the place answers 200 with ok false, the text and the field at fault
// (configure.Answer), like /shell/configure, so the chrome shows it beside
// that field; 415 answers a body that is not JSON (which also keeps plain
// HTML forms of other pages out) and 400 one that is not the expected
// object. Like every /shell/ endpoint it is the chrome's: Guard (the
// browser mode's key) stands in front of it, and no hosted page reaches
// it (pages have an origin of their own, and /pmapi refuses these keys).
func (c *chrome) settingsSave(w http.ResponseWriter, r *http.Request) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		writeJSON(w, http.StatusUnsupportedMediaType, configure.Answer{Error: msgSettingsType})
		return
	}
	var change configure.Change
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxSettingsBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&change); err != nil || dec.Decode(&struct{}{}) != io.EOF {
		writeJSON(w, http.StatusBadRequest, configure.Answer{Error: msgSettingsBody})
		return
	}
	saved, err := c.Settings.Save(change)
	writeJSON(w, http.StatusOK, configure.Reply(saved, err, c.Log))
}
