package redact

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

// claimed lists, written out, every name the package comment and secretKeys
// promise to mask. It is deliberately not secretKeys itself: dropping a
// name there must fail this test.
var claimed = []string{
	"p", "o", "key", "password", "client_secret",
	"code", "state", "token", "access_token", "id_token", "refresh_token", "id_token_hint",
}

const secret = "hunter2-S3cret"

// placements puts NAME=secret everywhere a log line may carry it.
var placements = []struct {
	name   string
	format string // %s is NAME=secret
}{
	{"first in a URL query", "http://pmapi/x?%s"},
	{"after another query value", "/pmapi/x?a=1&%s"},
	{"before another query value", "/pmapi/x?%s&a=1"},
	{"after a semicolon separator", "/pmapi/x?a=1;%s"},
	{"in a URL fragment", "/callback#%s"},
	{"at the start of the string", "%s"},
	{"at the start with more text after", "%s then more"},
	{"in free text after a space", "page says %s"},
	{"in free text after a comma", "page says a,%s"},
	{"in double quotes", `body "%s"`},
	{"in parentheses", "(%s)"},
	{"after a tab", "x\t%s"},
	{"on the second line", "line one\n%s"},
}

// TestEverySecretKeyIsMaskedEverywhere crosses every claimed key with every
// placement: the secret must be gone and the mask in its place.
func TestEverySecretKeyIsMaskedEverywhere(t *testing.T) {
	t.Parallel()
	for _, key := range claimed {
		for _, pl := range placements {
			for _, name := range []string{key, strings.ToUpper(key)} {
				in := fmt.Sprintf(pl.format, name+"="+secret)
				t.Run(name+" is masked "+pl.name, func(t *testing.T) {
					t.Parallel()
					got := Text(in)
					if strings.Contains(got, "hunter2") || strings.Contains(got, "S3cret") {
						t.Errorf("Text(%q) = %q still holds the secret", in, got)
					}
					if want := name + "=" + Mask; !strings.Contains(got, want) {
						t.Errorf("Text(%q) = %q, want it to contain %q", in, got, want)
					}
				})
			}
		}
	}
}

// TestSecretKeysListIsTheClaimedOne keeps the code and the promise in step
// both ways: a name added to secretKeys must be added to this test's list.
func TestSecretKeysListIsTheClaimedOne(t *testing.T) {
	t.Parallel()
	if strings.Join(secretKeys, ",") != strings.Join(claimed, ",") {
		t.Errorf("secretKeys = %v, the tests claim %v", secretKeys, claimed)
	}
}

