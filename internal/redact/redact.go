// Package redact keeps secrets out of logs. The authentication service
// carries passwords in the p and o query values (the seed's wire format,
// which pages written for the mobile container depend on), so any URL or
// free text that reaches a log passes through here first.
package redact

import (
	"context"
	"log/slog"
	"regexp"
)

// Mask replaces a secret value.
const Mask = "[redacted]"

// secretQuery matches p=, o=, key=, token-ish and code values in query
// strings, whether in a URL or in free text a page logged.
var secretQuery = regexp.MustCompile(`(?i)([?&;](?:p|o|key|code|state|token|access_token|id_token|refresh_token|password|id_token_hint)=)[^&#\s"']*`)

// tokenPath matches the token segment of /auth/{token}/... paths.
var tokenPath = regexp.MustCompile(`(/auth/)[^/?#\s"']+(/(?:authenticate|setup|update))`)

// Text returns s with every secret query value and auth token masked.
func Text(s string) string {
	s = secretQuery.ReplaceAllString(s, "${1}"+Mask)
	return tokenPath.ReplaceAllString(s, "${1}"+Mask+"${2}")
}

// Handler wraps h so that the message and every string attribute of each
// record are passed through Text: a guarantee at the one place every log
// line goes through, rather than a hope at each call site.
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
