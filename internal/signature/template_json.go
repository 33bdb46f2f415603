package signature

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"loginshell/internal/fault"
)

// ParseTemplates reads templates.json: a JSON array of objects whose keys
// are exactly Template's JSON names, each checked by ValidateTemplate, no
// two with names equal under strings.EqualFold. Absent fields are their
// zero value; null, a key given twice, an unknown key and a number that is
// not a whole number are refused. A refusal matches ErrBadTemplate and
// names the entry (counted from 1), its name when it has one, and the field:
// `templates.json: entry 2 ("Line Release Approval"): "timeout" must be a
// whole number of minutes greater than 0`. JSON that does not parse is
// reported with its line and column.
//
// The caller bounds the size of data.
func ParseTemplates(data []byte) ([]Template, error) {
	if !utf8.Valid(data) {
		bad := 0
		for len(data[bad:]) > 0 {
			r, size := utf8.DecodeRune(data[bad:])
			if r == utf8.RuneError && size <= 1 {
				break
			}
			bad += size
		}
		return nil, fault.Detail(ErrBadTemplate, "%s: expected UTF-8 text at %s, found a byte that is not", templatesFile, lineColumn(data, bad))
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
		if err != nil && len(bytes.TrimSpace(data)) > 0 {
			return nil, jsonError(data, "")
		}
		return nil, fault.Detail(ErrBadTemplate, "%s: expected a JSON array of templates, [ {\"name\": ...}, ... ]", templatesFile)
	}
	templates := []Template{}
	for i := 1; dec.More(); i++ {
		t, where, err := decodeTemplate(data, dec, i)
		if err != nil {
			return nil, err
		}
		if p := checkTemplate(t); p != nil {
			return nil, p.err(where)
		}
		for j, other := range templates {
			if strings.EqualFold(other.Name, t.Name) {
				return nil, fault.Detail(ErrBadTemplate, "%s: %q is already the name of entry %d (names are compared without regard to case)", where, "name", j+1)
			}
		}
		templates = append(templates, t)
	}
	if _, err := dec.Token(); err != nil {
		return nil, jsonError(data, "")
	}
	end := int(dec.InputOffset())
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fault.Detail(ErrBadTemplate, "%s: expected the end of the file after the array at %s", templatesFile, lineColumn(data, skipSpace(data, end)))
	}
	return templates, nil
}

// templateField is one key of templates.json and how to read its value.
type templateField struct {
	key  string
	read func(t *Template, raw []byte) (ok bool)
}

var wholeNumber = regexp.MustCompile(`^-?(0|[1-9][0-9]*)$`)

func stringField(key string, dst func(*Template) *string) templateField {
	return templateField{key, func(t *Template, raw []byte) bool {
		return len(raw) > 0 && raw[0] == '"' && json.Unmarshal(raw, dst(t)) == nil
	}}
}

func boolField(key string, dst func(*Template) *bool) templateField {
	return templateField{key, func(t *Template, raw []byte) bool {
		*dst(t) = string(raw) == "true"
		return string(raw) == "true" || string(raw) == "false"
	}}
}

// templateFields are Template's JSON names in the order problems are
// reported.
var templateFields = []templateField{
	stringField("name", func(t *Template) *string { return &t.Name }),
	stringField("description", func(t *Template) *string { return &t.Description }),
	stringField("expression", func(t *Template) *string { return &t.Expression }),
	stringField("idp", func(t *Template) *string { return &t.IDP }),
	stringField("framing", func(t *Template) *string { return &t.Framing }),
	{"timeout", func(t *Template, raw []byte) bool {
		if !wholeNumber.Match(raw) {
			return false
		}
		n, err := strconv.Atoi(string(raw))
		if err != nil { // beyond int: surely too long
			n = int(MaxTimeout/time.Minute) + 1
		}
		t.Timeout = n
		return true
	}},
	boolField("force", func(t *Template) *bool { return &t.Force }),
	boolField("forceUniqueUser", func(t *Template) *bool { return &t.ForceUniqueUser }),
	boolField("ordered", func(t *Template) *bool { return &t.Ordered }),
	stringField("meaning", func(t *Template) *string { return &t.Meaning }),
	stringField("rejectMeaning", func(t *Template) *string { return &t.RejectMeaning }),
	boolField("requireComment", func(t *Template) *bool { return &t.RequireComment }),
}

