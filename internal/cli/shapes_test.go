package cli

import (
	"archive/zip"
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"loginshell/internal/pkginstall"
	"loginshell/internal/samples"
	"loginshell/internal/shell"
	"loginshell/internal/webapps"
)

// The package shapes of TestPackageShapesAgree, as the mobile container's
// developers and QA engineers make them: the files of a shape, by path
// relative to its repository ("a -> b" is a link to b; a name ending in
// ".zip/" holds the files of a zip written there, which are relative to
// the zip).

const (
	offlineManifest = `// the offline sign-in, published with pm publish
{
  "name": "offline-login",
  "version": "0.0.1",
  "main": "authenticate.html",
  "setup": "setup.html",
  "update": "update.html", // the manage page, as the container named it
  "src-folder": "./dist/",
  "output-folder": "./dist-zip/"
}`
	lineManifest = `{"name": "lineapp", "version": "2.0", "main": "index.html"}`
)

// page is a package page that says which shape it came from.
func page(shape string) string {
	return "<!doctype html><title>" + shape + "</title><p>shape:" + shape + "</p>"
}

// offlineFiles are the built pages of the offline package under dir
// ("" for the top), as the shape's.
func offlineFiles(dir, shape string, skip ...string) map[string]string {
	files := map[string]string{}
	for _, p := range []string{"authenticate.html", "setup.html", "update.html"} {
		if !strings.Contains(strings.Join(skip, " "), p) {
			files[filepath.ToSlash(filepath.Join(dir, p))] = page(shape)
		}
	}
	return files
}

