package pkginstall

import (
	"errors"
	"io"
	"os"
	"strings"
	"syscall"
	"testing"
)

// TestEntryNamesThatMustHoldEverywhere covers the rules that keep a
// package the same tree on Linux, macOS and Windows: lengths, Windows
// device names, trailing dots and spaces, and the characters Windows
// refuses. Install, InstallDir and check all go through checkEntryName.
func TestEntryNamesThatMustHoldEverywhere(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("a", MaxNameBytes+1)
	deep := strings.Repeat(strings.Repeat("d", 99)+"/", MaxPathBytes/100) + "x.js" // 1004 bytes
	tests := []struct {
		name     string
		entry    string
		wantRule string // "" = accepted
	}{
		{name: "a name part of exactly 255 bytes is accepted", entry: "js/" + strings.Repeat("a", MaxNameBytes)},
		{name: "a name part of 256 bytes is too long", entry: "js/" + long, wantRule: RuleNameTooLong},
		{name: "a 300-byte file name is too long", entry: strings.Repeat("b", 297) + ".js", wantRule: RuleNameTooLong},
		{name: "a folder name over the limit is too long", entry: long + "/x.js", wantRule: RuleNameTooLong},
		{name: "255 bytes of two-byte characters are accepted", entry: strings.Repeat("é", 127) + "x"},
		{name: "a path just within the limit is accepted", entry: deep},
		{name: "a path over the limit is too long", entry: deep + strings.Repeat("/y", (MaxPathBytes-len(deep))/2+1), wantRule: RuleNameTooLong},
		{name: "CON is a Windows device", entry: "CON", wantRule: RuleWindowsName},
		{name: "a device name in lower case with an extension", entry: "nul.txt", wantRule: RuleWindowsName},
		{name: "a device name with a double extension", entry: "js/Com1.tar.gz", wantRule: RuleWindowsName},
		{name: "a device name as a folder", entry: "aux/index.html", wantRule: RuleWindowsName},
		{name: "a device name followed by spaces before the extension", entry: "prn  .js", wantRule: RuleWindowsName},
		{name: "LPT9 is a device", entry: "lpt9", wantRule: RuleWindowsName},
		{name: "COM with a superscript digit is a device", entry: "COM\u00b9.log", wantRule: RuleWindowsName},
		{name: "the console input device", entry: "conin$", wantRule: RuleWindowsName},
		{name: "a name that starts like a device is accepted", entry: "console.js"},
		{name: "COM10 is not a device", entry: "com10.js"},
		{name: "LPT alone is not a device", entry: "lpt.js"},
		{name: "a device name after a dot is accepted", entry: "my.nul"},
		{name: "a name ending in a dot", entry: "readme.", wantRule: RuleWindowsName},
		{name: "a folder ending in a space", entry: "js /app.js", wantRule: RuleWindowsName},
		{name: "three dots", entry: "...", wantRule: RuleWindowsName},
		{name: "a leading space is accepted", entry: " a.js"},
		{name: "a less-than sign", entry: "a<b.js", wantRule: RuleWindowsName},
		{name: "a greater-than sign", entry: "a>b.js", wantRule: RuleWindowsName},
		{name: "a double quote", entry: `say"hi".txt`, wantRule: RuleWindowsName},
		{name: "a vertical bar", entry: "a|b", wantRule: RuleWindowsName},
		{name: "a question mark", entry: "what?.html", wantRule: RuleWindowsName},
		{name: "an asterisk", entry: "img/*.png", wantRule: RuleWindowsName},
		{name: "a colon stays a path escape", entry: "a:b", wantRule: RulePathEscape},
		{name: "a tab stays a bad name", entry: "a\tb", wantRule: RuleBadName},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, rule, detail := checkEntryName(tt.entry)
			if rule != tt.wantRule {
				t.Fatalf("checkEntryName(%.60q) = rule %q (%s), want %q", tt.entry, rule, detail, tt.wantRule)
			}
			if rule != "" && (detail == "" || len(detail) > 300) {
				t.Errorf("detail %q should say why in a line", detail)
			}
		})
	}
}

// TestManifestNameAndVersionMustBeFolderNames: the name and the version
// become folders of the webapps directory, so the same rules apply.
func TestManifestNameAndVersionMustBeFolderNames(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, manifest string
	}{
		{"a device name as the package name", `{"name":"con","version":"1.0","main":"index.html"}`},
		{"a version ending in a dot", `{"name":"app","version":"1.0.","main":"index.html"}`},
		{"a package name over 255 bytes", `{"name":"` + strings.Repeat("n", 256) + `","version":"1.0","main":"index.html"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			_, err := installZip(dir, buildZip(t, zfile{name: "webapp.json", body: tt.manifest}, zfile{name: "index.html", body: "x"}), Options{})
			var perr *PackageError
			if !errors.As(err, &perr) || perr.Rule != RuleInvalidManifest || perr.Entry != "webapp.json" {
				t.Fatalf("Install error = %v, want %s at webapp.json", err, RuleInvalidManifest)
			}
			if got := tree(t, dir); len(got) != 0 {
				t.Errorf("a refused install left %v", keys(got))
			}
		})
	}
}

// TestNameTooLongOnDiskIsThePackages: when the file system refuses a name
// the rules let through, the install names the entry and the rule instead
// of failing with the raw error.
func TestNameTooLongOnDiskIsThePackages(t *testing.T) {
	t.Parallel()
	tooLong := &os.PathError{Op: "openat", Path: "x", Err: syscall.ENAMETOOLONG}
	tests := []struct {
		name     string
		entry    string
		emitErr  error
		wantRule string
		wantErr  bool
	}{
		{name: "a file the disk refuses as too long", entry: "deep/file.js", emitErr: tooLong, wantRule: RuleNameTooLong},
		{name: "a folder the disk refuses as too long", entry: "deep/", emitErr: tooLong, wantRule: RuleNameTooLong},
		{name: "another disk error stays the shell's", entry: "deep/file.js", emitErr: syscall.ENOSPC, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			entries := entriesOf(t, append(appFiles("1.0", "x"), zfile{name: tt.entry})...)
			_, _, problems, err := walk(entries, Options{}.withDefaults(), Archive, false, func(name string, _ bool, _ io.Reader, _ []byte) error {
				if name == strings.TrimSuffix(tt.entry, "/") {
					return tt.emitErr
				}
				return nil
			})
			if tt.wantErr {
				if err == nil || len(problems) != 0 {
					t.Errorf("walk = %v, %v; want the disk error, no problem", problems, err)
				}
				return
			}
			if err != nil || len(problems) != 1 || problems[0].Rule != tt.wantRule || problems[0].Entry != tt.entry {
				t.Errorf("walk = %v, %v; want one %s problem at %q", problems, err, tt.wantRule, tt.entry)
			}
		})
	}
}

// entriesOf lists a zip built from files the way Install does.
func entriesOf(t *testing.T, files ...zfile) []entry {
	t.Helper()
	data := buildZip(t, files...)
	entries, perr := zipEntries(strings.NewReader(string(data)), int64(len(data)), Options{}.withDefaults())
	if perr != nil {
		t.Fatal(perr)
	}
	return entries
}
