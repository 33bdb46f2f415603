package pkginstall

import (
	"errors"
	"strings"
	"testing"

	"loginshell/internal/manifest"
)

func TestValidate(t *testing.T) {
	t.Parallel()
	type want struct{ entry, rule, detail string }
	tests := []struct {
		name     string
		manifest string
		files    []string
		wantName string // the manifest returned, "" for the zero one
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
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			present := map[string]bool{}
			for _, f := range tt.files {
				present[f] = true
			}
			m, problems := Validate([]byte(tt.manifest), func(name string) bool { return present[name] })
			if m.Name != tt.wantName {
				t.Errorf("manifest name = %q, want %q", m.Name, tt.wantName)
			}
			if len(problems) != len(tt.want) {
				t.Fatalf("problems = %v, want %d", problems, len(tt.want))
			}
			for i, w := range tt.want {
				p := problems[i]
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
		_, problems := Validate([]byte(`{"name":1}`), func(string) bool { return true })
		var derr *manifest.DocumentError
		if len(problems) != 1 || !errors.As(problems[0], &derr) || derr.Field != "name" {
			t.Errorf("problems = %v, want one unwrapping to the DocumentError on \"name\"", problems)
		}
	})
}
