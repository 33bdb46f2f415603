package check

import (
	"bytes"
	"fmt"
	"path"
	"strings"
)

// The form-race rule (issue 23.5): a form a person can send before the
// script that handles it has run. Until then the browser sends it the
// native way, to its action (by default the page itself, what was typed in
// the address bar's query: an offline password in the URL), which is the
// race the bundled offline package once had.
//
// A <form> in an HTML page of the package is reported when both hold:
//
//  1. The page has scripts that handle submitting (their text says
//     "submit": addEventListener('submit'), onsubmit, requestSubmit), and
//     every one of them runs only after the form is in the document: it
//     follows the form, or it is loaded defer, async or type=module. A
//     classic script before the form (inline, or src without defer or
//     async) runs before the form exists. A page without such a script
//     means its forms to be sent the native way: not reported.
//  2. Nothing stops the form without the script: not every submit button
//     of the form is disabled in the markup (the script enables them once
//     it handles the form; Enter does nothing while the default button is
//     disabled), it has no onsubmit attribute that stops it by itself
//     ("return false", "preventDefault"), and its action is not a
//     javascript: URL nor its method "dialog". A form without a submit
//     button is sent by Enter only when it has exactly one field that
//     takes text (the HTML standard's implicit submission).
//
// Scripts are read from the package (src relative to the page); one from
// elsewhere cannot be read and does not count as handling the form.

// element is a start tag of a page, or a script with its text.
type element struct {
	name  string
	attrs map[string]string // lower-case names; a bare attribute has ""
	line  int
	at    int    // byte offset of "<"
	text  []byte // a script's inline text
	close bool   // an end tag
}

func (e element) has(attr string) bool { _, ok := e.attrs[attr]; return ok }

// elements lists a page's tags in document order, skipping comments and
// the text of scripts and styles (kept as a script's text).
func elements(page []byte) []element {
	lower := bytes.ToLower(page)
	var out []element
	for i := 0; i < len(lower); {
		lt := bytes.IndexByte(lower[i:], '<')
		if lt < 0 {
			break
		}
		at := i + lt
		rest := lower[at:]
		if bytes.HasPrefix(rest, []byte("<!--")) {
			end := bytes.Index(rest[4:], []byte("-->"))
			if end < 0 {
				break
			}
			i = at + 4 + end + 3
			continue
		}
		if len(rest) < 2 || !(isLetter(rest[1]) || rest[1] == '/') {
			i = at + 1
			continue
		}
		end := tagEnd(rest)
		if end < 0 {
			break
		}
		e := parseTag(page[at : at+end+1])
		e.at, e.line = at, bytes.Count(page[:at], []byte("\n"))+1
		i = at + end + 1
		if !e.close && (e.name == "script" || e.name == "style") {
			c := closingTag(lower[i:], e.name)
			if c < 0 {
				c = len(lower) - i
			}
			if e.name == "script" {
				body := page[i : i+c]
				if k := bytes.LastIndex(bytes.ToLower(body), []byte("</script")); k >= 0 {
					body = body[:k]
				}
				e.text = body
			}
			i += c
		}
		out = append(out, e)
	}
	return out
}

// parseTag reads `<name attr=value ...>`.
func parseTag(tag []byte) element {
	s := string(tag[1 : len(tag)-1])
	e := element{attrs: map[string]string{}}
	if strings.HasPrefix(s, "/") {
		e.close, s = true, s[1:]
	}
	n := strings.IndexAny(s, " \t\r\n/")
	if n < 0 {
		n = len(s)
	}
	e.name, s = strings.ToLower(s[:n]), s[n:]
	for {
		s = strings.TrimLeft(s, " \t\r\n/")
		if s == "" {
			return e
		}
		n := strings.IndexAny(s, " \t\r\n=/")
		if n < 0 {
			n = len(s)
		}
		key := strings.ToLower(s[:n])
		s = strings.TrimLeft(s[n:], " \t\r\n")
		val := ""
		if strings.HasPrefix(s, "=") {
			s = strings.TrimLeft(s[1:], " \t\r\n")
			if s != "" && (s[0] == '"' || s[0] == '\'') {
				q := s[0]
				end := strings.IndexByte(s[1:], q)
				if end < 0 {
					end = len(s) - 1
				}
				val, s = s[1:1+end], s[min(len(s), end+2):]
			} else {
				end := strings.IndexAny(s, " \t\r\n")
				if end < 0 {
					end = len(s)
				}
				val, s = s[:end], s[end:]
			}
		}
		if _, dup := e.attrs[key]; !dup && key != "" {
			e.attrs[key] = val
		}
	}
}

