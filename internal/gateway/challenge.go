package gateway

import (
	"context"
	"encoding/json"
	"io"
	"net/http"

	"loginshell/internal/fault"
	"loginshell/internal/signature"
)

// Challenges answers the shell's signature dialog; *signature.Engine is
// one. Only the chrome reaches it (the window's bindings, or these
// endpoints behind the browser mode's key): what a signer types never
// passes through a hosted page.
type Challenges interface {
	Answer(ctx context.Context, id, userID, password, comment string) (signature.Outcome, error)
	Dismiss(ctx context.Context, id string) error
}

// maxAnswerBody bounds the dialog's answer: a user ID, a password, a comment.
const maxAnswerBody = 16 << 10

// answerRequest is the body of POST /shell/challenge/{id}.
type answerRequest struct {
	UserID   string `json:"userId"`
	Password string `json:"password"`
	Comment  string `json:"comment"`
}

// challenge serves the dialog's two answers in the browser mode:
// POST /shell/challenge/{id} {userId, password, comment} signs (200 with
// {ok} or {ok: false, error} for a refused signature, which the dialog
// shows, with closed: true when the refusal ended the challenge), DELETE /shell/challenge/{id} closes it without signing.
func routeChallenges(mux *http.ServeMux, c Challenges) {
	mux.HandleFunc("POST /shell/challenge/{id}", func(w http.ResponseWriter, r *http.Request) {
		var q answerRequest
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxAnswerBody))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&q); err != nil || dec.Decode(&struct{}{}) != io.EOF {
			writeJSON(w, http.StatusBadRequest, configureAnswer{Error: `Send JSON: {"userId": "...", "password": "...", "comment": "..."}.`})
			return
		}
		_, err := c.Answer(r.Context(), r.PathValue("id"), q.UserID, q.Password, q.Comment)
		if err != nil {
			writeJSON(w, http.StatusOK, configureAnswer{Error: fault.Text(err), Closed: signature.ChallengeOver(err)})
			return
		}
		writeJSON(w, http.StatusOK, configureAnswer{OK: true})
	})
	mux.HandleFunc("DELETE /shell/challenge/{id}", func(w http.ResponseWriter, r *http.Request) {
		if err := c.Dismiss(r.Context(), r.PathValue("id")); err != nil {
			writeJSON(w, http.StatusOK, configureAnswer{Error: fault.Text(err)})
			return
		}
		writeJSON(w, http.StatusOK, configureAnswer{OK: true})
	})
}
