package pkginstall

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"loginshell/internal/manifest"
)

// zfile is one entry of a zip built by a test. mode and hdr let a test
// hand-craft what archive/zip would never write by itself.
type zfile struct {
	name string
	body string
	mode fs.FileMode               // 0 = a plain 0644 file (or directory when name ends in "/")
	hdr  func(h *zip.FileHeader)   // last word on the header
	raw  func(w *zip.Writer) error // write the entry entirely by hand
}

func buildZip(t testing.TB, files ...zfile) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range files {
		if f.raw != nil {
			if err := f.raw(zw); err != nil {
				t.Fatal(err)
			}
			continue
		}
		h := &zip.FileHeader{Name: f.name, Method: zip.Deflate}
		switch {
		case f.mode != 0:
			h.SetMode(f.mode)
		case strings.HasSuffix(f.name, "/"):
			h.SetMode(fs.ModeDir | 0o755)
		default:
			h.SetMode(0o644)
		}
		if f.hdr != nil {
			f.hdr(h)
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(f.body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// appFiles is a valid package named app at version, whose pages say tag.
func appFiles(version, tag string) []zfile {
	return []zfile{
		{name: "webapp.json", body: `{"name":"app","version":"` + version + `","main":"index.html"}`},
		{name: "index.html", body: "<p>" + tag},
		{name: "js/", body: ""},
		{name: "js/app.js", body: "// " + tag},
	}
}

func installZip(dir string, data []byte, opts Options) (manifest.WebApp, error) {
	return Install(dir, bytes.NewReader(data), int64(len(data)), opts)
}

// tree lists every file under dir with its content, "/"-separated, and
// every directory with a trailing "/". The install lock file at the top is
// left out: it stays on purpose (see lockFileName).
func tree(t testing.TB, dir string) map[string]string {
	t.Helper()
	got := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir || p == filepath.Join(dir, lockFileName) {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			got[rel+"/"] = ""
			return nil
		}
		if d.Type()&fs.ModeSymlink != 0 {
			got[rel] = "SYMLINK"
			return nil
		}
		b, err := os.ReadFile(p)
		got[rel] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func keys(m map[string]string) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// writeTree creates files (name -> content; a name ending in "/" is a
// directory) under dir.
func writeTree(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if strings.HasSuffix(name, "/") {
			if err := os.MkdirAll(p, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// LoadCatalog is webapps.NewCatalog, for the tests that check that what
// the installer wrote, the shell's package library loads. Package webapps
// imports this one, so a test inside this package cannot import it back;
// catalog_test.go, in package pkginstall_test, sets LoadCatalog before any
// test runs.
var LoadCatalog func(roots ...fs.FS) (Catalog, error)

// Catalog is what those tests ask of the package library's catalog.
type Catalog interface {
	// Lookup returns the package name at version ("" for the highest).
	Lookup(name, version string) (Loaded, error)
}

// Loaded is a package the catalog loaded: its files.
type Loaded struct{ FS fs.FS }

// newCatalog loads roots as the package library does.
func newCatalog(roots ...fs.FS) (Catalog, error) {
	if LoadCatalog == nil {
		panic("LoadCatalog is not set: catalog_test.go sets it")
	}
	return LoadCatalog(roots...)
}

// writeMixedZip writes a package of about size bytes to path: half text
// that compresses well, half random bytes that do not, in files of
// 64 KiB to 2 MiB. It returns the uncompressed size.
func writeMixedZip(tb testing.TB, path string, size int64) int64 {
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	zw := zip.NewWriter(f)
	rng := rand.New(rand.NewPCG(1, 2))
	add := func(name string, data []byte) {
		w, err := zw.Create(name)
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := w.Write(data); err != nil {
			tb.Fatal(err)
		}
	}
	add("webapp.json", []byte(`{"name":"big","version":"1.0","main":"index.html"}`))
	add("index.html", []byte("<p>big"))
	// Text like source code: random words, so it compresses a few times
	// over, as real scripts do (a repeated line would look like a bomb).
	words := strings.Fields("function return var let const if else for while this that value index offset step count name page user auth token window document fetch then catch error")
	var sb strings.Builder
	for sb.Len() < 4<<20 {
		sb.WriteString(words[rng.IntN(len(words))])
		sb.WriteByte(" \n;(){}."[rng.IntN(8)])
	}
	text := []byte(sb.String())
	var total int64
	for i := 0; total < size; i++ {
		n := 64<<10 + rng.IntN(2<<20)
		var data []byte
		if i%2 == 0 {
			start := rng.IntN(len(text) - n)
			data = text[start : start+n]
		} else {
			data = make([]byte, n)
			for j := range data {
				data[j] = byte(rng.Uint32())
			}
		}
		add(fmt.Sprintf("assets/%03d/file%04d.bin", i%17, i), data)
		total += int64(n)
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return total
}
