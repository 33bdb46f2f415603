package redact

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
)

// TestUsualShapesOfSecrets pins the shapes a page's log line or the
// shell's own log carries secrets in besides NAME=value (issue 20): JSON
// members, "name: value" pairs, Authorization headers, bare bearer
// credentials and JSON Web Tokens. Each input holds "hunter2" (or a JWT)
// where the secret is; none may survive, and the text around it must.
func TestUsualShapesOfSecrets(t *testing.T) {
	t.Parallel()
	const jwtValue = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJvcGVyYXRvciJ9.c2lnbmF0dXJlLWJ5dGVz"
	for _, tt := range []struct {
		name, in string
		keep     []string // text that must stay
	}{
		{"a JSON password", `{"user":"olga","password":"hunter2"}`, []string{`"user":"olga"`, `"password":"[redacted]"`}},
		{"a JSON password with spaces and an escaped quote", `{ "password" : "hun\"ter2" }`, []string{`"password" : "[redacted]"`}},
		{"a JSON member whose name holds password", `{"newPassword":"hunter2","oldPassword":"hunter2"}`, []string{`"newPassword":"[redacted]"`}},
		{"a JSON secret", `{"client_secret":"hunter2"}`, []string{`"client_secret":"[redacted]"`}},
		{"a JSON token", `{"accessToken":"hunter2","expires":3600}`, []string{`"accessToken":"[redacted]"`, `"expires":3600`}},
		{"a JSON api key", `{"apiKey":"hunter2"}`, []string{`"apiKey":"[redacted]"`}},
		{"a JSON number password", `{"pin":1,"password":123hunter2}`, []string{`"pin":1`}},
		{"a single-quoted member", `{'password': 'hunter2'}`, []string{`'password': "[redacted]"`}},
		{"name: value", "password: hunter2 was typed", []string{"password: [redacted] was typed"}},
		{"Name: value in capitals", "PASSWORD:hunter2", []string{"PASSWORD:[redacted]"}},
		{"a secret: value", "secret: hunter2", []string{"secret: [redacted]"}},
		{"an Authorization header with a bearer", "Authorization: Bearer hunter2hunter2", []string{"Authorization: [redacted]"}},
		{"an Authorization header with basic", "authorization: Basic aHVudGVyMjpodW50ZXIy", []string{"authorization: [redacted]"}},
		{"a bare bearer credential", "sent Bearer hunter2hunter2 to the server", []string{"sent Bearer [redacted] to the server"}},
		{"an X-Api-Token header", "X-Api-Token: hunter2", []string{"X-Api-Token: [redacted]"}},
		{"a JWT alone", "id " + jwtValue + " seen", []string{"id [redacted] seen"}},
		{"a JWT as a bearer", "Bearer " + jwtValue, []string{"Bearer [redacted]"}},
		{"a JWT in a JSON member of another name", `{"x":"` + jwtValue + `"}`, []string{`{"x":"[redacted]"}`}},
		{"a two-part JWT (unsigned)", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJhIn0.", []string{"[redacted]"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := Text(tt.in)
			if strings.Contains(got, "hunter2") || strings.Contains(got, "eyJzdWIi") {
				t.Errorf("Text(%q) = %q still holds the secret", tt.in, got)
			}
			for _, k := range tt.keep {
				if !strings.Contains(got, k) {
					t.Errorf("Text(%q) = %q, want it to contain %q", tt.in, got, k)
				}
			}
		})
	}
}

// TestOrdinaryTextStays: the wider rules must not eat what people need to
// read in a log.
func TestOrdinaryTextStays(t *testing.T) {
	t.Parallel()
	for _, in := range []string{
		"the password is required",
		"Password rules: at least 8 characters",
		"token expired at 10:00",
		"basic settings are not configured",
		"GET /pmapi/user 200",
		`{"name":"Line Release Approval","timeout":2}`,
		"eyJ alone is not a token",
	} {
		if got := Text(in); got != in {
			t.Errorf("Text(%q) = %q, want it unchanged", in, got)
		}
	}
}

// TestHandlerMasksAttributesNamedLikeSecrets: an attribute whose key holds
// a secret's word is masked whatever its value.
func TestHandlerMasksAttributesNamedLikeSecrets(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	log := slog.New(Handler(slog.NewTextHandler(&buf, nil)))
	log.Info("page log", "newPassword", "hunter2", "X-Api-Token", "hunter2", "line", `{"password":"hunter2"}`)
	if strings.Contains(buf.String(), "hunter2") {
		t.Errorf("log line holds the secret: %s", buf.String())
	}
}