// script is a script of a page: where it runs and whether it handles
// submitting a form.
type script struct {
	label   string // how a warning names it: its src, or "an inline script at line N"
	at      int
	early   bool // a classic script that runs as the parser reaches it
	handles bool
}

// textTypes are the input types a person types into: the fields that
// make Enter send a form that has no submit button.
var textTypes = map[string]bool{"text": true, "search": true, "url": true, "tel": true, "email": true, "password": true,
	"date": true, "month": true, "week": true, "time": true, "datetime-local": true, "number": true}

// checkForms warns of each form of the HTML page file that can be sent
// before its script has run (see the rule above). texts are the
// package's pages and scripts, for the scripts a page loads.
func (r *Report) checkForms(file string, texts map[string][]byte) {
	els := elements(texts[file])
	var scripts []script
	for _, e := range els {
		if e.name != "script" || e.close {
			continue
		}
		module := strings.EqualFold(strings.TrimSpace(e.attrs["type"]), "module")
		s := script{at: e.at}
		if src, ok := e.attrs["src"]; ok {
			s.label = src
			s.early = !module && !e.has("defer") && !e.has("async")
			body, found := texts[localScript(file, src)]
			s.handles = found && bytes.Contains(bytes.ToLower(body), []byte("submit"))
		} else {
			s.label = fmt.Sprintf("the inline script at line %d", e.line)
			s.early = !module // defer and async do nothing to an inline classic script
			s.handles = bytes.Contains(bytes.ToLower(e.text), []byte("submit"))
		}
		if s.handles {
			scripts = append(scripts, s)
		}
	}
	if len(scripts) == 0 {
		return
	}
	for i, e := range els {
		if e.name != "form" || e.close {
			continue
		}
		var late []string
		inTime := false
		for _, s := range scripts {
			if s.early && s.at < e.at {
				inTime = true
				break
			}
			late = append(late, s.label)
		}
		if inTime || guarded(e, els[i+1:]) {
			continue
		}
		r.add(file, RuleFormRace, SeverityWarning, fmt.Sprintf(
			"line %d: the form %s can be sent before the script that handles it has run: %s %s only after the form is on the page (it follows the form, or is loaded defer, async or type=module), and until then Enter or a click sends the form the browser's way, to %s; disable its submit button in the markup and enable it from the script, or load the script before the form",
			e.line, formName(e), strings.Join(late, ", "), runs(len(late)), formTarget(e)))
	}
}

// guarded reports whether the form e (its elements after it, up to its
// end tag, in rest) cannot be sent without a script.
func guarded(e element, rest []element) bool {
	onsubmit := strings.ToLower(e.attrs["onsubmit"])
	action := strings.ToLower(strings.TrimSpace(e.attrs["action"]))
	if strings.Contains(onsubmit, "return false") || strings.Contains(onsubmit, "preventdefault") ||
		strings.HasPrefix(action, "javascript:") || strings.EqualFold(strings.TrimSpace(e.attrs["method"]), "dialog") {
		return true
	}
	buttons, enabled, fields := 0, 0, 0
	for _, c := range rest {
		if c.name == "form" {
			break // its end tag (forms do not nest)
		}
		if c.close {
			continue
		}
		typ := strings.ToLower(strings.TrimSpace(c.attrs["type"]))
		switch {
		case c.name == "button" && (typ == "" || typ == "submit"),
			c.name == "input" && (typ == "submit" || typ == "image"):
			buttons++
			if !c.has("disabled") {
				enabled++
			}
		case c.name == "input" && (typ == "" || textTypes[typ]) && !c.has("disabled"):
			fields++
		}
	}
	if buttons > 0 {
		return enabled == 0
	}
	return fields != 1
}

// localScript is the package path of a script src relative to the page,
// "" for one from elsewhere.
func localScript(page, src string) string {
	src = strings.TrimSpace(src)
	if i := strings.IndexAny(src, "?#"); i >= 0 {
		src = src[:i]
	}
	if src == "" || strings.HasPrefix(src, "/") || strings.Contains(src, ":") {
		return ""
	}
	return path.Join(path.Dir(page), src)
}

func formName(e element) string {
	for _, a := range []string{"id", "name"} {
		if v := strings.TrimSpace(e.attrs[a]); v != "" {
			return fmt.Sprintf("%q", v)
		}
	}
	return "without id or name"
}

func formTarget(e element) string {
	method := strings.ToLower(strings.TrimSpace(e.attrs["method"]))
	action := strings.TrimSpace(e.attrs["action"])
	switch {
	case action == "" && method != "post":
		return "the page itself with what was typed in its address (a password too)"
	case action == "":
		return "the page itself"
	}
	return fmt.Sprintf("%q", action)
}

func runs(n int) string {
	if n == 1 {
		return "runs"
	}
	return "run"
}
