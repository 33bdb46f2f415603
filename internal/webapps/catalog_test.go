package webapps

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
)

func manifestFS(files map[string]string) fstest.MapFS {
	m := fstest.MapFS{}
	for name, data := range files {
		m[name] = &fstest.MapFile{Data: []byte(data), Mode: 0o644}
	}
	return m
}

func TestNewCatalogLoadsBothLayouts(t *testing.T) {
	t.Parallel()
	root := manifestFS(map[string]string{
		"boot.json":                `{}`,
		"flat/webapp.json":         `{"name":"flat","version":"2.0","main":"index.html"}`,
		"flat/index.html":          `<p>flat`,
		"multi/1.9.0/webapp.json":  `{"name":"multi","version":"1.9.0","main":"a.html"}`,
		"multi/1.9.0/a.html":       `old`,
		"multi/1.10.0/webapp.json": `{"name":"multi","version":"1.10.0","main":"a.html"}`,
		"multi/1.10.0/a.html":      `new`,
		"multi/.1.11.0.tmp/junk":   `half-installed`,
		".hidden/webapp.json":      `not even JSON`,
	})
	c, err := NewCatalog(root)
	if err != nil {
		t.Fatalf("NewCatalog: %v", err)
	}
	if got, want := c.Names(), []string{"flat", "multi"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Names() = %v, want %v", got, want)
	}
	if got, want := c.Versions("multi"), []string{"1.10.0", "1.9.0"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Versions(multi) = %v, want %v", got, want)
	}

	tests := []struct {
		name, app, version string
		wantBody           string
		wantErr            error
	}{
		{name: "an empty version picks the highest, compared numerically", app: "multi", wantBody: "new"},
		{name: "an exact version is honoured", app: "multi", version: "1.9.0", wantBody: "old"},
		{name: "a flat package is found by name", app: "flat", wantBody: "<p>flat"},
		{name: "a flat package is found by its manifest version", app: "flat", version: "2.0", wantBody: "<p>flat"},
		{name: "an unknown name is ErrUnknownApp", app: "nope", wantErr: ErrUnknownApp},
		{name: "an unknown version is ErrUnknownApp", app: "multi", version: "3", wantErr: ErrUnknownApp},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := c.Lookup(tt.app, tt.version)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Lookup(%q, %q) error = %v, want %v", tt.app, tt.version, err, tt.wantErr)
			}
			if err != nil {
				if !strings.Contains(err.Error(), tt.app) {
					t.Errorf("error %q does not name the app", err)
				}
				return
			}
			body, err := fs.ReadFile(p.FS, p.Manifest.Main)
			if err != nil {
				t.Fatal(err)
			}
			if string(body) != tt.wantBody {
				t.Errorf("main page = %q, want %q", body, tt.wantBody)
			}
		})
	}
}

func TestNewCatalogReportsBrokenPackages(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		files   map[string]string
		wantMsg string
	}{
		{
			name:    "a manifest that is not JSON names its directory",
			files:   map[string]string{"bad/webapp.json": `{`},
			wantMsg: "bad: webapp.json: invalid-manifest: is not valid JSON at line 1",
		},
		{
			name:    "a manifest naming another package is refused",
			files:   map[string]string{"dir/webapp.json": `{"name":"other","version":"1","main":"a.html"}`, "dir/a.html": ""},
			wantMsg: `dir: webapp.json names the package "other" but it sits in directory "dir"`,
		},
		{
			name:    "a version directory disagreeing with the manifest is refused",
			files:   map[string]string{"x/2/webapp.json": `{"name":"x","version":"1","main":"a.html"}`, "x/2/a.html": ""},
			wantMsg: `x/2: webapp.json gives version "1" but it sits in directory "2"`,
		},
		{
			name:    "a missing main page is refused",
			files:   map[string]string{"x/webapp.json": `{"name":"x","version":"1","main":"a.html"}`},
			wantMsg: `x: a.html: missing-page: webapp.json names "a.html" as its "main" page`,
		},
		{
			name:    "a missing manage page is refused",
			files:   map[string]string{"x/webapp.json": `{"name":"x","version":"1","main":"a.html","update":"m.html"}`, "x/a.html": ""},
			wantMsg: `x: m.html: missing-page: webapp.json names "m.html" as its "manage" page`,
		},
		{
			name:    "a directory without any webapp.json is named",
			files:   map[string]string{"x/css/site.css": ""},
			wantMsg: "x: no webapp.json in x/ or in x/<version>/",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			files := map[string]string{
				"good/webapp.json": `{"name":"good","version":"1","main":"index.html"}`,
				"good/index.html":  "ok",
			}
			for k, v := range tt.files {
				files[k] = v
			}
			c, err := NewCatalog(manifestFS(files))
			if !errors.Is(err, ErrBrokenPackage) {
				t.Fatalf("NewCatalog error = %v, want ErrBrokenPackage", err)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("error %q does not contain %q", err, tt.wantMsg)
			}
			if _, err := c.Lookup("good", ""); err != nil {
				t.Errorf("the good package was lost: %v", err)
			}
		})
	}
}

