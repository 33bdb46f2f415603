package check

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

// TestCheckBoot checks app definitions (the container's app.json) against
// packages given on the command line (the container layout of
// testdata/container) and installed ones.
func TestCheckBoot(t *testing.T) {
	t.Parallel()
	offline := filepath.Join("testdata", "container", "offline-login")
	line := filepath.Join("testdata", "container", "lineapp")
	good := `{
  // as pm define took it
  "name": "plant", "version": "1.0", "starter": "lineapp", "offline": "offline-login",
  "dependencies": {"lineapp": "2.0", "offline-login": "0.0.1"}
}`
	tests := []struct {
		name         string
		doc          string
		packages     []string
		installed    map[string]string // files of an installed root
		wantRules    []string          // of the errors
		wantWarnings []string
	}{
		{name: "good: every dependency given at its version", doc: good, packages: []string{offline, line}},
		{name: "good: a dependency installed", doc: good, packages: []string{filepath.Join(offline, "webapp.json")},
			installed: map[string]string{"lineapp/2.0/webapp.json": `{"name":"lineapp","version":"2.0","main":"index.html"}`, "lineapp/2.0/index.html": "<p>"}},
		{name: "a missing dependency", doc: good, packages: []string{offline}, wantRules: []string{RuleMissingDep}},
		{name: "a dependency at the wrong version", doc: strings.Replace(good, `"lineapp": "2.0"`, `"lineapp": "2.1"`, 1),
			packages: []string{offline, line}, wantRules: []string{RuleWrongVersion}},
		{name: "an installed dependency at the wrong version", doc: good, packages: []string{offline},
			installed: map[string]string{"lineapp/1.9/webapp.json": `{"name":"lineapp","version":"1.9","main":"index.html"}`, "lineapp/1.9/index.html": "<p>"},
			wantRules: []string{RuleWrongVersion}},
		{name: "the starter is not a dependency", doc: strings.Replace(good, `"starter": "lineapp"`, `"starter": "other"`, 1),
			packages: []string{offline, line}, wantRules: []string{RuleNotDependency}},
		{name: "an installed offline package without its setup page", doc: good, packages: []string{line},
			installed: map[string]string{"offline-login/0.0.1/webapp.json": `{"name":"offline-login","version":"0.0.1","main":"a.html","update":"u.html"}`,
				"offline-login/0.0.1/a.html": "<p>", "offline-login/0.0.1/u.html": "<p>"},
			wantWarnings: []string{RuleOfflinePages}},
		{name: "a given offline package without its setup page", doc: good, packages: []string{line, "NOSETUP"},
			wantWarnings: []string{RuleOfflinePages}},
		{name: "an installed dependency that would not load", doc: good, packages: []string{offline},
			installed: map[string]string{"lineapp/2.0/webapp.json": `{"name":"lineapp","version":"2.0","main":"index.html"}`},
			wantRules: []string{RuleBrokenDep}},
		{name: "not a valid definition", doc: `{"name": "plant", "dependencies": {}}`, wantRules: []string{RuleInvalidBoot}},
		{name: "the container's name@version", doc: strings.Replace(good, `"starter": "lineapp"`, `"starter": "lineapp@2.0"`, 1), packages: []string{offline, line}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			doc := filepath.Join(dir, "app.json")
			if err := os.WriteFile(doc, []byte(tt.doc), 0o644); err != nil {
				t.Fatal(err)
			}
			if !IsBootDocument(doc) && tt.wantRules == nil {
				t.Fatal("IsBootDocument = false")
			}
			root := filepath.Join(dir, "installed")
			writeFiles(t, root, tt.installed)
			pkgs := append([]string(nil), tt.packages...)
			for i, p := range pkgs {
				if p == "NOSETUP" {
					repo := filepath.Join(dir, "nosetup")
					if err := os.CopyFS(repo, os.DirFS(offline)); err != nil {
						t.Fatal(err)
					}
					man := filepath.Join(repo, "webapp.json")
					data, _ := os.ReadFile(man)
					if err := os.WriteFile(man, []byte(strings.Replace(string(data), `"setup": "setup.html",`, "", 1)), 0o644); err != nil {
						t.Fatal(err)
					}
					pkgs[i] = repo
				}
			}
			r := CheckBoot(doc, BootOptions{Packages: pkgs, Installed: root})
			var rules, warnings []string
			for _, p := range r.Problems {
				switch p.Severity {
				case SeverityError:
					rules = append(rules, p.Rule)
				case SeverityWarning:
					warnings = append(warnings, p.Rule)
				}
			}
			if strings.Join(rules, ",") != strings.Join(tt.wantRules, ",") || strings.Join(warnings, ",") != strings.Join(tt.wantWarnings, ",") {
				t.Errorf("error rules = %v, warnings %v; want %v, %v\n%s", rules, warnings, tt.wantRules, tt.wantWarnings, r.Text())
			}
			if r.OK() != (len(tt.wantRules) == 0) {
				t.Errorf("OK() = %v", r.OK())
			}
		})
	}
	t.Run("a version only bundled is named as bundled", func(t *testing.T) {
		t.Parallel()
		doc := filepath.Join(t.TempDir(), "app.json")
		if err := os.WriteFile(doc, []byte(good), 0o644); err != nil {
			t.Fatal(err)
		}
		bundled := fstest.MapFS{
			"offline-login/webapp.json": {Data: []byte(`{"name":"offline-login","version":"1.0.0","main":"a.html","setup":"a.html","manage":"a.html"}`)},
			"offline-login/a.html":      {Data: []byte("<p>")},
		}
		r := CheckBoot(doc, BootOptions{Packages: []string{line}, Bundled: bundled})
		want := `app.json: error: wrong-version: "offline-login" 0.0.1 is neither installed nor given (the shell has 1.0.0 (bundled)); install it or give its folder`
		if !strings.Contains(r.Text(), want+"\n") || strings.Contains(r.Text(), "is not installed") {
			t.Errorf("check of a dependency only bundled at another version:\n%s\nwant the line %s", r.Text(), want)
		}
	})
	if IsBootDocument(filepath.Join(offline, "webapp.json")) {
		t.Error("a webapp.json read as an app definition")
	}
}

func writeFiles(t *testing.T, root string, files map[string]string) {
	t.Helper()
	if err := os.MkdirAll(root, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, body := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
