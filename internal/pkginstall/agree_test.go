package pkginstall_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"loginshell/internal/check"
	"loginshell/internal/pkginstall"
	"loginshell/internal/webapps"
)

// TestReadersAgree walks package folders through every reader of a
// package: `loginshell check`, the installer, and the package library's
// loader (a --package folder). They share pkginstall.Validate, so each
// shape is accepted by all of them or refused by all of them, with the
// same rule from check and the installer.
func TestReadersAgree(t *testing.T) {
	t.Parallel()
	const page = "<!doctype html><title>x</title>"
	tests := []struct {
		name     string
		files    map[string]string // a name ending in "/" is a folder
		wantRule string            // "" = accepted
	}{
		{name: "a sound package", files: map[string]string{
			"webapp.json": `{"name":"app","version":"1.0","main":"index.html"}`, "index.html": page}},
		{name: "a package with setup and manage pages", files: map[string]string{
			"webapp.json": `{"name":"app","version":"1.0","main":"index.html","setup":"s.html","update":"m.html"}`,
			"index.html":  page, "s.html": page, "m.html": page}},
		{name: "a webapp.json that is not JSON", wantRule: pkginstall.RuleInvalidManifest, files: map[string]string{
			"webapp.json": `{`, "index.html": page}},
		{name: "a package named for a Windows device", wantRule: pkginstall.RuleInvalidManifest, files: map[string]string{
			"webapp.json": `{"name":"aux","version":"1.0","main":"index.html"}`, "index.html": page}},
		{name: "a version ending in a dot", wantRule: pkginstall.RuleInvalidManifest, files: map[string]string{
			"webapp.json": `{"name":"app","version":"1.0.","main":"index.html"}`, "index.html": page}},
		{name: "a missing main page", wantRule: pkginstall.RuleMissingPage, files: map[string]string{
			"webapp.json": `{"name":"app","version":"1.0","main":"start.html"}`, "index.html": page}},
		{name: "a main page that is a folder", wantRule: pkginstall.RuleMissingPage, files: map[string]string{
			"webapp.json": `{"name":"app","version":"1.0","main":"start.html"}`, "start.html/": "", "index.html": page}},
		{name: "a missing manage page", wantRule: pkginstall.RuleMissingPage, files: map[string]string{
			"webapp.json": `{"name":"app","version":"1.0","main":"index.html","manage":"m.html"}`, "index.html": page}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), "pkg")
			for name, body := range tt.files {
				if name[len(name)-1] == '/' {
					if err := os.MkdirAll(filepath.Join(dir, name), 0o755); err != nil {
						t.Fatal(err)
					}
					continue
				}
				write(t, filepath.Join(dir, name), body)
			}

			checked := firstError(check.Check(dir, check.Options{}))
			_, err := pkginstall.InstallPackage(t.TempDir(), dir, pkginstall.Options{})
			installed := ""
			var perr *pkginstall.PackageError
			if errors.As(err, &perr) {
				installed = perr.Rule
			} else if err != nil {
				t.Fatalf("install failed for another reason: %v", err)
			}
			_, lerr := webapps.LoadPackage(os.DirFS(dir))

			if checked != tt.wantRule || installed != tt.wantRule {
				t.Errorf("check says %q, install says %q, want %q", checked, installed, tt.wantRule)
			}
			if (lerr == nil) != (tt.wantRule == "") {
				t.Errorf("the loader says %v, want it to agree (rule %q)", lerr, tt.wantRule)
			}
		})
	}
}

// firstError is the rule of a report's first error, "" when it has none.
func firstError(r check.Report) string {
	for _, p := range r.Problems {
		if p.Severity == check.SeverityError {
			return p.Rule
		}
	}
	return ""
}
