package pkginstall

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The seed corpora live in testdata/fuzz/<FuzzName>/ and run as ordinary
// tests; `go test -fuzz FuzzInstall` explores from them.

// FuzzInstall feeds arbitrary bytes to Install as a zip. Whatever happens,
// nothing may be written beside the webapps folder, no extraction
// directory may stay behind, no symlink may appear, no name may be one
// that Windows cannot hold or that is too long, and a refusal must leave
// the folder empty.
func FuzzInstall(f *testing.F) {
	opts := Options{MaxEntries: 64, MaxTotalBytes: 4 << 20, MaxRatio: 50}
	f.Fuzz(func(t *testing.T, data []byte) {
		parent := t.TempDir()
		dir := filepath.Join(parent, "webapps")
		m, err := Install(dir, bytes.NewReader(data), int64(len(data)), opts)
		if err != nil && !errors.Is(err, ErrBadPackage) {
			t.Fatalf("Install failed for a reason other than the package: %v", err)
		}
		if top, _ := os.ReadDir(parent); len(top) > 1 || len(top) == 1 && top[0].Name() != "webapps" {
			t.Fatalf("Install wrote beside the webapps folder: %v", top)
		}
		got := map[string]string{}
		if _, err := os.Stat(dir); err == nil {
			got = tree(t, dir)
		}
		for name, body := range got {
			if strings.HasPrefix(name, ".") {
				t.Fatalf("left %q behind", name)
			}
			if body == "SYMLINK" {
				t.Fatalf("created a symlink %q", name)
			}
		}
		if err != nil {
			if len(got) != 0 {
				t.Fatalf("a refused package (%v) left %v", err, keys(got))
			}
			return
		}
		for name := range got {
			if !strings.HasPrefix(name, m.Name+"/") {
				t.Fatalf("an install of %q wrote %q", m.Name, name)
			}
			if rule, detail := checkPortable(strings.TrimSuffix(name, "/")); rule != "" {
				t.Fatalf("an accepted package holds %q, which not every computer can: %s", name, detail)
			}
		}
		if _, err := newCatalog(os.DirFS(dir)); err != nil {
			t.Fatalf("an accepted package does not load: %v", err)
		}
	})
}
