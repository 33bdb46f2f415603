package pkginstall_test

import (
	"archive/zip"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"

	"loginshell/internal/pkginstall"
	"loginshell/internal/webapps"
)

// containerManifest is a webapp.json as the container's developers write
// it: comments, the CLI's folder keys, "update" for the manage page.
const containerManifest = `// published with: pm publish webapp.json
{
  "name": "offline-login",
  "version": "0.0.1",
  "main": "authenticate.html", // the offline sign-in
  "setup": "setup.html",
  /* the container's name of the manage page */
  "update": "update.html",
  "src-folder": "./dist/",
  "output-folder": "./dist-zip/",
  "nativeScroll": true
}
`

// containerRepo lays out a package folder the way the container's
// developers do: webapp.json beside dist/ (the built pages), the sources
// and an earlier CLI output that are not part of the package.
func containerRepo(t *testing.T) string {
	t.Helper()
	repo := filepath.Join(t.TempDir(), "offline-login-repo")
	write(t, filepath.Join(repo, "webapp.json"), containerManifest)
	for _, p := range []string{"authenticate", "setup", "update"} {
		write(t, filepath.Join(repo, "dist", p+".html"), "<!doctype html><title>"+p+"</title>")
	}
	write(t, filepath.Join(repo, "dist", "js", "app.js"), "// app")
	write(t, filepath.Join(repo, "src", "app.ts"), "// the sources")
	write(t, filepath.Join(repo, "dist-zip", "old.zip"), "not a package file")
	return repo
}

// cliZip writes what `pm publish` wrote: the contents of dist/ zipped to
// <dir>/app-<name>_<version>.zip, no manifest inside.
func cliZip(t *testing.T, repo, dir string) string {
	t.Helper()
	out := filepath.Join(dir, "app-offline-login_0.0.1.zip")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	src := filepath.Join(repo, "dist")
	err = filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		w, err := zw.Create(filepath.ToSlash(rel))
		if err != nil {
			return err
		}
		data, err := os.ReadFile(p)
		if err == nil {
			_, err = w.Write(data)
		}
		return err
	})
	if err == nil {
		err = zw.Close()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestContainerLayouts(t *testing.T) {
	t.Parallel()
	wantFiles := []string{"authenticate.html", "js/app.js", "setup.html", "update.html", "webapp.json"}
	tests := []struct {
		name string
		path func(t *testing.T) string
	}{
		{"the folder holding webapp.json with src-folder", containerRepo},
		{"the webapp.json itself", func(t *testing.T) string { return filepath.Join(containerRepo(t), "webapp.json") }},
		{"a CLI-built zip in the project's output-folder", func(t *testing.T) string {
			repo := containerRepo(t)
			return cliZip(t, repo, filepath.Join(repo, "dist-zip"))
		}},
		{"a CLI-built zip with the webapp.json beside it", func(t *testing.T) string {
			repo := containerRepo(t)
			dir := filepath.Join(t.TempDir(), "release")
			zipPath := cliZip(t, repo, dir)
			write(t, filepath.Join(dir, "webapp.json"), containerManifest)
			return zipPath
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			pkg := tt.path(t)
			var seen []string
			m, layout, problems := pkginstall.InspectPackage(pkg, pkginstall.Options{}, func(name string, _ io.Reader) { seen = append(seen, name) })
			if len(problems) > 0 {
				t.Fatalf("problems: %v", problems)
			}
			if m.Name != "offline-login" || m.Version != "0.0.1" || m.Main != "authenticate.html" || m.Manage != "update.html" {
				t.Errorf("manifest = %+v", m)
			}
			if got := strings.Join(sorted(seen), " "); got != strings.Join(wantFiles, " ") {
				t.Errorf("files = %s, want %s", got, strings.Join(wantFiles, " "))
			}
			if strings.Join(layout.Dropped, ",") != "src-folder,output-folder" {
				t.Errorf("dropped = %v", layout.Dropped)
			}

			dir := t.TempDir()
			if _, err := pkginstall.InstallPackage(dir, pkg, pkginstall.Options{}); err != nil {
				t.Fatal(err)
			}
			installed := filepath.Join(dir, "offline-login", "0.0.1")
			if got := strings.Join(sorted(listFiles(t, installed)), " "); got != strings.Join(wantFiles, " ") {
				t.Errorf("installed files = %s", got)
			}
			data, err := os.ReadFile(filepath.Join(installed, "webapp.json"))
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(data), "src-folder") || strings.Contains(string(data), "output-folder") || !strings.Contains(string(data), "nativeScroll") {
				t.Errorf("installed webapp.json keeps the CLI's folder keys or lost others:\n%s", data)
			}
			cat, err := webapps.NewCatalog(os.DirFS(dir))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := cat.Lookup("offline-login", "0.0.1"); err != nil {
				t.Errorf("the installed package does not load: %v", err)
			}
		})
	}
}

