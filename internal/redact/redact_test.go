package redact

import (
	"bytes"
	"errors"
	"log/slog"
	"net/url"
	"strings"
	"testing"
)

func TestText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{"the password of authenticate is masked", "PUT /pmapi/auth/abc-123/authenticate?p=hunter22", "PUT /pmapi/auth/[redacted]/authenticate?p=[redacted]"},
		{"old and new passwords of update are masked", "http://pmapi/auth/t1/update?o=old1&p=new2", "http://pmapi/auth/[redacted]/update?o=[redacted]&p=[redacted]"},
		{"the serve key is masked", "http://127.0.0.1:5/?key=abcdef", "http://127.0.0.1:5/?key=[redacted]"},
		{"an oauth code and state are masked", "/callback?code=xyz&state=s1", "/callback?code=[redacted]&state=[redacted]"},
		{"other query values stay", "/pmapi/window/pane?webapp=lineapp&page=2", "/pmapi/window/pane?webapp=lineapp&page=2"},
		{"a parameter merely ending in p stays", "/x?step=3", "/x?step=3"},
		{"text without secrets is unchanged", "plain message", "plain message"},
		{"an alert's detail in a person's quotes is masked too", "signature alert: the page “http://x/auth/t1/update?o=old1&p=new2” took", "signature alert: the page “http://x/auth/[redacted]/update?o=[redacted]&p=[redacted] took"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := Text(tt.in); got != tt.want {
				t.Errorf("Text(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestHandlerMasksMessageAttrsAndErrors(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	log := slog.New(Handler(slog.NewTextHandler(&buf, nil)))
	u, _ := url.Parse("http://pmapi/auth/tok/authenticate?p=s3cret-pw")
	log.With("path", "/auth/tok/setup?p=s3cret-pw").Info("call ?p=s3cret-pw",
		"url", u, "err", errors.New("bad ?o=s3cret-pw"), slog.Group("g", "q", "&p=s3cret-pw"))
	if strings.Contains(buf.String(), "s3cret") {
		t.Errorf("log line holds the secret: %s", buf.String())
	}
	if !strings.Contains(buf.String(), Mask) {
		t.Errorf("log line has no mask: %s", buf.String())
	}
}
