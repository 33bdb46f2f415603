package pkginstall

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"hash/crc32"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func rawEntry(name string, method uint16, stored []byte, crc uint32, size uint64) zfile {
	return zfile{raw: func(w *zip.Writer) error {
		h := &zip.FileHeader{Name: name, Method: method, CRC32: crc, CompressedSize64: uint64(len(stored)), UncompressedSize64: size}
		h.SetMode(0o644)
		out, err := w.CreateRaw(h)
		if err != nil {
			return err
		}
		_, err = out.Write(stored)
		return err
	}}
}

func deflate(t testing.TB, data []byte) []byte {
	var buf bytes.Buffer
	fw, _ := flate.NewWriter(&buf, flate.BestCompression)
	fw.Write(data)
	if err := fw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestInstallRefuses(t *testing.T) {
	t.Parallel()
	zeros := strings.Repeat("\x00", 2<<20)
	lie := strings.Repeat("a", 5000)
	good := appFiles("1.0", "new")
	with := func(extra ...zfile) []zfile { return append(append([]zfile{}, good...), extra...) }
	tests := []struct {
		name      string
		zip       []byte // when nil, built from files
		files     []zfile
		opts      Options
		wantRule  string
		wantEntry string
	}{
		{name: "bytes that are not a zip", zip: []byte("PK\x03\x04 not really"), wantRule: RuleNotZip},
		{name: "a .. segment", files: with(zfile{name: "../evil.html", body: "x"}), wantRule: RulePathEscape, wantEntry: "../evil.html"},
		{name: "a .. segment deep inside", files: with(zfile{name: "js/../../evil.html", body: "x"}), wantRule: RulePathEscape, wantEntry: "js/../../evil.html"},
		{name: "an absolute name", files: with(zfile{name: "/etc/cron.d/evil", body: "x"}), wantRule: RulePathEscape, wantEntry: "/etc/cron.d/evil"},
		{name: "a drive letter", files: with(zfile{name: "C:/Windows/evil.dll", body: "x"}), wantRule: RulePathEscape, wantEntry: "C:/Windows/evil.dll"},
		{name: "a backslash", files: with(zfile{name: `js\..\..\evil.js`, body: "x"}), wantRule: RulePathEscape, wantEntry: `js\..\..\evil.js`},
		{name: "an empty segment", files: with(zfile{name: "js//a.js", body: "x"}), wantRule: RuleBadName, wantEntry: "js//a.js"},
		{name: "a control character", files: with(zfile{name: "a\x1b[2J.js", body: "x"}), wantRule: RuleBadName, wantEntry: "a\x1b[2J.js"},
		{name: "a name that is not UTF-8", files: with(zfile{name: "caf\xe9.html", body: "x"}), wantRule: RuleNameEncoding, wantEntry: "caf\xe9.html"},
		{name: "a 300-byte file name", files: with(zfile{name: strings.Repeat("n", 297) + ".js", body: "x"}), wantRule: RuleNameTooLong, wantEntry: strings.Repeat("n", 297) + ".js"},
		{name: "a path longer than the limit", files: with(zfile{name: strings.Repeat("dir/", MaxPathBytes/4) + "x.js", body: "x"}), wantRule: RuleNameTooLong, wantEntry: strings.Repeat("dir/", MaxPathBytes/4) + "x.js"},
		{name: "a Windows device name", files: with(zfile{name: "CON", body: "x"}), wantRule: RuleWindowsName, wantEntry: "CON"},
		{name: "a Windows device name with an extension", files: with(zfile{name: "js/nul.txt", body: "x"}), wantRule: RuleWindowsName, wantEntry: "js/nul.txt"},
		{name: "a Windows device name as a folder", files: with(zfile{name: "com1.js/", body: ""}), wantRule: RuleWindowsName, wantEntry: "com1.js/"},
		{name: "a name ending in a dot", files: with(zfile{name: "index.", body: "x"}), wantRule: RuleWindowsName, wantEntry: "index."},
		{name: "a name ending in a space", files: with(zfile{name: "app.js ", body: "x"}), wantRule: RuleWindowsName, wantEntry: "app.js "},
		{name: "a character Windows refuses", files: with(zfile{name: "what?.html", body: "x"}), wantRule: RuleWindowsName, wantEntry: "what?.html"},
		{name: "a symlink in the Unix mode bits", files: with(zfile{name: "passwd", body: "/etc/passwd", mode: fs.ModeSymlink | 0o777}), wantRule: RuleSymlink, wantEntry: "passwd"},
		{name: "a symlink set by raw external attributes", files: with(zfile{name: "link", body: "../../x", hdr: func(h *zip.FileHeader) {
			h.CreatorVersion = 3 << 8 // Unix
			h.ExternalAttrs = 0o120777 << 16
		}}), wantRule: RuleSymlink, wantEntry: "link"},
		{name: "a named pipe", files: with(zfile{name: "fifo", mode: fs.ModeNamedPipe | 0o644}), wantRule: RuleSpecialFile, wantEntry: "fifo"},
		{name: "a device", files: with(zfile{name: "sda", mode: fs.ModeDevice | 0o644}), wantRule: RuleSpecialFile, wantEntry: "sda"},
		{name: "the same name twice", files: with(zfile{name: "index.html", body: "again"}), wantRule: RuleDuplicate, wantEntry: "index.html"},
		{name: "names differing only in case", files: with(zfile{name: "INDEX.html", body: "x"}), wantRule: RuleDuplicate, wantEntry: "INDEX.html"},
		{name: "the Kelvin sign against a k", files: with(zfile{name: "k.js", body: "x"}, zfile{name: "\u212a.js", body: "x"}), wantRule: RuleDuplicate, wantEntry: "\u212a.js"},
		{name: "a file used as a folder", files: with(zfile{name: "index.html/x.js", body: "x"}), wantRule: RuleDuplicate, wantEntry: "index.html/x.js"},
		{name: "an encrypted entry", files: with(zfile{name: "secret.js", body: "x", hdr: func(h *zip.FileHeader) { h.Flags |= 0x1 }}), wantRule: RuleEncrypted, wantEntry: "secret.js"},
		{name: "an unsupported compression method", files: with(rawEntry("odd.js", 99, []byte("abc"), 0, 3)), wantRule: RuleCorrupt, wantEntry: "odd.js"},
		{name: "a bad checksum", files: with(rawEntry("bad.js", zip.Store, []byte("abc"), 12345, 3)), wantRule: RuleCorrupt, wantEntry: "bad.js"},
		{name: "a header understating the size", files: with(rawEntry("lie.js", zip.Deflate, deflate(t, []byte(lie)), crc32.ChecksumIEEE([]byte(lie)), 10)), wantRule: RuleCorrupt, wantEntry: "lie.js"},
		{name: "more entries than allowed", files: good, opts: Options{MaxEntries: 3}, wantRule: RuleTooManyEntries},
		{name: "more bytes than allowed", files: with(zfile{name: "big.js", body: strings.Repeat("x", 5000)}), opts: Options{MaxTotalBytes: 4096}, wantRule: RuleTooLarge},
		{name: "an entry that expands too much", files: with(zfile{name: "bomb.bin", body: zeros}), wantRule: RuleCompression, wantEntry: "bomb.bin"},
		{name: "a package that expands too much in small entries", files: with(
			zfile{name: "b1.bin", body: zeros[:900<<10]}, zfile{name: "b2.bin", body: zeros[:900<<10]}, zfile{name: "b3.bin", body: zeros[:900<<10]},
		), wantRule: RuleCompression},
		{name: "no webapp.json", files: good[1:], wantRule: RuleMissingManifest, wantEntry: "webapp.json"},
		{name: "webapp.json in one of two top folders", files: []zfile{
			{name: "app/webapp.json", body: `{"name":"app","version":"1.0","main":"index.html"}`}, {name: "app/index.html"}, {name: "other/x.js"},
		}, wantRule: RuleMissingManifest, wantEntry: "webapp.json"},
		{name: "an invalid webapp.json", files: []zfile{{name: "webapp.json", body: `{"name":"app","main":"index.html"}`}, {name: "index.html"}}, wantRule: RuleInvalidManifest, wantEntry: "webapp.json"},
		{name: "a webapp.json that is not JSON", files: []zfile{{name: "webapp.json", body: `name=app`}}, wantRule: RuleInvalidManifest, wantEntry: "webapp.json"},
		{name: "a page named by webapp.json that is missing", files: []zfile{
			{name: "webapp.json", body: `{"name":"app","version":"1.0","main":"index.html","setup":"setup.html","manage":"manage.html"}`},
			{name: "index.html"}, {name: "setup.html"},
		}, wantRule: RuleMissingPage, wantEntry: "manage.html"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			// An installed version the failed install must leave alone.
			if _, err := installZip(dir, buildZip(t, appFiles("1.0", "old")...), Options{}); err != nil {
				t.Fatal(err)
			}
			before := tree(t, dir)
			data := tt.zip
			if data == nil {
				data = buildZip(t, tt.files...)
			}
			_, err := installZip(dir, data, tt.opts)
			if !errors.Is(err, ErrBadPackage) {
				t.Fatalf("Install error = %v, want ErrBadPackage", err)
			}
			var perr *PackageError
			if !errors.As(err, &perr) {
				t.Fatalf("Install error %T is not a *PackageError", err)
			}
			if perr.Rule != tt.wantRule || perr.Entry != tt.wantEntry {
				t.Errorf("refused for %q at entry %q (%v), want %q at entry %q", perr.Rule, perr.Entry, err, tt.wantRule, tt.wantEntry)
			}
			if after := tree(t, dir); !reflect.DeepEqual(after, before) {
				t.Errorf("a refused install changed the webapps folder:\nbefore %v\nafter  %v", keys(before), keys(after))
			}
		})
	}
}

