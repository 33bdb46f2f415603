package check

import (
	"archive/zip"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckContainerLayouts checks packages as the container's developers
// lay them out (testdata/container): a folder with src-folder, named by
// the folder or by its webapp.json, a manifest with comments and the
// server's keys, and a src-folder that escapes its folder.
func TestCheckContainerLayouts(t *testing.T) {
	t.Parallel()
	dir := filepath.Join("testdata", "container")
	tests := []struct {
		name, path, golden string
		ok                 bool
	}{
		{"a folder laid out with src-folder", filepath.Join(dir, "offline-login"), "offline-login", true},
		{"its webapp.json", filepath.Join(dir, "offline-login", "webapp.json"), "offline-login", true},
		{"a manifest with comments and the container server's keys", filepath.Join(dir, "comments", "pkg"), "comments", true},
		{"a src-folder that escapes its folder", filepath.Join(dir, "escape"), "escape", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := Check(tt.path, Options{})
			golden(t, filepath.Join("container", tt.golden+".txt"), r.Text())
			r.Package = tt.golden
			js, err := r.JSON()
			if err != nil {
				t.Fatal(err)
			}
			golden(t, filepath.Join("container", tt.golden+".json"), string(js))
			if r.OK() != tt.ok {
				t.Errorf("OK() = %v, want %v", r.OK(), tt.ok)
			}
		})
	}
}

// TestCheckCLIZip checks what `pm publish` wrote: the contents of dist/
// zipped into dist-zip/app-<name>_<version>.zip, no manifest inside; the
// project's webapp.json one folder up names that output folder.
func TestCheckCLIZip(t *testing.T) {
	t.Parallel()
	repo := filepath.Join(t.TempDir(), "repo")
	src := filepath.Join("testdata", "container", "offline-login")
	if err := os.CopyFS(repo, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(repo, "dist-zip", "app-offline-login_0.0.1.zip")
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	dist := filepath.Join(repo, "dist")
	err = filepath.WalkDir(dist, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dist, p)
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		w, err := zw.Create(filepath.ToSlash(rel))
		if err == nil {
			_, err = w.Write(data)
		}
		return err
	})
	if err == nil {
		err = zw.Close()
	}
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	r := Check(out, Options{})
	if !r.OK() || !strings.HasSuffix(r.Text(), "\nOK offline-login 0.0.1\n") || strings.Contains(r.Text(), ": error: ") || strings.Contains(r.Text(), ": warning: ") {
		t.Errorf("check of the CLI's zip:\n%s", r.Text())
	}
	if err := os.Rename(filepath.Join(repo, "webapp.json"), filepath.Join(repo, "moved.json")); err != nil {
		t.Fatal(err)
	}
	if r := Check(out, Options{}); r.OK() || !strings.Contains(r.Text(), "missing-manifest") {
		t.Errorf("a CLI zip without its webapp.json passed:\n%s", r.Text())
	}
}
