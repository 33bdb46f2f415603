// Package check validates a web app package before it ships, for QA and
// CI: `loginshell check PACKAGE`. It runs the installer's own rules
// (pkginstall.InspectPackage, so check and install always agree),
// then what only a person would otherwise notice: an offline login
// package without its setup or manage page, pages whose HTML is cut short,
// and calls to http://pmapi/<service> the shell does not serve.
//
// Check reads, never writes; it is safe on untrusted packages.
package check

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"path"
	"regexp"
	"sort"
	"strings"

	"loginshell/internal/manifest"
	"loginshell/internal/pkginstall"
)

// Options tunes a check.
type Options struct {
	// Offline checks the package as an offline login package even if its
	// webapp.json has no "setup" or "manage" (which otherwise mark one).
	Offline bool
	// Limits are the installer's limits; the zero value is its defaults.
	Limits pkginstall.Options
}

// Severity says whether a problem stops the package from shipping.
const (
	SeverityError   = "error"   // install refuses it, or a page will break
	SeverityWarning = "warning" // works, but probably not what the author meant
	SeverityNote    = "note"    // for the record, in --json only: e.g. a key with no effect here
)

// The rules check adds to the installer's (pkginstall.Rule...).
const (
	RuleOfflinePages  = "offline-pages"   // an offline login package lacks setup or manage
	RuleUnknownField  = "unknown-field"   // webapp.json has a key the shell ignores
	RuleHTML          = "html"            // a page's HTML is cut short
	RuleService       = "unknown-service" // a call to a pmapi service the shell does not serve
	RuleOfflineCall   = "offline-service" // an offline login page calls beyond auth and log
	RuleContainerOnly = "container-only"  // a key only the mobile container used (a note)
	RuleVersion       = "version-format"  // a version that is not dotted numbers (a warning)
)

// Problem is one finding. File is the path inside the package ("" for the
// package as a whole).
type Problem struct {
	File     string `json:"file"`
	Rule     string `json:"rule"`
	Message  string `json:"message"`
	Severity string `json:"severity"`
}

// Report is what Check found. Name and Version are empty when webapp.json
// could not be read.
type Report struct {
	Package  string    `json:"package"`
	Name     string    `json:"name"`
	Version  string    `json:"version"`
	Problems []Problem `json:"problems"`
}

// OK reports whether the package has no errors (warnings allowed): what
// the exit status of `loginshell check` follows.
func (r Report) OK() bool {
	for _, p := range r.Problems {
		if p.Severity == SeverityError {
			return false
		}
	}
	return true
}

// maxText caps how much of one page or script is read for the content
// rules; the installer still reads (and measures) the rest.
const maxText = 8 << 20

// Check validates the package at path, named as pkginstall.InspectPackage
// reads it: a zip file; a directory holding webapp.json (or a single
// folder that does); a webapp.json, or its folder, laid out for the
// container's CLI ("src-folder"); a zip that CLI built, with its
// webapp.json beside it. It never fails: a package it cannot read is a
// report with that problem.
func Check(pkgPath string, opts Options) Report {
	r := Report{Package: pkgPath, Problems: []Problem{}}
	texts := map[string][]byte{}
	visit := func(name string, rd io.Reader) {
		switch strings.ToLower(path.Ext(name)) {
		case ".html", ".htm", ".js", ".mjs":
		default:
			if name != "webapp.json" {
				return
			}
		}
		if b, err := io.ReadAll(io.LimitReader(rd, maxText)); err == nil {
			texts[name] = b
		}
	}
	m, layout, found := pkginstall.InspectPackage(pkgPath, opts.Limits, visit)
	for _, p := range found {
		r.add(p.Entry, p.Rule, SeverityError, p.Detail)
	}
	r.Name, r.Version = m.Name, m.Version
	if m.Name == "" {
		return r
	}
	offline := opts.Offline || m.Setup != "" || m.Manage != ""
	r.checkManifest(m, texts["webapp.json"], offline)
	for _, k := range layout.Dropped {
		r.add("webapp.json", RuleContainerOnly, SeverityNote, fmt.Sprintf("the key %q is the container CLI's: the package is read as it says and installed without it; it has no effect on the desktop", k))
	}
	pages := map[string]bool{}
	for _, p := range m.Pages() {
		pages[p] = true
	}
	names := make([]string, 0, len(texts))
	for name := range texts {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		switch strings.ToLower(path.Ext(name)) {
		case ".html", ".htm":
			if msg := htmlProblem(texts[name]); msg != "" {
				sev := SeverityWarning
				if pages[name] {
					sev = SeverityError
				}
				r.add(name, RuleHTML, sev, msg)
			}
			r.checkCalls(name, texts[name], offline)
		case ".js", ".mjs":
			r.checkCalls(name, texts[name], offline)
		}
	}
	return r
}

