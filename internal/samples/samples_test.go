package samples

import (
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"loginshell/internal/check"
	"loginshell/internal/manifest"
	"loginshell/internal/pagefiles"
	"loginshell/internal/webapps"
)

func TestBootDocumentNamesBundledPackages(t *testing.T) {
	t.Parallel()
	boot, err := manifest.ParseBoot(BootDocument())
	if err != nil {
		t.Fatalf("ParseBoot: %v", err)
	}
	if boot.Starter != "lineapp" || boot.OfflineName != "offline-login" {
		t.Errorf("boot = %+v, want starter lineapp and offline package offline-login", boot)
	}
	c, err := webapps.NewCatalog(FS())
	if err != nil {
		t.Fatalf("NewCatalog: %v", err)
	}
	for name, version := range boot.Dependencies {
		if _, err := c.Lookup(name, version); err != nil {
			t.Errorf("dependency %s %s: %v", name, version, err)
		}
	}
	for _, name := range []string{boot.Starter, boot.OfflineName} {
		if _, ok := boot.Dependencies[name]; !ok {
			t.Errorf("%q is not among the dependencies", name)
		}
	}
	off, err := c.Lookup(boot.OfflineName, "")
	if err != nil {
		t.Fatal(err)
	}
	if off.Manifest.Setup == "" || off.Manifest.Manage == "" {
		t.Errorf("offline package lacks setup or manage: %+v", off.Manifest)
	}
}

func TestBootDocumentIsACopy(t *testing.T) {
	t.Parallel()
	b := BootDocument()
	b[0] = 'x'
	if BootDocument()[0] == 'x' {
		t.Error("BootDocument returned shared memory")
	}
}

func TestEveryManifestParsesAndItsPagesExist(t *testing.T) {
	t.Parallel()
	fsys := FS()
	if err := fstest.TestFS(fsys, "lineapp/webapp.json", "offline-login/webapp.json"); err != nil {
		t.Fatal(err)
	}
	manifests, err := fs.Glob(fsys, "*/webapp.json")
	if err != nil || len(manifests) != 2 {
		t.Fatalf("manifests = %v, %v; want two", manifests, err)
	}
	for _, mf := range manifests {
		t.Run(mf, func(t *testing.T) {
			t.Parallel()
			data, err := fs.ReadFile(fsys, mf)
			if err != nil {
				t.Fatal(err)
			}
			m, err := manifest.ParseWebApp(data)
			if err != nil {
				t.Fatal(err)
			}
			dir := path.Dir(mf)
			if m.Name != dir {
				t.Errorf("manifest name %q in directory %q", m.Name, dir)
			}
			for _, page := range m.Pages() {
				if _, err := fs.Stat(fsys, path.Join(dir, page)); err != nil {
					t.Errorf("page %s: %v", page, err)
				}
			}
		})
	}
}

// TestPagesCarryTheirContract checks the element ids and texts that the
// shell, the browser tests and the operator guide rely on.
func TestPagesCarryTheirContract(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file string
		want []string
	}{
		{"offline-login/login.html", []string{`Offline sign-in`, `id="username"`, `list="station-users"`, `id="password"`, `for="password"`, `id="signin"`, `>Sign in<`, `id="error"`, `role="alert"`, `aria-live=`, `type="submit"`}},
		{"offline-login/login.js", []string{`'authenticate'`, `'p=' + encodeURIComponent(`, `'Signed in'`, `'Wrong password.'`, `'&u=' + encodeURIComponent(`, `'/users'`}},
		{"offline-login/auth.js", []string{`'http://pmapi/auth/' + encodeURIComponent(token)`, `method: 'PUT'`, `params.get('t')`, `params.get('u')`}},
		{"offline-login/setup.html", []string{`Set up offline password`, `id="password"`, `id="confirm"`, `id="save"`, `id="error"`}},
		{"offline-login/setup.js", []string{`a.call('setup'`, `checkNew`}},
		{"offline-login/manage.html", []string{`Change offline password`, `id="old"`, `id="password"`, `id="confirm"`, `id="save"`, `id="error"`}},
		{"offline-login/manage.js", []string{`a.call('update'`, `'o=' + encodeURIComponent(old.value) + '&p='`, `The current password is wrong`}},
		{"lineapp/index.html", []string{`Line 4 — Release station`, `id="user-name"`, `id="connectivity"`, `id="change-password"`, `id="logout"`}},
		{"lineapp/app.js", []string{`'http://pmapi/user'`, `'http://pmapi/connectivity'`, `'http://pmapi/auth/update', { method: 'POST' }`, `'http://pmapi/boot/restart', { method: 'POST' }`}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			data, err := fs.ReadFile(FS(), tt.file)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !strings.Contains(string(data), w) {
					t.Errorf("%s lacks %q", tt.file, w)
				}
			}
		})
	}
}

