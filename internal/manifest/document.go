package manifest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"strings"
)

// object is a decoded JSON document whose fields are read one by one, so
// that every complaint can name the field at fault.
type object struct {
	doc    string
	fields map[string]json.RawMessage
}

func readObject(doc string, data []byte) (object, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // editors on Windows add a BOM
	data = StripComments(data)                            // the container's CLI allowed them
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(data, &fields); err != nil {
		problem := "is not a JSON object: " + err.Error()
		var se *json.SyntaxError
		if errors.As(err, &se) {
			line, col := lineColumn(data, se.Offset)
			problem = fmt.Sprintf("is not valid JSON at line %d, column %d: %v", line, col, se)
		}
		return object{}, &DocumentError{Document: doc, Problem: problem}
	}
	if fields == nil { // the document was the literal null
		return object{}, &DocumentError{Document: doc, Problem: "is not a JSON object"}
	}
	return object{doc: doc, fields: fields}, nil
}

func (o object) fail(field, problem string) error {
	return &DocumentError{Document: o.doc, Field: field, Problem: problem}
}

// str returns the string at key; null and absence both read as "".
func (o object) str(key string) (string, error) {
	raw, ok := o.fields[key]
	if !ok || string(raw) == "null" {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", o.fail(key, "must be a string")
	}
	return strings.TrimSpace(s), nil
}

// aliased reads key and its alias; both may be present only if they agree.
func (o object) aliased(key, alias string) (string, error) {
	v, err := o.str(key)
	if err != nil {
		return "", err
	}
	a, err := o.str(alias)
	if err != nil {
		return "", err
	}
	switch {
	case v == "":
		return a, nil
	case a != "" && a != v:
		return "", o.fail(alias, fmt.Sprintf("is an alias of %q and must not disagree with it (%q vs %q)", key, a, v))
	}
	return v, nil
}

// ValidName reports whether s can be one directory name and one URL path
// segment: package names and versions become both webapps/<name>/<version>/
// and /webapps/<name>/. ParseWebApp and ParseBoot hold every name and
// version to it; whoever takes a package name from elsewhere (a request
// path) checks it here too.
func ValidName(s string) bool {
	if s == "" || s == "." || s == ".." || strings.HasPrefix(s, ".") {
		return false
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f || strings.ContainsRune(`/\:*?"<>|%#`, r) {
			return false
		}
	}
	return true
}

const elementRule = "must be a plain name: no slashes, no leading dot, none of \\ : * ? \" < > | % #"

// cleanPagePath checks a page path from webapp.json and returns it in the
// form fs.FS expects. Pages are files inside the package, so anything that
// could point elsewhere — "..", an absolute path, a drive letter, a
// backslash that Windows would treat as a separator — is refused.
func cleanPagePath(p string) (string, string) {
	switch {
	case strings.Contains(p, `\`):
		return "", "must use forward slashes, not backslashes"
	case strings.HasPrefix(p, "/") || strings.Contains(p, ":"):
		return "", "must be a path relative to the package, not an absolute path or URL"
	}
	for strings.HasPrefix(p, "./") {
		p = p[2:]
	}
	if !fs.ValidPath(p) || p == "." {
		return "", "must name a file inside the package (no \"..\", \".\" or empty segments)"
	}
	return p, ""
}

// lineColumn is where byte offset off of data is, both counted from 1:
// what an editor shows. A syntax error's offset is just past the byte
// that was wrong, so that byte's place is given.
func lineColumn(data []byte, off int64) (line, col int) {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	if off > 0 {
		off-- // the offending byte
	}
	before := data[:off]
	line = bytes.Count(before, []byte("\n")) + 1
	col = len(before) - bytes.LastIndexByte(before, '\n')
	return line, col
}