func TestNewCatalogEarlierRootWins(t *testing.T) {
	t.Parallel()
	installed := manifestFS(map[string]string{
		"app/1.0.0/webapp.json": `{"name":"app","version":"1.0.0","main":"i.html"}`,
		"app/1.0.0/i.html":      "installed",
	})
	bundled := manifestFS(map[string]string{
		"app/webapp.json":   `{"name":"app","version":"1.0.0","main":"i.html"}`,
		"app/i.html":        "bundled",
		"extra/webapp.json": `{"name":"extra","version":"1","main":"i.html"}`,
		"extra/i.html":      "",
	})
	c, err := NewCatalog(installed, bundled)
	if err != nil {
		t.Fatal(err)
	}
	p, err := c.Lookup("app", "1.0.0")
	if err != nil {
		t.Fatal(err)
	}
	if body, _ := fs.ReadFile(p.FS, "i.html"); string(body) != "installed" {
		t.Errorf("app 1.0.0 came from the later root: %q", body)
	}
	if got := c.Versions("app"); len(got) != 1 {
		t.Errorf("Versions(app) = %v, want one entry", got)
	}
	if _, err := c.Lookup("extra", ""); err != nil {
		t.Errorf("a package only in the later root is missing: %v", err)
	}
}

func TestNewCatalogRefusesNilRoot(t *testing.T) {
	t.Parallel()
	if c, err := NewCatalog(nil); err == nil || c != nil {
		t.Errorf("NewCatalog(nil) = %v, %v; want nil and an error", c, err)
	}
}

func TestNewCatalogOverDirFS(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(rel, data string) {
		t.Helper()
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("lineapp/1.0.0/webapp.json", `{"name":"lineapp","version":"1.0.0","main":"index.html"}`)
	write("lineapp/1.0.0/index.html", "one")
	write("lineapp/1.2.0/webapp.json", `{"name":"lineapp","version":"1.2.0","main":"www/index.html"}`)
	write("lineapp/1.2.0/www/index.html", "two")
	write("broken/webapp.json", `{"name":"broken","version":"1"}`)

	c, err := NewCatalog(os.DirFS(dir))
	if !errors.Is(err, ErrBrokenPackage) || !strings.Contains(err.Error(), `broken: webapp.json: invalid-manifest: "main" is missing`) {
		t.Errorf("NewCatalog error = %v, want the broken package named", err)
	}
	p, err := c.Lookup("lineapp", "")
	if err != nil {
		t.Fatal(err)
	}
	if p.Manifest.Version != "1.2.0" {
		t.Errorf("highest version = %q, want 1.2.0", p.Manifest.Version)
	}
	if body, err := fs.ReadFile(p.FS, p.Manifest.Main); err != nil || string(body) != "two" {
		t.Errorf("main page = %q, %v", body, err)
	}
}

func TestNewCatalogReportsAMissingRoot(t *testing.T) {
	t.Parallel()
	c, err := NewCatalog(os.DirFS(filepath.Join(t.TempDir(), "absent")))
	if !errors.Is(err, ErrBrokenPackage) || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("error = %v, want ErrBrokenPackage wrapping fs.ErrNotExist", err)
	}
	if c == nil || len(c.Names()) != 0 {
		t.Errorf("catalog = %v, want an empty usable catalog", c)
	}
}