func TestContainerLayoutsRefused(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		path     func(t *testing.T) string
		wantRule string
	}{
		{"a src-folder that escapes the manifest's folder", func(t *testing.T) string {
			repo := containerRepo(t)
			write(t, filepath.Join(repo, "inner", "webapp.json"), strings.Replace(containerManifest, `"./dist/"`, `"../dist/"`, 1))
			return filepath.Join(repo, "inner")
		}, pkginstall.RulePathEscape},
		{"an absolute src-folder", func(t *testing.T) string {
			repo := containerRepo(t)
			abs := quoteJSON(filepath.Join(repo, "dist"))
			write(t, filepath.Join(repo, "webapp.json"), strings.Replace(containerManifest, `"./dist/"`, abs, 1))
			return repo
		}, pkginstall.RulePathEscape},
		{"a src-folder that is a link out of the folder", func(t *testing.T) string {
			if runtime.GOOS == "windows" {
				t.Skip("symbolic links need privileges on Windows")
			}
			repo := containerRepo(t)
			other := containerRepo(t)
			if err := os.RemoveAll(filepath.Join(repo, "dist")); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(filepath.Join(other, "dist"), filepath.Join(repo, "dist")); err != nil {
				t.Fatal(err)
			}
			return repo
		}, pkginstall.RulePathEscape},
		{"a link inside the src-folder", func(t *testing.T) string {
			if runtime.GOOS == "windows" {
				t.Skip("symbolic links need privileges on Windows")
			}
			repo := containerRepo(t)
			if err := os.Symlink("/etc/passwd", filepath.Join(repo, "dist", "passwd")); err != nil {
				t.Fatal(err)
			}
			return repo
		}, pkginstall.RuleSymlink},
		{"a page the src-folder lacks", func(t *testing.T) string {
			repo := containerRepo(t)
			if err := os.Remove(filepath.Join(repo, "dist", "update.html")); err != nil {
				t.Fatal(err)
			}
			return repo
		}, pkginstall.RuleMissingPage},
		{"a CLI zip whose name disagrees with the manifest beside it", func(t *testing.T) string {
			repo := containerRepo(t)
			zipPath := cliZip(t, repo, filepath.Join(repo, "dist-zip"))
			other := filepath.Join(repo, "dist-zip", "app-offline-login_0.0.2.zip")
			if err := os.Rename(zipPath, other); err != nil {
				t.Fatal(err)
			}
			return other
		}, pkginstall.RuleInvalidManifest},
		{"a CLI zip with no manifest anywhere", func(t *testing.T) string {
			repo := containerRepo(t)
			return cliZip(t, repo, t.TempDir())
		}, pkginstall.RuleMissingManifest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			pkg := tt.path(t)
			_, _, problems := pkginstall.InspectPackage(pkg, pkginstall.Options{}, nil)
			if len(problems) == 0 || problems[0].Rule != tt.wantRule {
				t.Fatalf("problems = %v, want rule %s first", problems, tt.wantRule)
			}
			dir := t.TempDir()
			_, err := pkginstall.InstallPackage(dir, pkg, pkginstall.Options{})
			var perr *pkginstall.PackageError
			if !errors.As(err, &perr) || perr.Rule != tt.wantRule {
				t.Fatalf("install error = %v, want rule %s", err, tt.wantRule)
			}
			if entries, _ := os.ReadDir(dir); len(entries) > 1 { // the lock file at most
				t.Errorf("a refused install left %d entries in %s", len(entries), dir)
			}
		})
	}
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}

func listFiles(t *testing.T, dir string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			files = append(files, filepath.ToSlash(rel))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// quoteJSON quotes s as a JSON string.
func quoteJSON(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func write(t *testing.T, p, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}
