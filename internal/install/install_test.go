package install

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"loginshell/internal/check"
	"loginshell/internal/fault"
	"loginshell/internal/manifest"
	"loginshell/internal/pkginstall"
)

// zipOf builds a store-only zip of name/content pairs.
func zipOf(t *testing.T, files ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i := 0; i+1 < len(files); i += 2 {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: files[i], Method: zip.Store})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(w, files[i+1]); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func goodZip(t *testing.T) []byte {
	return zipOf(t, "webapp.json", `{"name":"lineapp","version":"1.2.0","main":"index.html"}`,
		"index.html", "<!doctype html><title>x</title><p>hi</p>")
}

func writeFile(t *testing.T, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "pkg.zip")
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// realInstaller installs with pkginstall.Install into dir; with gate set, it
// first reports progress (1 of 2) and waits until gate closes.
type realInstaller struct {
	dir  string
	gate chan struct{}
	err  error // returned instead of installing, when set
}

func (r *realInstaller) Install(path string, progress func(done, total int64), _ bool) (manifest.WebApp, error) {
	if r.gate != nil {
		progress(1, 2)
		<-r.gate
	}
	if r.err != nil {
		return manifest.WebApp{}, r.err
	}
	f, err := os.Open(path)
	if err != nil {
		return manifest.WebApp{}, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return manifest.WebApp{}, err
	}
	return pkginstall.Install(r.dir, f, st.Size(), pkginstall.Options{Progress: progress})
}

func newService(t *testing.T, inst *realInstaller, max int64) (*Service, string) {
	t.Helper()
	dir := t.TempDir()
	if inst.dir == "" {
		inst.dir = filepath.Join(dir, "webapps")
	}
	s, err := New(Options{Installer: inst, Dir: dir, MaxUpload: max, Permit: anyone})
	if err != nil {
		t.Fatal(err)
	}
	return s, dir
}

// noUploads fails if a staged upload is left in dir.
func noUploads(t *testing.T, dir string) {
	t.Helper()
	if left, _ := filepath.Glob(filepath.Join(dir, uploadPrefix+"*")); len(left) > 0 {
		t.Errorf("staged uploads left behind: %v", left)
	}
}

// untilResult reads events until a Result and returns it.
func untilResult(t *testing.T, events <-chan Event) Result {
	t.Helper()
	for e := range events {
		if r, ok := e.(Result); ok {
			return r
		}
	}
	t.Fatal("events ended")
	return Result{}
}

