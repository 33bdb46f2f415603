// Package check validates a web app package before it ships, for QA and
// CI: `loginshell check PACKAGE`. Its errors are the installer's own
// rules (pkginstall.InspectPackage, the one validation the installer and
// the package library's loader run too): check fails a package exactly
// when `loginshell install` refuses it and the shell would not load it.
// Beyond them it warns of what only a person would otherwise notice: pages
// whose HTML is cut short, calls to http://pmapi/<service> the shell does
// not serve, a form that can be sent before its script has run, a version
// the container would not have taken; and it notes what has no effect
// here (the container's own keys).
//
// Check reads, never writes; it is safe on untrusted packages.
package check

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"

	"loginshell/internal/manifest"
	"loginshell/internal/pkginstall"
)

// Options tunes a check.
type Options struct {
	// Offline checks the package as the offline sign-in package whatever
	// its name: a missing setup or manage page is warned of, and its pages
	// are held to the offline services.
	Offline bool
	// OfflineName is the offline sign-in package of the boot document an
	// install would go to: a package of that name is checked as Offline.
	OfflineName string
	// Limits are the installer's limits; the zero value is its defaults.
	Limits pkginstall.Options
}

// Severity says whether a problem stops the package from shipping.
const (
	SeverityError   = "error"   // install refuses it and the shell would not load it
	SeverityWarning = "warning" // it installs and loads, but probably not as the author meant
	SeverityNote    = "note"    // for the record: e.g. a key with no effect here
)

// The rules check adds to the installer's (pkginstall.Rule...).
const (
	RuleOfflinePages  = "offline-pages"   // an offline login package lacks setup or manage (a warning)
	RuleUnknownField  = "unknown-field"   // webapp.json has a key the shell ignores
	RuleHTML          = "html"            // a page's HTML is cut short
	RuleService       = "unknown-service" // a call to a pmapi service the shell does not serve
	RuleOfflineCall   = "offline-service" // an offline login page calls beyond auth and log
	RuleContainerOnly = "container-only"  // a key only the mobile container used (a note)
	RuleVersion       = "version-format"  // a version the container's CLI would not take (a warning)
	RuleSrcFolder     = "src-folder"      // how "src-folder" was read, when not as written (a note)
	RuleFormRace      = "form-race"       // a form that can be sent before its script has run (a warning)
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
	if m.Name == "" || texts["webapp.json"] == nil { // nothing read beyond the manifest
		return r
	}
	// The offline package, or one that looks like it (it names a setup or
	// manage page).
	role := opts.Offline || (opts.OfflineName != "" && m.Name == opts.OfflineName)
	offline := role || m.Setup != "" || m.Manage != ""
	r.checkManifest(m, texts["webapp.json"], role, offline)
	if layout.Note != "" {
		r.add("webapp.json", RuleSrcFolder, SeverityNote, layout.Note)
	}
	for _, k := range layout.Dropped {
		r.add("webapp.json", RuleContainerOnly, SeverityNote, fmt.Sprintf("the key %q is the container CLI's: the package is read as it says and installed without it; it has no effect on the desktop", k))
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
				r.add(name, RuleHTML, SeverityWarning, msg)
			}
			r.checkForms(name, texts)
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

// missingPage is a page an offline sign-in package lacks, and what
// follows from it.
type missingPage struct{ what, then string }

// offlinePages lists the setup and manage pages m lacks. The package still
// installs and signs people in (the seed answers the step it cannot show
// with 400: "offline package setup element not configured").
func offlinePages(m manifest.WebApp) []missingPage {
	var out []missingPage
	if m.Setup == "" {
		out = append(out, missingPage{`"setup" page (the first-time password page)`,
			"nobody can set up an offline password with it (the first-time setup answers 400, as the seed says)"})
	}
	if m.Manage == "" {
		out = append(out, missingPage{`"manage" page (the password change page, "update" in the container)`,
			"nobody can change an offline password with it (the change answers 400, as the seed says)"})
	}
	return out
}

// knownFields are the webapp.json keys the shell reads.
var knownFields = map[string]bool{"name": true, "version": true, "main": true, "title": true, "setup": true, "manage": true, "update": true}

// containerFields are keys only the mobile container used: its CLI's
// folders, its scrolling switch, and what its server added on publish.
// They are known (no warning), noted in --json as having no effect here.
var containerFields = map[string]bool{manifest.KeySrcFolder: true, manifest.KeyOutputFolder: true, "nativeScroll": true,
	"_id": true, "type": true, "channels": true, "created_at": true, "updated_at": true}

// checkManifest warns of what the manifest's rules let through: for the
// offline sign-in package (role), or one that looks like it (offline), a
// missing setup or manage page.
func (r *Report) checkManifest(m manifest.WebApp, raw []byte, role, offline bool) {
	if problem := VersionProblem(m.Version); problem != "" {
		r.add("webapp.json", RuleVersion, SeverityWarning, problem)
	}
	if offline {
		for _, p := range offlinePages(m) {
			msg := fmt.Sprintf("names a setup or manage page but no %s; as a boot document's offline sign-in package (check it so with --offline) %s", p.what, p.then)
			if role {
				msg = fmt.Sprintf("%q is the offline sign-in package and names no %s: %s", m.Name, p.what, p.then)
			}
			r.add("webapp.json", RuleOfflinePages, SeverityWarning, msg)
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

// versionRuleText names the rule in every warning (manifest.VersionRule).
const versionRuleText = "the container's version rule is " + manifest.VersionRule

// VersionProblem says what is wrong with version, "" when it follows the
// container's rule (manifest.VersionRule). It is a warning, never an error: the installer takes any
// version that can be a folder name.
func VersionProblem(v string) string {
	switch {
	case manifest.ValidVersion(v):
		return ""
	case (strings.HasPrefix(v, "v") || strings.HasPrefix(v, "V")) && manifest.ValidVersion(v[1:]):
		return fmt.Sprintf("the version %q starts with %q; write %q: %s; a letter makes the shell order it as text", v, v[:1], v[1:], versionRuleText)
	}
	return fmt.Sprintf("the version %q is not whole numbers joined by dots: %s; the shell installs it but orders it as text, so an update may not count as newer", v, versionRuleText)
}
