package pkginstall

import (
	"errors"
	"path"
	"strings"
	"testing"

	"loginshell/internal/manifest"
)

// mapTree is a Tree of the files named; their folders exist too.
type mapTree map[string]bool

func treeOf(files ...string) mapTree {
	t := mapTree{}
	for _, f := range files {
		t[f] = true
	}
	return t
}

func (t mapTree) IsFile(name string) bool { return t[name] }
func (t mapTree) IsDir(name string) bool {
	for f := range t {
		for d := path.Dir(f); d != "."; d = path.Dir(d) {
			if d == name {
				return true
			}
		}
	}
	return false
}

func TestValidate(t *testing.T) {
	t.Parallel()
	type want struct{ entry, rule, detail string }
	const offline = `{"name":"offline-login","version":"1.0","main":"a.html"%s}`
	tests := []struct {
		name     string
		manifest string
		files    []string
		shape    Shape
		wantName string // the manifest returned, "" for the zero one
		wantRoot string
		wantNote string
		want     []want
	}{
		{name: "a sound package has no problem", manifest: `{"name":"app","version":"1.0","main":"index.html","setup":"s.html"}`,
			files: []string{"index.html", "s.html"}, wantName: "app"},
		{name: "a webapp.json that does not parse is the only problem", manifest: `{`,
			want: []want{{"webapp.json", RuleInvalidManifest, "is not valid JSON at line 1"}}},
		{name: "a missing field is named", manifest: `{"name":"app","version":"1"}`,
			want: []want{{"webapp.json", RuleInvalidManifest, `"main" is missing`}}},
		{name: "a name Windows cannot hold is refused", manifest: `{"name":"nul","version":"1","main":"index.html"}`, files: []string{"index.html"},
			want: []want{{"webapp.json", RuleInvalidManifest, `"name" "nul" cannot be a folder name on every computer`}}},
		{name: "a version ending in a dot is refused", manifest: `{"name":"app","version":"1.","main":"index.html"}`, files: []string{"index.html"},
			want: []want{{"webapp.json", RuleInvalidManifest, `"version" "1." cannot be a folder name`}}},
		{name: "every missing page is named, main first", manifest: `{"name":"app","version":"1","main":"index.html","setup":"s.html","update":"m.html"}`,
			files: []string{"s.html"}, wantName: "app",
			want: []want{{"index.html", RuleMissingPage, `as its "main" page`}, {"m.html", RuleMissingPage, `as its "manage" page`}}},
		{name: "a folder's src-folder holds the pages", manifest: `{"name":"app","version":"1","main":"index.html","src-folder":"./dist/"}`,
			files: []string{"dist/index.html"}, wantName: "app", wantRoot: "dist"},
		{name: "a page missing from the src-folder is named with it", manifest: `{"name":"app","version":"1","main":"index.html","src-folder":"dist"}`,
			files: []string{"dist/other.html", "index.html"}, wantName: "app", wantRoot: "dist",
			want: []want{{"dist/index.html", RuleMissingPage, `its files are those of its "src-folder", "dist"`}}},
		{name: "a folder without its src-folder is not built", manifest: `{"name":"app","version":"1","main":"index.html","src-folder":"./dist/"}`,
			files: []string{"index.html"}, wantName: "app",
			want: []want{{"webapp.json", RuleMissingSrcFolder, `"src-folder" names "dist", which is not a folder`}}},
		{name: "an archive without its src-folder is read beside webapp.json", manifest: `{"name":"app","version":"1","main":"index.html","src-folder":"./dist/"}`,
			files: []string{"index.html"}, shape: Archive, wantName: "app",
			wantNote: `the package holds no folder "dist" (its "src-folder"), so the files beside webapp.json are the package`},
		{name: "an archive holding its src-folder is read from it", manifest: `{"name":"app","version":"1","main":"index.html","src-folder":"dist"}`,
			files: []string{"index.html", "dist/index.html"}, shape: Archive, wantName: "app", wantRoot: "dist"},
		{name: "a src-folder out of the package is refused in any shape", manifest: `{"name":"app","version":"1","main":"index.html","src-folder":"../dist"}`,
			files: []string{"index.html"}, shape: Archive, wantName: "app",
			want: []want{{"webapp.json", RulePathEscape, `must be a folder inside the folder of webapp.json`}}},
		{name: "an offline sign-in package need not name setup and manage (the seed answers those steps 400)", manifest: strings.Replace(offline, "%s", "", 1),
			files: []string{"a.html"}, wantName: "offline-login"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			v := Validate([]byte(tt.manifest), treeOf(tt.files...), tt.shape)
			if v.Manifest.Name != tt.wantName || v.Root != tt.wantRoot || v.Note != tt.wantNote {
				t.Errorf("verdict = %q root %q note %q, want %q root %q note %q", v.Manifest.Name, v.Root, v.Note, tt.wantName, tt.wantRoot, tt.wantNote)
			}
			if len(v.Problems) != len(tt.want) {
				t.Fatalf("problems = %v, want %d", v.Problems, len(tt.want))
			}
			for i, w := range tt.want {
				p := v.Problems[i]
				if p.Entry != w.entry || p.Rule != w.rule || !strings.Contains(p.Detail, w.detail) {
					t.Errorf("problem %d = %q %s %q, want %q %s containing %q", i, p.Entry, p.Rule, p.Detail, w.entry, w.rule, w.detail)
				}
				if !errors.Is(p, ErrBadPackage) {
					t.Errorf("problem %d does not match ErrBadPackage", i)
				}
			}
		})
	}
	t.Run("an unparsable webapp.json unwraps to its DocumentError", func(t *testing.T) {
		t.Parallel()
		v := Validate([]byte(`{"name":1}`), treeOf(), Folder)
		var derr *manifest.DocumentError
		if len(v.Problems) != 1 || !errors.As(v.Problems[0], &derr) || derr.Field != "name" {
			t.Errorf("problems = %v, want one unwrapping to the DocumentError on \"name\"", v.Problems)
		}
	})
}
