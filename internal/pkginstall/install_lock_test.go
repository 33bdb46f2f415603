package pkginstall

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"loginshell/internal/fault"
)

// TestInstallWhileTheFolderIsLocked holds the install lock the way a
// running install does (a second open of the lock file is excluded like
// another process, since the lock belongs to the open file) and checks
// that nothing else touches the folder meanwhile.
func TestInstallWhileTheFolderIsLocked(t *testing.T) {
	t.Parallel()
	pkg := buildZip(t, appFiles("1.0", "new")...)
	src := t.TempDir()
	writeTree(t, src, map[string]string{"webapp.json": `{"name":"app","version":"2.0","main":"index.html"}`, "index.html": "x"})
	busy := Options{LockWait: time.Millisecond}
	tests := []struct {
		name    string
		run     func(dir string) error
		wantErr error
	}{
		{"Install gives up with ErrInstallBusy", func(dir string) error { _, err := installZip(dir, pkg, busy); return err }, ErrInstallBusy},
		{"InstallDir gives up with ErrInstallBusy", func(dir string) error { _, err := InstallDir(dir, src, busy); return err }, ErrInstallBusy},
		{"RecoverInstalls leaves the live extraction alone", RecoverInstalls, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			if _, err := installZip(dir, buildZip(t, appFiles("1.0", "old")...), Options{}); err != nil {
				t.Fatal(err)
			}
			// What the holder of the lock is writing right now.
			writeTree(t, dir, map[string]string{".install-live/webapp.json": "{}", ".install-live/js/app.js": "half"})
			lock, ok, err := tryLockInstalls(dir)
			if err != nil || !ok {
				t.Fatalf("tryLockInstalls = %v, %v", ok, err)
			}
			before := tree(t, dir)
			err = tt.run(dir)
			after := tree(t, dir)
			lock.unlock()
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("error = %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				if fault.KindOf(err) != fault.Conflict || !strings.Contains(fault.Text(err), dir) {
					t.Errorf("error %q (kind %v) should be a Conflict naming %s", fault.Text(err), fault.KindOf(err), dir)
				}
			}
			if !reflect.DeepEqual(after, before) {
				t.Errorf("the folder changed while another install held it:\nbefore %v\nafter  %v", keys(before), keys(after))
			}
			// Once the lock is free, the leftover is a crash's and goes.
			if err := RecoverInstalls(dir); err != nil {
				t.Fatal(err)
			}
			if _, err := os.Stat(filepath.Join(dir, ".install-live")); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("after the lock was released, recovery kept the leftover (%v)", err)
			}
		})
	}
}

// TestInstallSettlesACrashsLeftovers: an install holds the lock, so any
// extraction directory it finds is a dead install's and is removed, and a
// half-done switch of another package is finished, without a restart.
func TestInstallSettlesACrashsLeftovers(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		".install-dead/index.html":   "half",
		"other/.old-1.0/webapp.json": `{"name":"other","version":"1.0","main":"index.html"}`,
		"other/.old-1.0/index.html":  "old",
	})
	if _, err := installZip(dir, buildZip(t, appFiles("1.0", "new")...), Options{}); err != nil {
		t.Fatal(err)
	}
	got := keys(tree(t, dir))
	want := []string{
		"app/", "app/1.0/", "app/1.0/index.html", "app/1.0/js/", "app/1.0/js/app.js", "app/1.0/webapp.json",
		"other/", "other/1.0/", "other/1.0/index.html", "other/1.0/webapp.json",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("after the install: %v\nwant %v", got, want)
	}
	if _, err := os.Stat(filepath.Join(dir, lockFileName)); err != nil {
		t.Errorf("the lock file should stay: %v", err)
	}
}

// TestSyncTreeReportsAnIncompleteExtraction: a package is reported
// installed only when what was written is on disk, whole.
func TestSyncTreeReportsAnIncompleteExtraction(t *testing.T) {
	t.Parallel()
	files := map[string]string{"webapp.json": "{}", "js/": "", "js/app.js": "abc"}
	written := map[string]int64{"webapp.json": 2, "js": -1, "js/app.js": 3}
	tests := []struct {
		name    string
		change  func(dir string) error
		wantErr string // "" = whole
	}{
		{"the written tree is whole", func(string) error { return nil }, ""},
		{"a file removed behind the installer's back", func(dir string) error { return os.Remove(filepath.Join(dir, "webapp.json")) }, "missing"},
		{"a folder removed with its files", func(dir string) error { return os.RemoveAll(filepath.Join(dir, "js")) }, "missing"},
		{"a file cut short", func(dir string) error { return os.WriteFile(filepath.Join(dir, "js", "app.js"), []byte("a"), 0o644) }, "holds 1 bytes"},
		{"a file nobody wrote", func(dir string) error { return os.WriteFile(filepath.Join(dir, "extra.js"), nil, 0o644) }, "not a file of the package"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			writeTree(t, dir, files)
			if err := tt.change(dir); err != nil {
				t.Fatal(err)
			}
			err := syncTree(dir, written)
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Errorf("syncTree = %v, want %q", err, tt.wantErr)
			}
		})
	}
}