func (r *Report) add(file, rule, severity, message string) {
	r.Problems = append(r.Problems, Problem{File: file, Rule: rule, Message: message, Severity: severity})
}

// knownFields are the webapp.json keys the shell reads.
var knownFields = map[string]bool{"name": true, "version": true, "main": true, "title": true, "setup": true, "manage": true, "update": true}

// containerFields are keys only the mobile container used: its CLI's
// folders, its scrolling switch, and what its server added on publish.
// They are known (no warning), noted in --json as having no effect here.
var containerFields = map[string]bool{manifest.KeySrcFolder: true, manifest.KeyOutputFolder: true, "nativeScroll": true,
	"_id": true, "type": true, "channels": true, "created_at": true, "updated_at": true}

func (r *Report) checkManifest(m manifest.WebApp, raw []byte, offline bool) {
	if problem := versionProblem(m.Version); problem != "" {
		r.add("webapp.json", RuleVersion, SeverityWarning, problem)
	}
	if offline {
		for _, p := range []struct{ key, page, what string }{
			{"setup", m.Setup, "the first-time password page"},
			{"manage", m.Manage, "the password change page"},
		} {
			if p.page == "" {
				r.add("webapp.json", RuleOfflinePages, SeverityError, fmt.Sprintf(
					"an offline login package must name its %q page (%s)", p.key, p.what))
			}
		}
	}
	var fields map[string]json.RawMessage
	if json.Unmarshal(manifest.StripComments(bytes.TrimPrefix(raw, []byte("\xef\xbb\xbf"))), &fields) != nil {
		return // the installer rules read it; a copy we could not read is not the author's problem
	}
	var unknown []string
	for k := range fields {
		if !knownFields[k] {
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	for _, k := range unknown {
		if containerFields[k] {
			r.add("webapp.json", RuleContainerOnly, SeverityNote, fmt.Sprintf("the key %q is the mobile container's; it has no effect on the desktop", k))
			continue
		}
		r.add("webapp.json", RuleUnknownField, SeverityWarning, fmt.Sprintf("the shell ignores the key %q (it reads name, version, main, setup, manage/update)", k))
	}
}

// versionRule is the form of a version the container's packages use and
// CompareVersions orders as people read it: one to four whole numbers
// joined by dots ("1", "2.0", "0.0.1", "2024.12.6"), optionally followed by
// a semver pre-release or build suffix ("1.0.0-beta.2", "1.0.0+42").
var versionRule = regexp.MustCompile(`^[0-9]+(\.[0-9]+){0,3}([-+][0-9A-Za-z.-]+)?$`)

// versionProblem says what is wrong with version, "" when it follows
// versionRule. Another form still installs (the installer takes any name a
// folder can have), but orders by text, not by number: a warning.
func versionProblem(v string) string {
	switch {
	case versionRule.MatchString(v):
		return ""
	case (strings.HasPrefix(v, "v") || strings.HasPrefix(v, "V")) && versionRule.MatchString(v[1:]):
		return fmt.Sprintf("the version %q starts with %q; write %q: versions are dotted numbers (1.0.0), and a letter makes them order as text", v, v[:1], v[1:])
	}
	return fmt.Sprintf("the version %q is not dotted numbers such as 1.0.0 (optionally -beta.1): the shell orders it as text, so an update may not count as newer", v)
}
