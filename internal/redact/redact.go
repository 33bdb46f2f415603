// Package redact keeps secrets out of logs. The authentication service
// carries passwords in the p and o query values (the seed's wire format,
// which pages written for the mobile container depend on), so any URL or
// free text that reaches a log passes through here first.
package redact

import (
	"context"
	"log/slog"
	"regexp"
	"strings"
)

// Mask replaces a secret value.
const Mask = "[redacted]"

// secretKeys are the names whose values are masked wherever "NAME=value"
// appears, in any letter case, and as the value of a log attribute of that
// name: the authentication service's passwords (p, o), the serve key, the
// OpenID client secret, OAuth and OpenID Connect values that grant or prove
// a sign-in, and generic password and token names a page may log.
// Unexported so nothing can shorten the list at run time.
var secretKeys = []string{
	"p", "o", "key", "password", "client_secret",
	"code", "state", "token", "access_token", "id_token", "refresh_token", "id_token_hint",
}

// secretWords make any name that contains one of them a secret's name,
// in any letter case and wherever in the name: "password", "newPassword",
// "db_passwd", "client_secret", "X-Api-Token", "apiKey". The exact
// secretKeys above are too short to match inside other names ("p" would
// mask "step").
var secretWords = []string{"password", "passwd", "pwd", "passphrase", "secret", "token", "apikey", "api_key", "api-key",
	"authorization", "credential", "cookie"}

// secretName matches a secret's name: an exact secretKey, or a name made
// of letters, digits, _ and - that holds a secretWord.
var secretName = `(?:` + strings.Join(secretKeys, "|") + `|[\w-]*?(?:` + strings.Join(secretWords, "|") + `)[\w-]*)`

// secretQuery matches NAME= for every secret name and the value after it.
// The name must start the string or follow a character that is not a
// letter, digit or underscore (\b), so "?p=", "&p=", "; p=" and a page's
// free text "password=hunter2" are all caught while "step=3" is not. The
// value runs to the next &, #, white space or quote; being generous there
// only ever masks more.
var secretQuery = regexp.MustCompile(`(?i)\b(` + secretName + `=)[^&#\s"']*`)

// secretJSON matches a JSON (or JavaScript, or Python) member whose name
// is a secret's, with its string value: {"password": "..."}, {'token':
// '...'}. Numbers and other values are matched up to the next , } or
// white space.
var secretJSON = []*regexp.Regexp{
	regexp.MustCompile(`(?i)("` + secretName + `"\s*:\s*)(?:"(?:[^"\\]|\\.)*"|[^\s,}\]]+)`),
	regexp.MustCompile(`(?i)('` + secretName + `'\s*:\s*)(?:'(?:[^'\\]|\\.)*'|[^\s,}\]]+)`),
}

// secretColon matches "NAME: value" in free text and headers (password:
// hunter2, Authorization: Bearer x, X-Api-Token: y): the value is the next
// word, or for an authorization the scheme and its credentials.
var secretColon = regexp.MustCompile(`(?i)\b(` + secretName + `\s*:\s*)(?:(?:bearer|basic|digest|negotiate|token)\s+)?[^\s,;"'}]+`)

// bearer matches a bearer credential wherever it stands. (Not "basic":
// "Basic settings are not configured" is one of the shell's own messages;
// a basic credential is caught in its Authorization header.)
var bearer = regexp.MustCompile(`(?i)\b(bearer)(\s+)[A-Za-z0-9._~+/=-]{8,}`)

// jwt matches a JSON Web Token (or any JWS/JWE compact form): base64url
// segments joined by dots whose first one starts with eyJ, the encoding of
// '{"'.
var jwt = regexp.MustCompile(`\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}(?:\.[A-Za-z0-9_-]*)*`)

// tokenPath matches the token segment of /auth/{token}/... paths.
var tokenPath = regexp.MustCompile(`(/auth/)[^/?#\s"']+(/(?:authenticate|setup|update))`)

// Text returns s with every secret masked: the value of a secret's name
// (see secretKeys and secretWords) written NAME=value, "NAME": value or
// NAME: value (an Authorization header too); a bearer credential; a JSON
// Web Token; and the
// token of a /auth/{token}/... path.
func Text(s string) string {
	s = jwt.ReplaceAllString(s, Mask)
	for _, re := range secretJSON {
		s = re.ReplaceAllString(s, "${1}\""+Mask+"\"")
	}
	s = secretColon.ReplaceAllString(s, "${1}"+Mask)
	s = bearer.ReplaceAllString(s, "${1}${2}"+Mask)
	s = secretQuery.ReplaceAllString(s, "${1}"+Mask)
	return tokenPath.ReplaceAllString(s, "${1}"+Mask+"${2}")
}

// Handler wraps h so that the message and every string attribute of each
// record are passed through Text, and an attribute named after a secret key
// ("password", "token", ...) is masked whatever its value: a guarantee at
// the one place every log line goes through, rather than a hope at each
// call site.
func Handler(h slog.Handler) slog.Handler { return handler{h} }

type handler struct{ next slog.Handler }

func (h handler) Enabled(ctx context.Context, l slog.Level) bool { return h.next.Enabled(ctx, l) }

func (h handler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, Text(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(attr(a))
		return true
	})
	return h.next.Handle(ctx, out)
}

func (h handler) WithAttrs(as []slog.Attr) slog.Handler {
	clean := make([]slog.Attr, len(as))
	for i, a := range as {
		clean[i] = attr(a)
	}
	return handler{h.next.WithAttrs(clean)}
}

func (h handler) WithGroup(name string) slog.Handler { return handler{h.next.WithGroup(name)} }

func attr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	if v.Kind() != slog.KindGroup && secretKey(a.Key) {
		return slog.String(a.Key, Mask)
	}
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, Text(v.String()))
	case slog.KindGroup:
		g := v.Group()
		clean := make([]any, len(g))
		for i, ga := range g {
			clean[i] = attr(ga)
		}
		return slog.Group(a.Key, clean...)
	case slog.KindAny:
		if s, ok := v.Any().(interface{ String() string }); ok {
			return slog.String(a.Key, Text(s.String()))
		}
		if err, ok := v.Any().(error); ok {
			return slog.String(a.Key, Text(err.Error()))
		}
	}
	return slog.Attr{Key: a.Key, Value: v}
}

// secretKey reports whether an attribute key names a secret: a text handler
// would print it as "key=value", which Text would have masked.
func secretKey(k string) bool { return secretKeyName.MatchString(k) }

var secretKeyName = regexp.MustCompile(`(?i)^` + secretName + `$`)