func TestInstallLaysOutTheVersion(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		files []zfile
	}{
		{name: "webapp.json at the top", files: appFiles("2.0", "new")},
		{name: "webapp.json inside a single folder", files: []zfile{
			{name: "app-2.0/"},
			{name: "app-2.0/webapp.json", body: `{"name":"app","version":"2.0","main":"index.html"}`},
			{name: "app-2.0/index.html", body: "<p>new"},
			{name: "app-2.0/js/app.js", body: "// new"},
			{name: "__MACOSX/app-2.0/._index.html", body: "resource fork"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			var last [2]int64
			m, err := installZip(dir, buildZip(t, tt.files...), Options{Progress: func(done, total int64) { last = [2]int64{done, total} }})
			if err != nil {
				t.Fatal(err)
			}
			if m.Name != "app" || m.Version != "2.0" {
				t.Errorf("manifest = %+v", m)
			}
			got := tree(t, dir)
			want := map[string]string{
				"app/": "", "app/2.0/": "", "app/2.0/js/": "",
				"app/2.0/webapp.json": `{"name":"app","version":"2.0","main":"index.html"}`,
				"app/2.0/index.html":  "<p>new", "app/2.0/js/app.js": "// new",
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("installed tree = %v, want %v", keys(got), keys(want))
			}
			info, err := os.Stat(filepath.Join(dir, "app", "2.0", "index.html"))
			if err != nil || info.Mode().Perm() != 0o644 {
				t.Errorf("index.html mode = %v (%v), want 0644", info.Mode(), err)
			}
			if last[0] != last[1] || last[0] == 0 {
				t.Errorf("last progress = %v, want done == total > 0", last)
			}
			c, err := newCatalog(os.DirFS(dir))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.Lookup("app", "2.0"); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestReinstallReplacesTheVersion(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	old := append(appFiles("1.0", "old"), zfile{name: "gone.js", body: "only in the old one"})
	if _, err := installZip(dir, buildZip(t, old...), Options{}); err != nil {
		t.Fatal(err)
	}
	if _, err := installZip(dir, buildZip(t, appFiles("1.1", "other")...), Options{}); err != nil {
		t.Fatal(err)
	}
	if _, err := installZip(dir, buildZip(t, appFiles("1.0", "new")...), Options{}); err != nil {
		t.Fatal(err)
	}
	got := tree(t, filepath.Join(dir, "app"))
	want := map[string]string{
		"1.0/": "", "1.0/js/": "", "1.0/webapp.json": `{"name":"app","version":"1.0","main":"index.html"}`,
		"1.0/index.html": "<p>new", "1.0/js/app.js": "// new",
		"1.1/": "", "1.1/js/": "", "1.1/webapp.json": `{"name":"app","version":"1.1","main":"index.html"}`,
		"1.1/index.html": "<p>other", "1.1/js/app.js": "// other",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("after reinstall = %v, want %v", keys(got), keys(want))
	}
	if names := keys(tree(t, dir)); strings.Contains(strings.Join(names, " "), ".install-") {
		t.Errorf("an extraction directory was left behind: %v", names)
	}
}

func TestInstallDir(t *testing.T) {
	t.Parallel()
	t.Run("a directory package is copied", func(t *testing.T) {
		t.Parallel()
		src, dir := t.TempDir(), t.TempDir()
		writeTree(t, src, map[string]string{
			"webapp.json": `{"name":"app","version":"3.0","main":"index.html"}`, "index.html": "<p>dir", "img/": "",
		})
		if _, err := InstallDir(dir, src, Options{}); err != nil {
			t.Fatal(err)
		}
		want := map[string]string{"3.0/": "", "3.0/img/": "", "3.0/index.html": "<p>dir", "3.0/webapp.json": `{"name":"app","version":"3.0","main":"index.html"}`}
		if got := tree(t, filepath.Join(dir, "app")); !reflect.DeepEqual(got, want) {
			t.Errorf("installed %v, want %v", keys(got), keys(want))
		}
	})
	t.Run("names Windows cannot hold are refused", func(t *testing.T) {
		t.Parallel()
		tests := []struct{ entry, rule string }{
			{"aux.js", RuleWindowsName},
			{"LPT1/x.js", RuleWindowsName},
			{"notes.", RuleWindowsName},
			{"a|b.js", RuleWindowsName},
			{strings.Repeat(strings.Repeat("d", 200)+"/", 6) + "x.js", RuleNameTooLong},
		}
		for _, tt := range tests {
			src, dir := t.TempDir(), t.TempDir()
			writeTree(t, src, map[string]string{
				"webapp.json": `{"name":"app","version":"3.0","main":"index.html"}`, "index.html": "x", tt.entry: "x",
			})
			_, err := InstallDir(dir, src, Options{})
			var perr *PackageError
			if !errors.As(err, &perr) || perr.Rule != tt.rule || !strings.HasPrefix(tt.entry, perr.Entry) {
				t.Errorf("InstallDir with %.40q: error = %v, want %s", tt.entry, err, tt.rule)
			}
			if got := tree(t, dir); len(got) != 0 {
				t.Errorf("a refused install left %v", keys(got))
			}
		}
	})
	t.Run("a symlink inside is refused, not followed", func(t *testing.T) {
		t.Parallel()
		src, dir := t.TempDir(), t.TempDir()
		writeTree(t, src, map[string]string{"webapp.json": `{"name":"app","version":"3.0","main":"index.html"}`, "index.html": "x"})
		if err := os.Symlink("/etc", filepath.Join(src, "etc")); err != nil {
			t.Skip("cannot create symlinks here:", err)
		}
		_, err := InstallDir(dir, src, Options{})
		var perr *PackageError
		if !errors.As(err, &perr) || perr.Rule != RuleSymlink || perr.Entry != "etc" {
			t.Fatalf("InstallDir error = %v, want a symlink refusal for etc", err)
		}
		if got := tree(t, dir); len(got) != 0 {
			t.Errorf("a refused install left %v", keys(got))
		}
	})
}
