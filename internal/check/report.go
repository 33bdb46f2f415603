package check

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// Text renders the report for people: one line per finding, `file:
// severity: rule: message` (severity "error", "warning" or "note", as in
// JSON and the window's install problems), then a summary line counting
// errors and warnings. A package with nothing to say gives the single
// line `OK <name> <version>`. File names that are not printable (hostile
// zips) are quoted, so they cannot drive a terminal.
func (r Report) Text() string {
	var b strings.Builder
	errs, warns := 0, 0
	for _, p := range r.Problems {
		switch p.Severity {
		case SeverityError:
			errs++
		case SeverityWarning:
			warns++
		}
		fmt.Fprintln(&b, p.Line())
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

// Line is the problem as Text prints it: `file: severity: rule: message`,
// "package" for the package as a whole.
func (p Problem) Line() string {
	file := p.File
	switch {
	case file == "":
		file = "package"
	case strings.IndexFunc(file, func(c rune) bool { return !unicode.IsPrint(c) || c == unicode.ReplacementChar }) >= 0:
		file = strconv.Quote(file)
	}
	return fmt.Sprintf("%s: %s: %s: %s", file, p.Severity, p.Rule, p.Message)
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