func TestTextExactOutput(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{"a page's free-text password is masked", "password=hunter2", "password=[redacted]"},
		{"a page's free-text token is masked", "token=abc", "token=[redacted]"},
		{"the id_token_hint of a logout URL is masked", "https://idp.example/logout?id_token_hint=eyJhbGc.eyJzdWI.sig&post_logout_redirect_uri=http%3A%2F%2F127.0.0.1",
			"https://idp.example/logout?id_token_hint=[redacted]&post_logout_redirect_uri=http%3A%2F%2F127.0.0.1"},
		{"a password in a query is masked up to the next &", "/x?password=a%20b&next=1", "/x?password=[redacted]&next=1"},
		{"the value stops at white space", "p=one two", "p=[redacted] two"},
		{"the value stops at a quote", `"p=one"`, `"p=[redacted]"`},
		{"the value stops at a fragment", "/x?p=one#frag", "/x?p=[redacted]#frag"},
		{"the value stops at a single quote", "'p=one'", "'p=[redacted]'"},
		{"an empty value is still marked", "/x?p=&q=1", "/x?p=[redacted]&q=1"},
		{"a mixed-case key is masked, keeping its case", "Password=x", "Password=[redacted]"},
		{"several secrets on one line are all masked", "p=1 o=2 key=3", "p=[redacted] o=[redacted] key=[redacted]"},
		{"an auth token in a path is masked", "/pmapi/auth/tok-1/setup?p=x", "/pmapi/auth/[redacted]/setup?p=[redacted]"},
		{"an auth token of update is masked", "/auth/tok-1/update", "/auth/[redacted]/update"},
		{"an auth token of authenticate is masked", "http://pmapi/auth/tok-1/authenticate", "http://pmapi/auth/[redacted]/authenticate"},
		{"POST /auth/setup holds no token and stays", "POST /pmapi/auth/setup", "POST /pmapi/auth/setup"},
		// The token is exactly one path segment: text that merely has
		// /auth/ and /setup further on is not a token and stays readable.
		{"two segments after /auth/ are not a token", "/auth/a/b/setup", "/auth/a/b/setup"},
		{"a query after /auth/ is not a token", "/auth/a?b/setup", "/auth/a?b/setup"},
		{"a fragment after /auth/ is not a token", "/auth/a#b/setup", "/auth/a#b/setup"},
		{"words apart are not a token", "/auth/a b/setup", "/auth/a b/setup"},
		{"a double quote ends a path", `/auth/a"b/setup`, `/auth/a"b/setup`},
		{"a single quote ends a path", "/auth/a'b/setup", "/auth/a'b/setup"},
		{"a key merely ending in p stays", "step=3", "step=3"},
		// Any name holding password, secret, token... is a secret's name
		// (issue 20): a page's "mytoken" is as secret as "token".
		{"a name holding token is masked", "mytoken=3", "mytoken=[redacted]"},
		{"a key merely ending in key stays", "monkey=3", "monkey=3"},
		{"a longer key starting with p stays", "page=2&pp=1", "page=2&pp=1"},
		{"a key with an underscore prefix stays", "client_state=3", "client_state=3"},
		{"a name without = stays", "the password is required", "the password is required"},
		{"the empty string stays", "", ""},
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

// stringer and failure stand for values a caller logs that are not strings.
type stringer string

func (s stringer) String() string { return string(s) }

type failure string

func (f failure) Error() string { return string(f) }

// TestHandlerMasksEverywhereInARecord logs one secret in every position a
// record has and checks the JSON output field by field.
func TestHandlerMasksEverywhereInARecord(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		log  func(*slog.Logger)
	}{
		{"in the message", func(l *slog.Logger) { l.Info("page says password=" + secret) }},
		{"in a string attribute", func(l *slog.Logger) { l.Info("m", "url", "/x?token="+secret) }},
		{"in a Stringer attribute", func(l *slog.Logger) { l.Info("m", "url", stringer("/x?code="+secret)) }},
		{"in an error attribute", func(l *slog.Logger) { l.Info("m", "err", failure("bad o="+secret)) }},
		{"in a group", func(l *slog.Logger) { l.Info("m", slog.Group("g", "q", "&p="+secret)) }},
		{"in a nested group", func(l *slog.Logger) { l.Info("m", slog.Group("g", slog.Group("h", "q", "key="+secret))) }},
		{"in an attribute added by With", func(l *slog.Logger) { l.With("q", "state="+secret).Info("m") }},
		{"in a group added by With", func(l *slog.Logger) { l.With(slog.Group("g", "q", "id_token="+secret)).Info("m") }},
		{"under WithGroup", func(l *slog.Logger) { l.WithGroup("g").Info("m", "q", "refresh_token="+secret) }},
		{"as an attribute named password", func(l *slog.Logger) { l.Info("m", "password", secret) }},
		{"as an attribute named Token in another case", func(l *slog.Logger) { l.Info("m", "Token", secret) }},
		{"as a non-string attribute named p", func(l *slog.Logger) { l.Info("m", "p", []byte(secret)) }},
		{"as an attribute named client_secret added by With", func(l *slog.Logger) { l.With("client_secret", secret).Info("m") }},
		{"as a LogValuer", func(l *slog.Logger) { l.Info("m", "v", valuer("access_token="+secret)) }},
	}
	for _, tt := range tests {
		t.Run("a secret is masked "+tt.name, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			tt.log(slog.New(Handler(slog.NewJSONHandler(&buf, nil))))
			if strings.Contains(buf.String(), "hunter2") || strings.Contains(buf.String(), "S3cret") {
				t.Errorf("log line holds the secret: %s", buf.String())
			}
			if !strings.Contains(buf.String(), Mask) {
				t.Errorf("log line has no mask: %s", buf.String())
			}
			var rec map[string]any
			if err := json.Unmarshal(buf.Bytes(), &rec); err != nil {
				t.Errorf("log line is not one JSON record: %v: %s", err, buf.String())
			}
		})
	}
}

type valuer string

func (v valuer) LogValue() slog.Value { return slog.StringValue(string(v)) }

// TestHandlerKeepsWhatIsNotSecret: the wrapper must not drop or rewrite
// ordinary attributes, levels or groups.
func TestHandlerKeepsWhatIsNotSecret(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	h := Handler(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo}))
	log := slog.New(h)
	log.Debug("dropped at info level")
	log.With("user", "alice").WithGroup("req").Info("signed in", "n", 3, "path", "/pmapi/window/pane?webapp=lineapp")
	var rec map[string]any
	if err := json.Unmarshal(buf.Bytes(), &rec); err != nil {
		t.Fatalf("want exactly one JSON record: %v: %s", err, buf.String())
	}
	if rec["msg"] != "signed in" || rec["user"] != "alice" {
		t.Errorf("record = %v", rec)
	}
	req, _ := rec["req"].(map[string]any)
	if req["n"] != float64(3) || req["path"] != "/pmapi/window/pane?webapp=lineapp" {
		t.Errorf("group req = %v", rec["req"])
	}
	if h.Enabled(t.Context(), slog.LevelDebug) || !h.Enabled(t.Context(), slog.LevelInfo) {
		t.Error("Enabled does not follow the wrapped handler's level")
	}
}
