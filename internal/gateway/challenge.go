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
	// Exposed records that the dialog closed the page behind it because
	// the page took the keyboard: keys typed may have reached it.
	Exposed(ctx context.Context, id string, x signature.Exposure) error
}

// maxAnswerBody bounds the dialog's answer: a user ID, a password, a comment.
const maxAnswerBody = 16 << 10

// answerRequest is the body of POST /shell/challenge/{id}.
type answerRequest struct {
	UserID   string `json:"userId"`
	Password string `json:"password"`
	Comment  string `json:"comment"`
}

// answer is POST /shell/challenge/{id}, the browser dialog's Sign. The
// body must be one JSON object of userId, password and comment, no other
// field, nothing after it and at most maxAnswerBody bytes; anything else
// is 400 with {ok: false, error} saying what to send. Any other outcome is
// 200, since the dialog shows it rather than failing: {ok: true} when the
// slot is signed, else {ok: false, error} with the safe text of whatever
// Answer returned (a wrong password, a lockout, no such open challenge, a
// fault of the shell), plus closed: true when that error ended the
// challenge (signature.ChallengeOver), so the dialog offers only Close, or
// confirm: true when it asks the signer to confirm (signature.NeedsConfirm).
func (c *chrome) answer(w http.ResponseWriter, r *http.Request) {
	var q answerRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxAnswerBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&q); err != nil || dec.Decode(&struct{}{}) != io.EOF {
		writeJSON(w, http.StatusBadRequest, configureAnswer{Error: `Send JSON: {"userId": "...", "password": "...", "comment": "..."}.`})
		return
	}
	_, err := c.Challenges.Answer(r.Context(), r.PathValue("id"), q.UserID, q.Password, q.Comment)
	if err != nil {
		writeJSON(w, http.StatusOK, configureAnswer{Error: fault.Text(err), Closed: signature.ChallengeOver(err), Confirm: signature.NeedsConfirm(err)})
		return
	}
	writeJSON(w, http.StatusOK, configureAnswer{OK: true})
}

// dismiss is DELETE /shell/challenge/{id}, the dialog's Cancel: it ends
// the challenge without signing (the page hears an error outcome, the slot
// stays pending). It reads no body and always answers 200: {ok: true}, or
// {ok: false, error} with the safe text of Dismiss's error (no such open
// challenge), never with closed.
func (c *chrome) dismiss(w http.ResponseWriter, r *http.Request) {
	if err := c.Challenges.Dismiss(r.Context(), r.PathValue("id")); err != nil {
		writeJSON(w, http.StatusOK, configureAnswer{Error: fault.Text(err)})
		return
	}
	writeJSON(w, http.StatusOK, configureAnswer{OK: true})
}

// maxExposureBody bounds the dialog's report of a page that took the keyboard.
const maxExposureBody = 4 << 10

// exposed is POST /shell/challenge/{id}/exposed: the browser dialog closed
// the page behind it because that page took the keyboard, and keys typed
// may have reached it (signature.Engine.Exposed writes the alert). The
// body is one JSON object of userId, field and whole, nothing else; else
// 400 saying what to send. Otherwise 200: {ok: true}, or {ok: false,
// error} (no such open challenge, a field the dialog lacks).
func (c *chrome) exposed(w http.ResponseWriter, r *http.Request) {
	var x signature.Exposure
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxExposureBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&x); err != nil || dec.Decode(&struct{}{}) != io.EOF {
		writeJSON(w, http.StatusBadRequest, configureAnswer{Error: `Send JSON: {"userId": "...", "field": "password", "whole": false}.`})
		return
	}
	if err := c.Challenges.Exposed(r.Context(), r.PathValue("id"), x); err != nil {
		writeJSON(w, http.StatusOK, configureAnswer{Error: fault.Text(err)})
		return
	}
	writeJSON(w, http.StatusOK, configureAnswer{OK: true})
}

// signInExposed is POST /shell/signin/exposed: the chrome closed the page
// behind the sign-in page shown over it because that page took the
// keyboard (shell.Shell.SignInExposed writes the alert from what the
// screen shows). The body is one JSON object of whole, nothing else; else
// 400 saying what to send. Otherwise 200: {ok: true}, or {ok: false,
// error} when no sign-in page is shown over a page.
func (c *chrome) signInExposed(w http.ResponseWriter, r *http.Request) {
	var x struct {
		Whole bool `json:"whole"`
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxExposureBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&x); err != nil || dec.Decode(&struct{}{}) != io.EOF {
		writeJSON(w, http.StatusBadRequest, configureAnswer{Error: `Send JSON: {"whole": false}.`})
		return
	}
	if err := c.SignInExposed(r.Context(), x.Whole); err != nil {
		writeJSON(w, http.StatusOK, configureAnswer{Error: fault.Text(err)})
		return
	}
	writeJSON(w, http.StatusOK, configureAnswer{OK: true})
}