func merge(ms ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, m := range ms {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

// zipOf is the files of a zip at name (see the shapes).
func zipOf(name string, files map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range files {
		out[name+"/"+k] = v
	}
	return out
}

// writeShape writes files under root (see the shapes).
func writeShape(t *testing.T, root string, files map[string]string) {
	t.Helper()
	zips := map[string]map[string]string{}
	for name, body := range files {
		if i := strings.Index(name, ".zip/"); i >= 0 {
			z := name[:i+4]
			if zips[z] == nil {
				zips[z] = map[string]string{}
			}
			zips[z][name[i+5:]] = body
			continue
		}
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if target, ok := strings.CutPrefix(body, "-> "); ok {
			if err := os.Symlink(target, p); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for z, entries := range zips {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for name, body := range entries {
			w, err := zw.Create(name)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := w.Write([]byte(body)); err != nil {
				t.Fatal(err)
			}
		}
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(root, filepath.FromSlash(z))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestPackageShapesAgree walks package shapes through the four readers of
// a package, and requires one verdict of all (issue 23.1):
//
//   - `loginshell check PATH` (exit status 0 or 1, and its first error's
//     rule);
//   - `loginshell install --replace PATH` into a data folder that already
//     holds a good copy of the same name and version (exit status, rule);
//   - the shell's loader at start: a folder is read beside
//     `--boot repo/app.json` (the container's repository, folder names
//     that are not the package's), a zip as the installed copy; the good
//     copy must still be served when the install refused the shape (an
//     install never leaves the shell without its offline sign-in package);
//   - `--package PATH` for a folder, which must neither load a broken one
//     nor serve the installed copy in its place.
func TestPackageShapesAgree(t *testing.T) {
	t.Parallel()
	const offlineRepo = "OfflineLogin" // the container's repository names folders this way
	project := merge(map[string]string{offlineRepo + "/webapp.json": offlineManifest, offlineRepo + "/src/app.ts": "// sources"},
		offlineFiles(offlineRepo+"/dist", "x"))
	handZip := func(manifest string, files map[string]string) map[string]string {
		return zipOf("hand.zip", merge(map[string]string{"webapp.json": manifest}, files))
	}
	tests := []struct {
		name   string
		files  map[string]string // see the shapes
		path   string            // what is named to check and install, relative to the repository
		pkg    string
		ok     bool
		rule   string // the rule of a refusal
		warns  string // a warning's rule check must print
		folder bool   // read beside --boot and served by --package
	}{
		{name: "a folder with src-folder, named otherwise", pkg: "offline-login", ok: true, folder: true, path: offlineRepo,
			files: merge(project, offlineFiles(offlineRepo+"/dist", "folder"))},
		{name: "the webapp.json of that folder", pkg: "offline-login", ok: true, folder: true, path: offlineRepo + "/webapp.json",
			files: merge(project, offlineFiles(offlineRepo+"/dist", "manifest"))},
		{name: "a plain folder named otherwise", pkg: "lineapp", ok: true, folder: true, path: "LineApp",
			files: map[string]string{"LineApp/webapp.json": lineManifest, "LineApp/index.html": page("plain")}},
		{name: "the CLI's zip in its output-folder", pkg: "offline-login", ok: true,
			path:  offlineRepo + "/dist-zip/app-offline-login_0.0.1.zip",
			files: merge(project, zipOf(offlineRepo+"/dist-zip/app-offline-login_0.0.1.zip", offlineFiles("", "cli-zip")))},
		{name: "the CLI's zip with its webapp.json beside it", pkg: "offline-login", ok: true,
			path: "release/app-offline-login_0.0.1.zip",
			files: merge(map[string]string{"release/webapp.json": offlineManifest},
				zipOf("release/app-offline-login_0.0.1.zip", offlineFiles("", "release")))},
		{name: "a zip of the built files with webapp.json inside naming ./dist/", pkg: "offline-login", ok: true, path: "hand.zip",
			files: handZip(offlineManifest, offlineFiles("", "hand"))},
		{name: "a zip of the whole project", pkg: "offline-login", ok: true, path: "project.zip",
			files: zipOf("project.zip", merge(map[string]string{"webapp.json": offlineManifest, "src/app.ts": "//", "authenticate.html": "not this one"},
				offlineFiles("dist", "project")))},
		{name: "the offline package without its update page (the seed: a change answers 400)", pkg: "offline-login", ok: true, folder: true,
			path: offlineRepo, warns: "offline-pages",
			files: merge(map[string]string{offlineRepo + "/webapp.json": strings.Replace(offlineManifest, `"update": "update.html", // the manage page, as the container named it`, "", 1)},
				offlineFiles(offlineRepo+"/dist", "no-update"))},
		{name: "an offline package zip without its setup page", pkg: "offline-login", ok: true, path: "hand.zip", warns: "offline-pages",
			files: handZip(strings.Replace(offlineManifest, `"setup": "setup.html",`, "", 1), offlineFiles("", "no-setup", "setup.html"))},
		{name: "a zip of the package's folder", pkg: "lineapp", ok: true, path: "folder.zip",
			files: zipOf("folder.zip", map[string]string{"lineapp/webapp.json": lineManifest, "lineapp/index.html": page("zipped-folder")})},

		{name: "a folder whose src-folder was never built", pkg: "offline-login", folder: true, path: offlineRepo,
			rule:  pkginstall.RuleMissingSrcFolder,
			files: map[string]string{offlineRepo + "/webapp.json": offlineManifest, offlineRepo + "/authenticate.html": page("unbuilt")}},
		{name: "a folder whose webapp.json is not JSON", pkg: "lineapp", folder: true, path: "LineApp", rule: pkginstall.RuleInvalidManifest,
			files: map[string]string{"LineApp/webapp.json": `{"name": "lineapp",`, "LineApp/index.html": page("not-json")}},
		{name: "a folder whose version cannot be a folder name", pkg: "lineapp", folder: true, path: "LineApp", rule: pkginstall.RuleInvalidManifest,
			files: map[string]string{"LineApp/webapp.json": `{"name": "lineapp", "version": "2.0.", "main": "index.html"}`, "LineApp/index.html": page("dot")}},
		{name: "a folder without its main page", pkg: "lineapp", folder: true, path: "LineApp", rule: pkginstall.RuleMissingPage,
			files: map[string]string{"LineApp/webapp.json": lineManifest, "LineApp/start.html": page("no-main")}},
		{name: "a folder with a link in its src-folder", pkg: "offline-login", folder: true, path: offlineRepo, rule: pkginstall.RuleSymlink,
			files: merge(project, offlineFiles(offlineRepo+"/dist", "link"), map[string]string{offlineRepo + "/dist/secret.txt": "-> /etc/hostname"})},
		{name: "a zip naming a src-folder outside itself", pkg: "offline-login", path: "hand.zip", rule: pkginstall.RulePathEscape,
			files: handZip(strings.Replace(offlineManifest, "./dist/", "../dist/", 1), offlineFiles("", "escape"))},
		{name: "a zip naming ./dist/ with its pages in neither", pkg: "offline-login", path: "hand.zip", rule: pkginstall.RuleMissingPage,
			files: handZip(offlineManifest, offlineFiles("pages", "nowhere"))},
	}
	good := map[string]map[string]string{ // the copy installed first, at the same name and version
		"offline-login": merge(map[string]string{"webapp.json": strings.Replace(offlineManifest, `"./dist/"`, `"."`, 1)}, offlineFiles("", "good")),
		"lineapp":       {"webapp.json": lineManifest, "index.html": page("good")},
	}
	version := map[string]string{"offline-login": "0.0.1", "lineapp": "2.0"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			repo := t.TempDir()
			writeShape(t, repo, tt.files)
			// The container's app definition beside the package folders.
			deps := `"offline-login": "0.0.1"`
			starter := "offline-login"
			if tt.pkg == "lineapp" {
				deps, starter = `"offline-login": "1.0.0", "lineapp": "2.0"`, "lineapp"
			}
			appJSON := `{"name": "plant", "version": "1", "starter": "` + starter + `", "offline": "offline-login", "dependencies": {` + deps + `}}`
			writeShape(t, repo, map[string]string{"app.json": appJSON})
			target := filepath.Join(repo, filepath.FromSlash(tt.path))
			run := func(data string, args ...string) (int, string) {
				var out, errb bytes.Buffer
				e := &env{stdout: &out, stderr: &errb, dataDir: data, station: "test", now: time.Now, poll: time.Second, openStore: shell.OpenStore}
				return e.exit(e.run(args)), out.String() + errb.String()
			}
			// A data folder whose boot document pins the shape's version
			// and names the offline package, holding a good copy already.
			data := t.TempDir()
			writeShape(t, data, map[string]string{"boot.json": appJSON})
			writeShape(t, filepath.Join(data, "good"), good[tt.pkg])
			if code, out := run(data, "install", "--log-level", "error", "--replace", "--data", data, filepath.Join(data, "good")); code != 0 {
				t.Fatalf("the good copy did not install: %s", out)
			}
			verdict := func(code int) bool { return code == 0 }

			// 1. loginshell check
			code, out := run(data, "check", "--data", data, target)
			if verdict(code) != tt.ok || (!tt.ok && !strings.Contains(out, ": error: "+tt.rule+": ")) ||
				(tt.warns != "" && !strings.Contains(out, ": warning: "+tt.warns+": ")) {
				t.Errorf("check: exit %d, want ok=%v (rule %s, warning %s):\n%s", code, tt.ok, tt.rule, tt.warns, out)
			}
			// 2. loginshell install
			code, out = run(data, "install", "--log-level", "error", "--replace", "--data", data, target)
			if verdict(code) != tt.ok || (!tt.ok && !strings.Contains(out, ": "+tt.rule+": ")) {
				t.Errorf("install: exit %d, want ok=%v (rule %s):\n%s", code, tt.ok, tt.rule, out)
			}
			// 3. the loader: the installed copy is the shape's when it
			// installed, else still the good one.
			want := "shape:good"
			if tt.ok {
				want = "shape:"
			}
			served(t, "the installed copy", openLibrary(t, data, "", nil), tt.pkg, version[tt.pkg], webapps.SourceInstalled, want, true)
			if !tt.folder {
				return
			}
			// 3'. beside --boot repo/app.json, whatever the folder is called.
			beside := openLibrary(t, t.TempDir(), filepath.Join(repo, "app.json"), nil)
			served(t, "beside --boot", beside, tt.pkg, version[tt.pkg], webapps.SourceBeside, "shape:", tt.ok)
			// 4. --package: the folder itself, never the installed copy in
			// place of a broken one.
			live := openLibrary(t, data, "", []string{target})
			served(t, "--package", live, tt.pkg, version[tt.pkg], webapps.SourceLive, "shape:", tt.ok)
			if states := live.Live(); len(states) != 1 || (len(states[0].Problems) == 0) != tt.ok ||
				(!tt.ok && (states[0].Problems[0].Rule != tt.rule || states[0].Name != tt.pkg)) {
				t.Errorf("--package states %+v, want ok=%v rule %s", states, tt.ok, tt.rule)
			}
			if _, err := live.Package(tt.pkg); err == nil && !tt.ok {
				t.Errorf("--package of a broken folder serves another copy of %s", tt.pkg)
			}
		})
	}
}

// openLibrary opens the packages as the shell does at start.
func openLibrary(t *testing.T, data, boot string, packages []string) *webapps.Library {
	t.Helper()
	l, err := webapps.OpenLibrary(webapps.LibraryOptions{DataDir: data, BootFile: boot, Packages: packages,
		Bundled: samples.FS(), BundledBoot: samples.BootDocument()})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// served checks that l serves name at version from source, its main page
// saying mark, when want; and that it serves no such copy otherwise.
func served(t *testing.T, reader string, l *webapps.Library, name, version string, source webapps.Source, mark string, want bool) {
	t.Helper()
	p, err := l.Package(name)
	ok := err == nil && p.Manifest.Version == version && p.Source == source
	if ok != want {
		t.Errorf("%s: Package(%s) = %+v, %v; want it served from %s: %v", reader, name, p, err, source, want)
		return
	}
	if !ok {
		return
	}
	body, err := fs.ReadFile(p.FS, p.Manifest.Main)
	if err != nil || !strings.Contains(string(body), mark) {
		t.Errorf("%s: the main page of %s is %q, %v; want it to say %q", reader, name, body, err, mark)
	}
	if name == "offline-login" && !l.HasOffline() {
		t.Errorf("%s: the shell has no offline sign-in package", reader)
	}
}
