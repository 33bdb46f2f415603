package webapps_test

import (
	"archive/zip"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"loginshell/internal/pkginstall"
	"loginshell/internal/samples"
	"loginshell/internal/webapps"
)

// libraryOver opens a Library whose bundled packages are root and whose
// bundled boot document is doc, over an empty data directory.
func libraryOver(t *testing.T, doc string, root fstest.MapFS) *webapps.Library {
	t.Helper()
	l, err := webapps.OpenLibrary(webapps.LibraryOptions{DataDir: t.TempDir(), Bundled: root, BundledBoot: []byte(doc)})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// sampleLibrary opens a Library over the bundled samples in dir.
func sampleLibrary(t *testing.T, dir string) *webapps.Library {
	t.Helper()
	l, err := webapps.OpenLibrary(webapps.LibraryOptions{DataDir: dir, Bundled: samples.FS(), BundledBoot: samples.BootDocument()})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

const starterPage = "/webapps/lineapp/index.html"

func TestHasOfflineAndAppPage(t *testing.T) {
	t.Parallel()
	l := sampleLibrary(t, t.TempDir())
	if !l.HasOffline() {
		t.Error("HasOffline = false for the samples")
	}
	if noOffline := libraryOver(t, `{"name":"x","version":"1","starter":"app"}`, fstest.MapFS{}); noOffline.HasOffline() {
		t.Error("HasOffline = true without offlineName")
	}
	if gone := libraryOver(t, `{"name":"x","version":"1","starter":"app","offlineName":"gone"}`, fstest.MapFS{}); gone.HasOffline() {
		t.Error("HasOffline = true for a package not installed")
	}
	if u, title, err := l.AppPage("lineapp"); err != nil || u != starterPage || title != "Line 4 — Release station" { // the manifest's "title"
		t.Errorf("AppPage(lineapp) = %q, %q, %v", u, title, err)
	}
	if _, _, err := l.AppPage("nosuch"); !errors.Is(err, webapps.ErrUnknownApp) {
		t.Errorf("AppPage(nosuch) = %v, want ErrUnknownApp", err)
	}
	if got := l.Boot().Dependencies["lineapp"]; got != "1.0.0" {
		t.Errorf("boot dependency of lineapp = %q, want the samples' 1.0.0", got)
	}
}

func TestOpenLibraryChoosesTheBootDocument(t *testing.T) {
	t.Parallel()
	t.Run("the data directory's boot.json wins over the bundled one", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		write(t, filepath.Join(dir, "boot.json"), `{"name":"site","version":"2","starter":"lineapp"}`)
		l := sampleLibrary(t, dir)
		if l.Boot().Name != "site" || l.HasOffline() {
			t.Errorf("boot document = %+v, want the data directory's", l.Boot())
		}
		for _, sub := range []string{"webapps"} {
			if st, err := os.Stat(filepath.Join(dir, sub)); err != nil || !st.IsDir() {
				t.Errorf("%s not created: %v", sub, err)
			}
		}
	})
	t.Run("packages beside an explicit boot file are part of it", func(t *testing.T) {
		t.Parallel()
		qa := t.TempDir()
		write(t, filepath.Join(qa, "boot.json"), `{"name":"qa","version":"1","starter":"qaapp"}`)
		write(t, filepath.Join(qa, "qaapp", "webapp.json"), `{"name":"qaapp","version":"0.1","main":"index.html"}`)
		write(t, filepath.Join(qa, "qaapp", "index.html"), `<p>qa</p>`)
		l, err := webapps.OpenLibrary(webapps.LibraryOptions{DataDir: t.TempDir(), BootFile: filepath.Join(qa, "boot.json"),
			Bundled: samples.FS(), BundledBoot: samples.BootDocument()})
		if err != nil {
			t.Fatal(err)
		}
		if u, _, err := l.AppPage("qaapp"); err != nil || u != "/webapps/qaapp/index.html" {
			t.Errorf("AppPage(qaapp) = %q, %v", u, err)
		}
	})
}

func TestOpenLibraryRefusesABadBootDocument(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	broken := filepath.Join(dir, "broken.json")
	write(t, broken, `{"name":"x"`)
	incomplete := filepath.Join(dir, "incomplete.json")
	write(t, incomplete, `{"name":"x","version":"1"}`)
	missing := filepath.Join(dir, "missing.json")
	tests := []struct {
		name     string
		bootFile string
		wantText []string
	}{
		{"a boot file that is not JSON, naming the file", broken, []string{broken}},
		{"a boot file missing starter, naming the file and the field", incomplete, []string{incomplete, "starter"}},
		{"a boot file that does not exist, naming the file", missing, []string{missing}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := webapps.OpenLibrary(webapps.LibraryOptions{DataDir: t.TempDir(), BootFile: tt.bootFile,
				Bundled: samples.FS(), BundledBoot: samples.BootDocument()})
			if err == nil {
				t.Fatal("OpenLibrary succeeded")
			}
			for _, want := range tt.wantText {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not mention %q", err, want)
				}
			}
		})
	}
}