// TestPagesLoadNothingExternal keeps the packages self-contained: the only
// absolute URLs allowed are http://pmapi/ service calls.
func TestPagesLoadNothingExternal(t *testing.T) {
	t.Parallel()
	abs := regexp.MustCompile(`(?i)(https?:)?//[a-z0-9.-]+`)
	err := fs.WalkDir(FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(FS(), p)
		if err != nil {
			return err
		}
		for _, m := range abs.FindAllString(string(data), -1) {
			if m != "http://pmapi" {
				t.Errorf("%s refers to %q", p, m)
			}
		}
		if strings.Contains(string(data), "@import") || strings.Contains(string(data), "@font-face") {
			t.Errorf("%s imports styles or fonts", p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestScriptsParse runs each script through node --check where Node exists.
func TestScriptsParse(t *testing.T) {
	t.Parallel()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not installed")
	}
	scripts, _ := fs.Glob(FS(), "*/*.js")
	if len(scripts) == 0 {
		t.Fatal("no scripts found")
	}
	dir := t.TempDir()
	for _, s := range scripts {
		data, err := fs.ReadFile(FS(), s)
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, strings.ReplaceAll(s, "/", "_"))
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.CommandContext(t.Context(), node, "--check", p).CombinedOutput(); err != nil {
			t.Errorf("%s: %v\n%s", s, err, out)
		}
	}
}

func TestSamplesServeWithTheShim(t *testing.T) {
	t.Parallel()
	c, err := webapps.NewCatalog(FS())
	if err != nil {
		t.Fatal(err)
	}
	h := pagefiles.Handler(highest{c})
	for _, p := range []string{"/webapps/offline-login/login.html?t=x&u=jane", "/webapps/lineapp/"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, p, nil))
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "window.loginshell") {
			t.Errorf("%s: status %d, shim present %v", p, rec.Code, strings.Contains(rec.Body.String(), "window.loginshell"))
		}
	}
}

// highest serves the highest version of each package in a catalog.
type highest struct{ c *webapps.Catalog }

func (h highest) Package(name string) (*webapps.Package, error) { return h.c.Lookup(name, "") }

// TestBundledSamplesPass keeps the packages shipped with the shell clean:
// `loginshell check` finds no problem, not even a warning, in each. It
// checks what is embedded in the binary (copied out to a directory, as
// check reads packages from disk), and it fails rather than skips when a
// package is missing: a build without its samples is a broken build, not
// an untestable one.
func TestBundledSamplesPass(t *testing.T) {
	t.Parallel()
	fsys := FS()
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		t.Fatalf("read the embedded samples: %v", err)
	}
	var got []string
	for _, e := range entries {
		if e.IsDir() {
			got = append(got, e.Name())
		}
	}
	// Named here, not read from boot.json: an emptied boot document must
	// not make this test pass by asking for nothing.
	if want := []string{"lineapp", "offline-login"}; strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("embedded packages = %v, want %v", got, want)
	}
	for _, name := range got {
		t.Run("the bundled package "+name+" passes check", func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), name)
			sub, err := fs.Sub(fsys, name)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.CopyFS(dir, sub); err != nil {
				t.Fatalf("copy %s out: %v", name, err)
			}
			r := check.Check(dir, check.Options{})
			if !r.OK() || len(r.Problems) > 0 {
				t.Errorf("check %s:\n%s", name, r.Text())
			}
			if r.Name != name || r.Version == "" {
				t.Errorf("check %s read name %q version %q", name, r.Name, r.Version)
			}
		})
	}
}