func TestNew(t *testing.T) {
	t.Parallel()
	if _, err := New(Options{Dir: t.TempDir()}); err == nil {
		t.Error("New accepted a missing Installer")
	}
	if _, err := New(Options{Installer: &realInstaller{}, Permit: anyone}); err == nil {
		t.Error("New accepted a missing Dir")
	}
	if _, err := New(Options{Installer: &realInstaller{}, Dir: t.TempDir()}); err == nil {
		t.Error("New accepted a missing Permit: installs open to everyone by default")
	}
	dir := t.TempDir()
	stale := filepath.Join(dir, uploadPrefix+"123.zip")
	keep := filepath.Join(dir, "settings.json")
	for _, p := range []string{stale, keep} {
		if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	s, err := New(Options{Installer: &realInstaller{}, Dir: dir, Permit: anyone})
	if err != nil {
		t.Fatal(err)
	}
	if s.MaxUpload() != DefaultMaxUpload {
		t.Errorf("MaxUpload = %d, want the default", s.MaxUpload())
	}
	noUploads(t, dir)
	if _, err := os.Stat(keep); err != nil {
		t.Errorf("New removed another file: %v", err)
	}
}

// A good package installs while a second install is refused, and the
// subscribers see its progress, then the Result it returns.
func TestGoodPackageWithProgressRefusesASecond(t *testing.T) {
	t.Parallel()
	inst := &realInstaller{gate: make(chan struct{})}
	s, dir := newService(t, inst, 0)
	events, stop := s.Subscribe()
	defer stop()
	path := writeFile(t, goodZip(t))
	type ended struct {
		r   Result
		err error
	}
	done := make(chan ended, 1)
	go func() { r, err := s.InstallFile(path, false); done <- ended{r, err} }()

	// The installer waits after reporting 1 of 2: that is the newest event.
	for e := range events {
		if e == (Progress{Phase: PhaseInstalling, Done: 1, Total: 2}) {
			break
		}
	}
	if !s.Running() {
		t.Error("Running() = false during an install")
	}
	second := []struct {
		name    string
		install func() (Result, error)
	}{
		{"a second file", func() (Result, error) { return s.InstallFile(path, false) }},
		{"an upload", func() (Result, error) {
			return s.InstallUpload(bytes.NewReader(goodZip(t)), -1, false)
		}},
	}
	for _, tt := range second {
		r, err := tt.install()
		if !errors.Is(err, ErrBusy) || r.Phase != PhaseRefused || r.OK || r.Message != msgBusy {
			t.Errorf("%s while one runs: %+v, %v; want refused with ErrBusy", tt.name, r, err)
		}
	}
	close(inst.gate)
	got := untilResult(t, events)
	e := <-done
	if e.err != nil {
		t.Fatalf("InstallFile: %v", e.err)
	}
	want := Result{Phase: PhaseDone, OK: true, Name: "lineapp", Version: "1.2.0",
		Message: "Installed lineapp 1.2.0. It is used at the next sign-in.", Problems: []check.Problem{}}
	if !reflect.DeepEqual(e.r, want) || !reflect.DeepEqual(got, want) {
		t.Errorf("result %+v, event %+v; want %+v", e.r, got, want)
	}
	if _, err := os.Stat(filepath.Join(inst.dir, "lineapp", "1.2.0", "index.html")); err != nil {
		t.Errorf("not installed: %v", err)
	}
	if s.Running() {
		t.Error("Running() = true after the install")
	}
	noUploads(t, dir)
}

// A refused package reports exactly what check reports for the same file.
func TestBadPackageProblemsAreChecks(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		data     func(t *testing.T) []byte
		wantRule string
	}{
		{"a path that escapes", func(t *testing.T) []byte {
			return zipOf(t, "webapp.json", `{"name":"x","version":"1","main":"index.html"}`,
				"index.html", "<p>", "../evil.html", "<p>")
		}, pkginstall.RulePathEscape},
		{"no webapp.json", func(t *testing.T) []byte { return zipOf(t, "index.html", "<p>") }, pkginstall.RuleMissingManifest},
		{"not a zip", func(*testing.T) []byte { return []byte("hello") }, pkginstall.RuleNotZip},
		{"a 300-byte file name", func(t *testing.T) []byte {
			return zipOf(t, "webapp.json", `{"name":"x","version":"1","main":"index.html"}`,
				"index.html", "<p>", strings.Repeat("n", 297)+".js", "x")
		}, pkginstall.RuleNameTooLong},
		{"a Windows device name", func(t *testing.T) []byte {
			return zipOf(t, "webapp.json", `{"name":"x","version":"1","main":"index.html"}`,
				"index.html", "<p>", "js/nul.txt", "x")
		}, pkginstall.RuleWindowsName},
	}
	for _, tt := range tests {
		t.Run(tt.name+" is refused with check's problems", func(t *testing.T) {
			t.Parallel()
			s, _ := newService(t, &realInstaller{}, 0)
			path := writeFile(t, tt.data(t))
			r, err := s.InstallFile(path, false)
			if !errors.Is(err, pkginstall.ErrBadPackage) {
				t.Fatalf("err = %v, want ErrBadPackage", err)
			}
			want := check.Check(path, check.Options{}).Problems
			if r.OK || r.Phase != PhaseDone || r.Message != msgBad || !reflect.DeepEqual(r.Problems, want) {
				t.Errorf("result = %+v, want check's problems %+v", r, want)
			}
			found := false
			for _, p := range r.Problems {
				found = found || p.Rule == tt.wantRule
			}
			if !found {
				t.Errorf("problems %+v lack rule %s", r.Problems, tt.wantRule)
			}
		})
	}
}

