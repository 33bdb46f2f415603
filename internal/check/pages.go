package check

import (
	"bytes"
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// htmlProblem finds what makes a browser read the rest of a page as
// something else: a <script> or <style> never closed (the rest of the
// page becomes code), a comment never closed (the rest vanishes), a tag
// cut short. It is a tokenizer, not a validator: mismatched <div>s, which
// browsers repair, are not reported. It returns "" for a sound page.
func htmlProblem(page []byte) string {
	lower := bytes.ToLower(page)
	line := func(at int) int { return bytes.Count(page[:at], []byte("\n")) + 1 }
	for i := 0; i < len(lower); {
		lt := bytes.IndexByte(lower[i:], '<')
		if lt < 0 {
			return ""
		}
		at := i + lt
		rest := lower[at:]
		switch {
		case bytes.HasPrefix(rest, []byte("<!--")):
			end := bytes.Index(rest[4:], []byte("-->"))
			if end < 0 {
				return fmt.Sprintf("line %d: a comment is never closed with -->, so the rest of the page is hidden", line(at))
			}
			i = at + 4 + end + 3
		case len(rest) > 1 && (isLetter(rest[1]) || rest[1] == '/' || rest[1] == '!' || rest[1] == '?'):
			end := tagEnd(rest)
			if end < 0 {
				return fmt.Sprintf("line %d: the tag %s is never closed with >", line(at), tagName(page[at:]))
			}
			i = at + end + 1
			for _, raw := range []string{"script", "style"} {
				if !opensTag(rest, raw) {
					continue
				}
				close := closingTag(lower[i:], raw)
				if close < 0 {
					return fmt.Sprintf("line %d: <%s> is never closed with </%s>, so the rest of the page is read as %s", line(at), raw, raw, raw)
				}
				i += close
			}
		default:
			i = at + 1 // a bare "<", as in "a < b": browsers keep it as text
		}
	}
	return ""
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// tagEnd returns the index of the ">" ending the tag at the start of s,
// skipping ">" inside quoted attribute values, or -1.
func tagEnd(s []byte) int {
	var quote, last byte // last: the previous character that is not a space
	for j := 1; j < len(s); j++ {
		c := s[j]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case (c == '"' || c == '\'') && last == '=':
			quote = c
		case c == '>':
			return j
		}
		if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			last = c
		}
	}
	return -1
}

func tagName(s []byte) string {
	end := 1
	for end < len(s) && end < 40 && !bytes.ContainsAny(s[end:end+1], " \t\r\n>/") {
		end++
	}
	return fmt.Sprintf("%q", s[:end])
}

// opensTag reports whether s (lower-cased) starts with <name followed by
// a space, "/" or ">".
func opensTag(s []byte, name string) bool {
	if !bytes.HasPrefix(s, []byte("<"+name)) || len(s) <= len(name)+1 {
		return false
	}
	return bytes.IndexByte([]byte(" \t\r\n/>"), s[len(name)+1]) >= 0
}

// closingTag returns the index just past </name...> in s, or -1.
func closingTag(s []byte, name string) int {
	for from := 0; ; {
		k := bytes.Index(s[from:], []byte("</"+name))
		if k < 0 {
			return -1
		}
		k += from
		after := k + 2 + len(name)
		if after < len(s) && bytes.IndexByte([]byte(" \t\r\n/>"), s[after]) >= 0 {
			if end := bytes.IndexByte(s[after:], '>'); end >= 0 {
				return after + end + 1
			}
			return -1
		}
		from = after
	}
}

// Services the shell serves under http://pmapi/ (see internal/pmapi): the
// first path segment of every route. internal/pmapi's tests compare it with
// the route table (TestCheckKnowsEveryService), so a new service cannot be
// reported to a package's author as one the shell does not serve.
var served = map[string]bool{
	"auth": true, "user": true, "usersettings": true, "log": true,
	"version": true, "connectivity": true, "window": true, "boot": true,
	"signature": true,
}

// Services lists the services check accepts a page calling, sorted.
func Services() []string { return strings.Split(servedList(served), ", ") }

// offlineServed is what the mobile container lets an offline login page
// call in secure mode; the shell keeps packages to the same contract.
var offlineServed = map[string]bool{"auth": true, "log": true}

var pmapiCall = regexp.MustCompile(`(?i)http://pmapi/([A-Za-z0-9_.~-]*)`)

func servedList(m map[string]bool) string {
	var s []string
	for k := range m {
		s = append(s, k)
	}
	sort.Strings(s)
	return strings.Join(s, ", ")
}

// checkCalls warns of each service a file calls that the shell does not
// serve (or, for an offline login package, that the container would
// refuse), once per file and service, at its first line. They are
// warnings: the package installs and loads, and only that call fails. URLs built by
// concatenation ('http://pmapi/' + name) cannot be checked and are skipped;
// a URL in a comment counts like one in code.
func (r *Report) checkCalls(file string, text []byte, offline bool) {
	seen := map[string]bool{}
	for _, loc := range pmapiCall.FindAllSubmatchIndex(text, -1) {
		svc := string(text[loc[2]:loc[3]])
		if svc == "" || seen[svc] {
			continue
		}
		seen[svc] = true
		line := bytes.Count(text[:loc[0]], []byte("\n")) + 1
		switch {
		case !served[svc]:
			r.add(file, RuleService, SeverityWarning, fmt.Sprintf("line %d: calls http://pmapi/%s, which the shell does not serve (it serves %s)", line, svc, servedList(served)))
		case offline && !offlineServed[svc]:
			r.add(file, RuleOfflineCall, SeverityWarning, fmt.Sprintf("line %d: an offline login page calls http://pmapi/%s; in secure mode only auth and log may be called", line, svc))
		}
	}
}