// An install is served at once: the catalog is swapped, the boot document
// is not read again.
func TestLibraryInstallServesTheNewVersion(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	l := sampleLibrary(t, dir)
	write(t, filepath.Join(dir, "boot.json"), `{"name":"changed","version":"9","starter":"other"}`)
	pkg := filepath.Join(t.TempDir(), "extra.zip")
	writeZip(t, pkg, "webapp.json", `{"name":"extra","version":"2.0.0","main":"index.html"}`, "index.html", "<p>extra</p>")
	if _, _, err := l.AppPage("extra"); !errors.Is(err, webapps.ErrUnknownApp) {
		t.Fatalf("AppPage(extra) before the install = %v", err)
	}
	m, err := l.Install(pkg, nil, false)
	if err != nil || m.Name != "extra" || m.Version != "2.0.0" {
		t.Fatalf("Install = %+v, %v", m, err)
	}
	if u, _, err := l.AppPage("extra"); err != nil || u != "/webapps/extra/index.html" {
		t.Errorf("AppPage(extra) after the install = %q, %v", u, err)
	}
	if l.Boot().Starter != "lineapp" {
		t.Errorf("the boot document was read again: %+v", l.Boot())
	}
	if _, err := l.Install(filepath.Join(dir, "nosuch.zip"), nil, false); !errors.Is(err, pkginstall.ErrNoPackage) || !strings.Contains(err.Error(), "nosuch.zip") {
		t.Errorf("Install(missing) = %v, want ErrNoPackage naming the path", err)
	}
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

func writeZip(t *testing.T, p string, files ...string) {
	t.Helper()
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for i := 0; i+1 < len(files); i += 2 {
		w, err := zw.Create(files[i])
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(files[i+1])); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// Installing over a package the shell has needs a yes: an installed one of
// the same name, or the offline sign-in package even when only bundled.
// A bad package is reported as bad first; with replace it goes ahead.
func TestLibraryInstallAsksBeforeReplacing(t *testing.T) {
	t.Parallel()
	zipOf := func(t *testing.T, name, version string, extra ...string) string {
		p := filepath.Join(t.TempDir(), name+".zip")
		files := append([]string{"webapp.json", `{"name":"` + name + `","version":"` + version + `","main":"index.html","setup":"index.html","manage":"index.html"}`,
			"index.html", "<p>" + version + "</p>"}, extra...)
		writeZip(t, p, files...)
		return p
	}
	tests := []struct {
		name        string
		first       string // a package installed before, "" for none
		pkg         func(t *testing.T) string
		wantReplace *pkginstall.ReplaceError
		wantBad     bool
	}{
		{"a new name installs without asking", "", func(t *testing.T) string { return zipOf(t, "extra", "1.0") }, nil, false},
		{"the same name installed asks, naming both versions", "extra", func(t *testing.T) string { return zipOf(t, "extra", "2.0") },
			&pkginstall.ReplaceError{Name: "extra", New: "2.0", Old: "1.0"}, false},
		{"the bundled offline sign-in package asks", "", func(t *testing.T) string { return zipOf(t, "offline-login", "9.9") },
			&pkginstall.ReplaceError{Name: "offline-login", New: "9.9", Offline: true}, false},
		{"a bundled app that is not the offline package installs", "", func(t *testing.T) string { return zipOf(t, "lineapp", "1.2.0") }, nil, false},
		{"a bad package over an installed one is reported as bad", "extra",
			func(t *testing.T) string { return zipOf(t, "extra", "2.0", "../evil.html", "x") }, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			l := sampleLibrary(t, dir)
			if tt.first != "" {
				if _, err := l.Install(zipOf(t, tt.first, "1.0"), nil, false); err != nil {
					t.Fatal(err)
				}
			}
			pkg := tt.pkg(t)
			_, err := l.Install(pkg, nil, false)
			var rerr *pkginstall.ReplaceError
			switch {
			case tt.wantBad:
				if !errors.Is(err, pkginstall.ErrBadPackage) {
					t.Fatalf("Install = %v, want the package refused", err)
				}
				return
			case tt.wantReplace == nil:
				if err != nil {
					t.Fatalf("Install = %v, want installed", err)
				}
				return
			case !errors.As(err, &rerr) || *rerr != *tt.wantReplace || !errors.Is(err, pkginstall.ErrReplace):
				t.Fatalf("Install = %#v, want %#v", err, tt.wantReplace)
			}
			if _, err := os.Stat(filepath.Join(dir, "webapps", rerr.Name, rerr.New)); !os.IsNotExist(err) {
				t.Errorf("the version waiting for a yes is on disk: %v", err)
			}
			if _, err := l.Install(pkg, nil, true); err != nil {
				t.Fatalf("Install with replace = %v", err)
			}
			if _, err := os.Stat(filepath.Join(dir, "webapps", rerr.Name, rerr.New, "index.html")); err != nil {
				t.Errorf("installed with replace, but: %v", err)
			}
		})
	}
}
