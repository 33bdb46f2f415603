package gateway

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"loginshell/internal/phrase"
	"loginshell/internal/screen"
)

func TestSigningPhraseEndpoint(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name       string
		err        error // what the shell answers
		ctype      string
		body       string
		wantStatus int
		wantOK     bool
		wantText   string
		wantCall   string // what reached the shell; "-" for nothing
	}{
		{"a phrase is stored", nil, "application/json", `{"phrase":"blue heron"}`, 200, true, "", "blue heron"},
		{"a refused phrase answers 200 with the rule", phrase.ErrInvalid, "application/json", `{"phrase":"ab"}`, 200, false, "not allowed", "ab"},
		{"a second phrase answers 200 with the refusal", phrase.ErrChosen, "application/json", `{"phrase":"green frog"}`, 200, false, "already", "green frog"},
		{"an internal error is not shown", errors.New("rename /secret/signing-phrase: disk full"), "application/json", `{"phrase":"x y z w"}`,
			200, false, "internal error", "x y z w"},
		{"a form post is refused", nil, "application/x-www-form-urlencoded", "phrase=blue+heron", 415, false, "application/json", "-"},
		{"a missing phrase is a bad request", nil, "application/json", `{}`, 400, false, "phrase", "-"},
		{"an unknown field is a bad request", nil, "application/json", `{"phrase":"a b c d","x":1}`, 400, false, "phrase", "-"},
		{"an oversized body is a bad request", nil, "application/json", `{"phrase":"` + strings.Repeat("a", 8<<10) + `"}`, 400, false, "phrase", "-"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := "-"
			h, err := New(Options{Screen: screen.New("", "", nil, nil), Retry: func() {}, Cancel: func() error { return nil },
				SigningPhrase: func(p string) error { got = p; return tt.err }})
			if err != nil {
				t.Fatal(err)
			}
			req := httptest.NewRequest(http.MethodPost, "/shell/signing-phrase", strings.NewReader(tt.body))
			req.Header.Set("Content-Type", tt.ctype)
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			var res configureAnswer
			if err := json.Unmarshal(w.Body.Bytes(), &res); err != nil || w.Code != tt.wantStatus {
				t.Fatalf("POST /shell/signing-phrase = %d %s (%v), want %d", w.Code, w.Body, err, tt.wantStatus)
			}
			if res.OK != tt.wantOK || !strings.Contains(res.Error, tt.wantText) || strings.Contains(w.Body.String(), "/secret") {
				t.Errorf("answer = %+v, want ok %v and an error containing %q", res, tt.wantOK, tt.wantText)
			}
			if got != tt.wantCall {
				t.Errorf("the shell got %q, want %q", got, tt.wantCall)
			}
		})
	}
	h, err := New(Options{Screen: screen.New("", "", nil, nil), Retry: func() {}, Cancel: func() error { return nil }})
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, "/shell/signing-phrase", strings.NewReader(`{"phrase":"blue heron"}`))
	req.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if w.Code != http.StatusNotFound {
		t.Errorf("POST /shell/signing-phrase without SigningPhrase (the window's chrome) = %d, want 404", w.Code)
	}
}