// Every refusal by the installer lists a problem and says what to do,
// even one check does not find, and a busy data folder is not reported
// as an error in the shell.
func TestInstallerRefusalsAreNeverInternal(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("n", 297) + ".js"
	diskRefusal := &pkginstall.PackageError{Entry: "deep/" + long, Rule: pkginstall.RuleNameTooLong, Detail: "the name is too long for the file system of this computer"}
	tests := []struct {
		name         string
		data         func(t *testing.T) []byte
		err          error // what the installer returns
		wantMsg      string
		wantProblems []check.Problem
	}{
		{
			name: "a refusal check does not find is listed", data: goodZip, err: fmt.Errorf("install: %w", diskRefusal), wantMsg: msgBad,
			wantProblems: []check.Problem{{File: diskRefusal.Entry, Rule: pkginstall.RuleNameTooLong, Message: diskRefusal.Detail, Severity: check.SeverityError}},
		},
		{
			name: "a refusal check also finds is listed once",
			data: func(t *testing.T) []byte {
				return zipOf(t, "webapp.json", `{"name":"x","version":"1","main":"index.html"}`, "index.html", "<p>", long, "x")
			},
			err:     &pkginstall.PackageError{Entry: long, Rule: pkginstall.RuleNameTooLong, Detail: "whatever the installer says"},
			wantMsg: msgBad,
			wantProblems: []check.Problem{{File: long, Rule: pkginstall.RuleNameTooLong, Severity: check.SeverityError,
				Message: `"nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn…" is 300 bytes long; a file or folder name may have at most 255 bytes`}},
		},
		{
			name: "a refusal that names no entry still lists a problem", data: goodZip, err: fault.Explain(pkginstall.ErrBadPackage, "refused"), wantMsg: msgBad,
			wantProblems: []check.Problem{{Rule: RuleRefused, Message: msgRefusedUnnamed, Severity: check.SeverityError}},
		},
		{
			name: "another process installing too long says so", data: goodZip,
			err:     fault.Explain(pkginstall.ErrInstallBusy, "another install into %s is still running", "/data/webapps"),
			wantMsg: msgBusyElsewhere, wantProblems: []check.Problem{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, _ := newService(t, &realInstaller{err: tt.err}, 0)
			r, err := s.InstallFile(writeFile(t, tt.data(t)), false)
			if !errors.Is(err, tt.err) {
				t.Errorf("err = %v, want the installer's %v", err, tt.err)
			}
			if r.OK || r.Phase != PhaseDone || r.Message != tt.wantMsg || !reflect.DeepEqual(r.Problems, tt.wantProblems) {
				t.Errorf("result = %+v\nwant message %q and problems %+v", r, tt.wantMsg, tt.wantProblems)
			}
		})
	}
}

func TestInternalErrorIsHidden(t *testing.T) {
	t.Parallel()
	s, _ := newService(t, &realInstaller{err: errors.New("disk on fire at /secret/path")}, 0)
	r, err := s.InstallFile(writeFile(t, goodZip(t)), false)
	if err == nil || r.OK || r.Message != msgInternal || len(r.Problems) != 0 {
		t.Errorf("result = %+v, %v; want the internal-error text", r, err)
	}
}

// failing ends with a read error where its reader ends.
type failing struct {
	r io.Reader
}

func (f *failing) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	if err == io.EOF {
		return n, errors.New("connection reset")
	}
	return n, err
}

// untouchable fails the test if read.
type untouchable struct{ t *testing.T }

func (u untouchable) Read([]byte) (int, error) {
	u.t.Error("the body was read")
	return 0, io.EOF
}

