package pkginstall

import (
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// TestRecoverInstalls builds, on disk, each state a crash can leave during
// Install and checks RecoverInstalls makes the catalog whole again.
func TestRecoverInstalls(t *testing.T) {
	t.Parallel()
	manifest := func(v string) string { return `{"name":"app","version":"` + v + `","main":"index.html"}` }
	version := func(prefix, v, tag string) map[string]string {
		return map[string]string{prefix + "webapp.json": manifest(v), prefix + "index.html": tag}
	}
	merge := func(ms ...map[string]string) map[string]string {
		out := map[string]string{}
		for _, m := range ms {
			for k, v := range m {
				out[k] = v
			}
		}
		return out
	}
	tests := []struct {
		name     string
		state    map[string]string
		wantTag  string // content of app 1.0's index.html after recovery
		wantTree []string
	}{
		{
			name:     "a crash while extracting leaves a temporary directory, which is removed",
			state:    merge(version("app/1.0/", "1.0", "old"), version(".install-123/", "1.0", "half")),
			wantTag:  "old",
			wantTree: []string{"app/", "app/1.0/", "app/1.0/index.html", "app/1.0/webapp.json"},
		},
		{
			name:     "a crash after moving the old version aside puts it back",
			state:    merge(version("app/.old-1.0/", "1.0", "old"), version(".install-123/", "1.0", "new")),
			wantTag:  "old",
			wantTree: []string{"app/", "app/1.0/", "app/1.0/index.html", "app/1.0/webapp.json"},
		},
		{
			name:     "a crash after the new version went live drops the old one",
			state:    merge(version("app/.old-1.0/", "1.0", "old"), version("app/1.0/", "1.0", "new")),
			wantTag:  "new",
			wantTree: []string{"app/", "app/1.0/", "app/1.0/index.html", "app/1.0/webapp.json"},
		},
		{
			name:     "a crash while deleting the old version finishes the deletion",
			state:    merge(map[string]string{"app/.old-1.0/": ""}, version("app/1.0/", "1.0", "new")),
			wantTag:  "new",
			wantTree: []string{"app/", "app/1.0/", "app/1.0/index.html", "app/1.0/webapp.json"},
		},
		{
			name:    "a crash during a first install leaves an empty name folder, which is removed",
			state:   merge(version("other/1.0/", "1.0", "x"), map[string]string{"app/": ""}, version("app0/1.0/", "1.0", "old")),
			wantTag: "",
			wantTree: []string{
				"app0/", "app0/1.0/", "app0/1.0/index.html", "app0/1.0/webapp.json",
				"other/", "other/1.0/", "other/1.0/index.html", "other/1.0/webapp.json",
			},
		},
		{
			name:     "other dot entries and other versions are left alone",
			state:    merge(version("app/1.0/", "1.0", "old"), version("app/0.9/", "0.9", "older"), map[string]string{".keep": "x"}),
			wantTag:  "old",
			wantTree: []string{".keep", "app/", "app/0.9/", "app/0.9/index.html", "app/0.9/webapp.json", "app/1.0/", "app/1.0/index.html", "app/1.0/webapp.json"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			writeTree(t, dir, tt.state)
			if err := RecoverInstalls(dir); err != nil {
				t.Fatal(err)
			}
			if got := keys(tree(t, dir)); !reflect.DeepEqual(got, tt.wantTree) {
				t.Errorf("after recovery: %v\nwant %v", got, tt.wantTree)
			}
			if tt.wantTag == "" {
				return
			}
			c, err := newCatalog(os.DirFS(dir))
			if err != nil {
				t.Fatalf("the recovered folder does not load: %v", err)
			}
			p, err := c.Lookup("app", "1.0")
			if err != nil {
				t.Fatal(err)
			}
			if body, _ := fs.ReadFile(p.FS, "index.html"); string(body) != tt.wantTag {
				t.Errorf("app 1.0 serves %q, want %q", body, tt.wantTag)
			}
		})
	}
	t.Run("a missing folder is not an error", func(t *testing.T) {
		t.Parallel()
		if err := RecoverInstalls(filepath.Join(t.TempDir(), "nope")); err != nil {
			t.Error(err)
		}
	})
}