// decodeTemplate reads entry i, an object, and returns it with the words
// that name it in messages ("templates.json: entry 2 (\"Release\")").
func decodeTemplate(data []byte, dec *json.Decoder, i int) (Template, string, error) {
	where := fmt.Sprintf("%s: entry %d", templatesFile, i)
	start := int(dec.InputOffset())
	tok, err := dec.Token()
	if err != nil {
		return Template{}, where, jsonError(data, where)
	}
	if tok != json.Delim('{') {
		return Template{}, where, fault.Detail(ErrBadTemplate, "%s: expected an object {\"name\": ...} at %s", where, lineColumn(data, skipSpace(data, start)))
	}
	raws := map[string][]byte{}
	var unknown, twice string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return Template{}, where, jsonError(data, where)
		}
		key, _ := tok.(string) // object keys are always strings
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return Template{}, where, jsonError(data, where)
		}
		switch _, seen := raws[key]; {
		case !slices.ContainsFunc(templateFields, func(f templateField) bool { return f.key == key }):
			if unknown == "" {
				unknown = key
			}
		case seen:
			if twice == "" {
				twice = key
			}
		default:
			raws[key] = bytes.TrimSpace(raw)
		}
	}
	if _, err := dec.Token(); err != nil {
		return Template{}, where, jsonError(data, where)
	}

	var t Template
	if raw, ok := raws["name"]; ok && templateFields[0].read(&t, raw) && strings.TrimSpace(t.Name) != "" {
		where += fmt.Sprintf(" (%q)", t.Name)
	}
	switch {
	case twice != "":
		return t, where, fault.Detail(ErrBadTemplate, "%s: %q is given twice", where, twice)
	case unknown != "":
		keys := make([]string, len(templateFields))
		for k, f := range templateFields {
			keys[k] = f.key
		}
		return t, where, fault.Detail(ErrBadTemplate, "%s: %q is not a template field; the fields are %s", where, unknown, strings.Join(keys, ", "))
	}
	for _, f := range templateFields {
		raw, ok := raws[f.key]
		if !ok || f.read(&t, raw) {
			continue
		}
		switch f.key {
		case "timeout":
			return t, where, fault.Detail(ErrBadTemplate, "%s: %q %s", where, f.key, timeoutRule)
		case "force", "forceUniqueUser", "ordered", "requireComment":
			return t, where, fault.Detail(ErrBadTemplate, "%s: %q must be true or false", where, f.key)
		default:
			return t, where, fault.Detail(ErrBadTemplate, "%s: %q must be a string", where, f.key)
		}
	}
	return t, where, nil
}

// jsonError reports JSON that does not parse, at its line and column. The
// decoder's offsets are relative to the value it was reading, so the whole
// file is scanned again for an absolute one. The decoder's own text stays
// out: it is written for programmers ("invalid character '}' looking for
// beginning of value").
func jsonError(data []byte, where string) error {
	if where == "" {
		where = templatesFile
	}
	var syntax *json.SyntaxError
	if errors.As(json.Unmarshal(data, new(any)), &syntax) && int(syntax.Offset) < len(data) {
		return fault.Detail(ErrBadTemplate, "%s: not valid JSON at %s", where, lineColumn(data, max(int(syntax.Offset)-1, 0)))
	}
	return fault.Detail(ErrBadTemplate, "%s: not valid JSON: the file ends before the array is closed", where)
}

// skipSpace returns the offset of the first byte at or after off that is
// neither JSON white space nor the comma between two array elements.
func skipSpace(data []byte, off int) int {
	for off < len(data) && strings.IndexByte(" \t\r\n,", data[off]) >= 0 {
		off++
	}
	return off
}

// lineColumn names byte offset off of data as "line L, column C", both from
// 1, the column in characters.
func lineColumn(data []byte, off int) string {
	off = min(off, len(data))
	line := 1 + bytes.Count(data[:off], []byte("\n"))
	lineStart := bytes.LastIndexByte(data[:off], '\n') + 1
	return fmt.Sprintf("line %d, column %d", line, 1+utf8.RuneCount(data[lineStart:off]))
}

// EncodeTemplates writes templates in the format ParseTemplates reads:
// every field, indented by two spaces, sorted by name without regard to
// case, HTML characters unescaped, a final line break. It refuses, with
// ValidateTemplate's errors, a template that breaks a rule or a name given
// twice, so it never writes a file ParseTemplates would refuse.
func EncodeTemplates(templates []Template) ([]byte, error) {
	sorted := slices.Clone(templates)
	if sorted == nil {
		sorted = []Template{}
	}
	slices.SortStableFunc(sorted, func(a, b Template) int {
		return cmp.Or(cmp.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)), cmp.Compare(a.Name, b.Name))
	})
	for i, t := range sorted {
		if err := ValidateTemplate(t); err != nil {
			return nil, err
		}
		for _, other := range sorted[:i] {
			if strings.EqualFold(other.Name, t.Name) {
				return nil, fault.Detail(ErrBadTemplate, "template %q: %q is already the name of template %q (names are compared without regard to case)", t.Name, "name", other.Name)
			}
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(sorted); err != nil {
		return nil, fmt.Errorf("encode templates: %w", err)
	}
	return buf.Bytes(), nil
}