func TestUpload(t *testing.T) {
	t.Parallel()
	good := goodZip(t)
	tests := []struct {
		name    string
		max     int64
		body    func(t *testing.T) io.Reader
		size    int64
		wantErr error
		wantMsg string
	}{
		{"a good package of declared size installs", 0, func(*testing.T) io.Reader { return bytes.NewReader(good) },
			int64(len(good)), nil, "Installed lineapp 1.2.0. It is used at the next sign-in."},
		{"a good package of unknown size installs", 0, func(*testing.T) io.Reader { return bytes.NewReader(good) },
			-1, nil, "Installed lineapp 1.2.0. It is used at the next sign-in."},
		{"a declared size over the limit is refused unread", 100, func(t *testing.T) io.Reader { return untouchable{t} },
			101, ErrTooLarge, "The package is larger than 100 bytes, the most the shell accepts; make it smaller, then try again."},
		{"an undeclared body over the limit is refused", 100, func(*testing.T) io.Reader { return bytes.NewReader(good) },
			-1, ErrTooLarge, "The package is larger than 100 bytes, the most the shell accepts; make it smaller, then try again."},
		{"a body shorter than declared is incomplete", 0, func(*testing.T) io.Reader { return bytes.NewReader(good[:10]) },
			int64(len(good)), ErrIncomplete, msgIncomplete},
		{"a body that breaks off is incomplete", 0, func(*testing.T) io.Reader { return &failing{bytes.NewReader(good[:10])} },
			-1, ErrIncomplete, msgIncomplete},
		{"a bad package is refused", 0, func(t *testing.T) io.Reader { return bytes.NewReader(zipOf(t, "a.html", "x")) },
			-1, pkginstall.ErrBadPackage, msgBad},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, dir := newService(t, &realInstaller{}, tt.max)
			r, err := s.InstallUpload(tt.body(t), tt.size, false)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Errorf("err = %v, want %v", err, tt.wantErr)
			}
			if r.Message != tt.wantMsg || r.OK != (tt.wantErr == nil) {
				t.Errorf("result = %+v, want message %q", r, tt.wantMsg)
			}
			if strings.Contains(r.Message, dir) {
				t.Errorf("the message shows a path: %q", r.Message)
			}
			noUploads(t, dir)
		})
	}
}

func TestCancelledAndRefused(t *testing.T) {
	t.Parallel()
	if c := Cancelled(); !c.Cancelled || c.OK || c.Phase != PhaseCancelled || c.Problems == nil {
		t.Errorf("Cancelled() = %+v", c)
	}
	if r := Refused("Drop one package at a time."); r.Phase != PhaseRefused || r.Message != "Drop one package at a time." || r.Problems == nil {
		t.Errorf("Refused() = %+v", r)
	}
	if got := size(1 << 30); got != "1 GiB" {
		t.Errorf("size(1 GiB) = %q", got)
	}
	if got := size(5 << 20); got != "5 MiB" {
		t.Errorf("size(5 MiB) = %q", got)
	}
}

// askingInstaller wants a yes before it installs: a package that would
// replace one the shell has.
type askingInstaller struct{ calls []bool }

func (a *askingInstaller) Install(_ string, _ func(done, total int64), replace bool) (manifest.WebApp, error) {
	a.calls = append(a.calls, replace)
	if !replace {
		return manifest.WebApp{}, &pkginstall.ReplaceError{Name: "offline-login", New: "9.9", Old: "1.0.0", Offline: true}
	}
	return manifest.WebApp{Name: "offline-login", Version: "9.9"}, nil
}

// A package that replaces one the shell has is a question, not a refusal:
// the result names both versions and says what the package is; the same
// call with replace installs it.
func TestInstallAsksBeforeReplacing(t *testing.T) {
	t.Parallel()
	a := &askingInstaller{}
	s, err := New(Options{Installer: a, Dir: t.TempDir(), Permit: anyone})
	if err != nil {
		t.Fatal(err)
	}
	path := writeFile(t, goodZip(t))
	r, err := s.InstallFile(path, false)
	if !errors.Is(err, pkginstall.ErrReplace) || r.Phase != PhaseConfirm || r.OK || r.Name != "offline-login" ||
		r.Version != "9.9" || r.Replaces != "1.0.0" || !r.Offline {
		t.Fatalf("InstallFile = %+v, %v; want a confirm result for offline-login 1.0.0 -> 9.9", r, err)
	}
	for _, want := range []string{"offline-login 1.0.0 is installed", "offline passwords", "Replace it with offline-login 9.9?"} {
		if !strings.Contains(r.Message, want) {
			t.Errorf("message %q does not say %q", r.Message, want)
		}
	}
	r, err = s.InstallFile(path, true)
	if err != nil || !r.OK || r.Phase != PhaseDone {
		t.Fatalf("InstallFile with replace = %+v, %v; want installed", r, err)
	}
	if len(a.calls) != 2 || a.calls[0] || !a.calls[1] {
		t.Errorf("installer calls (replace) = %v, want [false true]", a.calls)
	}
}
