package pagefiles

import (
	_ "embed"
	"html"
)

// shimJS routes http://pmapi/... XHR and fetch calls to /pmapi/... on the
// shell's origin; see the comment at its top for the exact rule.
//
//go:embed shim.js
var shimJS string

// InjectShim returns page with the pmapi shim added as an inline <script>,
// placed so it runs before any of the page's own scripts: right after the
// <head> tag (matched case-insensitively, attributes allowed), or, with no
// <head>, after the doctype and <html> tag if present, else at the very
// start. It never goes before the doctype, which would drop the page into
// quirks mode. The page is not otherwise parsed or changed.
//
// Callers that serve packages themselves must inject exactly once per
// response; a page with a Content-Security-Policy forbidding inline scripts
// will block the shim.
func InjectShim(page []byte) []byte { return injectShim(page, "") }

// injectShim also adds <base href=baseHref> when baseHref is not empty, for
// an index.html served at a directory URL lacking its trailing slash.
func injectShim(page []byte, baseHref string) []byte {
	snippet := "<script>" + shimJS + "</script>"
	if baseHref != "" {
		snippet = `<base href="` + html.EscapeString(baseHref) + `">` + snippet
	}
	at := insertionPoint(page)
	out := make([]byte, 0, len(page)+len(snippet))
	out = append(out, page[:at]...)
	out = append(out, snippet...)
	return append(out, page[at:]...)
}

// insertionPoint finds where the shim goes; see InjectShim.
func insertionPoint(page []byte) int {
	if end := tagEnd(page, findTag(page, "head")); end >= 0 {
		return end
	}
	at := 0
	if len(page) >= 3 && string(page[:3]) == "\xef\xbb\xbf" {
		at = 3
	}
	at = skipSpace(page, at)
	if hasPrefixFold(page[at:], "<!doctype") {
		if end := tagEnd(page, at); end >= 0 {
			at = skipSpace(page, end)
		}
	}
	if tagAt(page, at, "html") {
		if end := tagEnd(page, at); end >= 0 {
			at = end
		}
	}
	return at
}

// findTag returns the index of the first "<name" start tag (ASCII case
// folded, followed by '>', '/' or space, so "<header" is not "<head"), or -1.
func findTag(page []byte, name string) int {
	for i := 0; i < len(page); i++ {
		if tagAt(page, i, name) {
			return i
		}
	}
	return -1
}

func tagAt(page []byte, i int, name string) bool {
	if i < 0 || i >= len(page) || page[i] != '<' || !hasPrefixFold(page[i+1:], name) {
		return false
	}
	j := i + 1 + len(name)
	if j == len(page) {
		return false
	}
	switch page[j] {
	case '>', '/', ' ', '\t', '\n', '\r', '\f':
		return true
	}
	return false
}

// tagEnd returns the index just past the '>' closing the tag at i, or -1.
func tagEnd(page []byte, i int) int {
	if i < 0 {
		return -1
	}
	for j := i; j < len(page); j++ {
		if page[j] == '>' {
			return j + 1
		}
	}
	return -1
}

func skipSpace(page []byte, i int) int {
	for i < len(page) {
		switch page[i] {
		case ' ', '\t', '\n', '\r', '\f':
			i++
			continue
		}
		break
	}
	return i
}

// hasPrefixFold is an ASCII-only case-insensitive prefix test; Unicode
// folding could change byte lengths and shift the insertion point.
func hasPrefixFold(b []byte, prefix string) bool {
	if len(b) < len(prefix) {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		c := b[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != prefix[i] {
			return false
		}
	}
	return true
}
