package gateway

import (
	"mime"
	"net/http"

	"loginshell/internal/install"
	"loginshell/internal/pmapi"
)

// uploadTypes are the Content-Types POST /shell/install accepts: what the
// chrome sends, and what a script sending raw bytes would.
var uploadTypes = map[string]bool{"application/zip": true, "application/octet-stream": true}

// wrongType is the answer to any other Content-Type (a form post, JSON).
const wrongType = "Send the package itself as the request body, with Content-Type application/zip."

// upload is POST /shell/install: the raw zip is the body. Progress goes to
// /shell/events as "install" events; the answer is the install.Result,
// whose status says how it ended: 200 installed, 422 the package was
// refused (problems listed), 409 another install runs or the package would
// replace one the shell has (phase "confirm": send it again with
// ?replace=1), 413 too large, 415 not a zip body, 400 the upload broke
// off, 500 the shell failed.
func (c *chrome) upload(w http.ResponseWriter, r *http.Request) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || !uploadTypes[mt] {
		writeJSON(w, http.StatusUnsupportedMediaType, install.Refused(wrongType))
		return
	}
	// ?replace=1 is the person's yes to a confirm answer (409): the chrome
	// sends the same package again.
	res, err := c.Install.InstallUpload(r.Body, r.ContentLength, r.URL.Query().Get("replace") == "1")
	writeJSON(w, uploadStatus(err), res)
}

// uploadStatus is the status of an install's outcome, from the one map.
func uploadStatus(err error) int {
	if err == nil {
		return http.StatusOK
	}
	return pmapi.Status(err)
}
