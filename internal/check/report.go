package check

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// Text renders the report for people: one line per problem, `file: rule:
// message` (warnings marked; notes are left to JSON), then a summary line. A package with nothing
// to say gives the single line `OK <name> <version>`. File names that are
// not printable (hostile zips) are quoted, so they cannot drive a terminal.
func (r Report) Text() string {
	var b strings.Builder
	errs, warns := 0, 0
	for _, p := range r.Problems {
		if p.Severity == SeverityNote {
			continue // --json only
		}
		file := p.File
		switch {
		case file == "":
			file = "package"
		case strings.IndexFunc(file, func(c rune) bool { return !unicode.IsPrint(c) || c == unicode.ReplacementChar }) >= 0:
			file = strconv.Quote(file)
		}
		suffix := ""
		if p.Severity == SeverityWarning {
			suffix = " (warning)"
			warns++
		} else {
			errs++
		}
		fmt.Fprintf(&b, "%s: %s: %s%s\n", file, p.Rule, p.Message, suffix)
	}
	id := strings.TrimSpace(r.Name + " " + r.Version)
	if id == "" {
		id = "(no valid webapp.json)"
	}
	switch {
	case errs > 0 && warns > 0:
		fmt.Fprintf(&b, "FAIL %s: %s, %s\n", id, plural(errs, "error"), plural(warns, "warning"))
	case errs > 0:
		fmt.Fprintf(&b, "FAIL %s: %s\n", id, plural(errs, "error"))
	case warns > 0:
		fmt.Fprintf(&b, "OK %s: %s\n", id, plural(warns, "warning"))
	default:
		fmt.Fprintf(&b, "OK %s\n", id)
	}
	return b.String()
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// JSON renders the report for CI: the Report fields plus "ok", indented,
// with "problems" always an array.
func (r Report) JSON() ([]byte, error) {
	if r.Problems == nil {
		r.Problems = []Problem{}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // messages quote tags; keep them readable in CI logs
	enc.SetIndent("", "  ")
	if err := enc.Encode(struct {
		OK bool `json:"ok"`
		Report
	}{r.OK(), r}); err != nil {
		return nil, fmt.Errorf("encode the report: %w", err)
	}
	return buf.Bytes(), nil
}
