package pkginstall

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"loginshell/internal/fault"
	"loginshell/internal/manifest"
)

// lockChildEnv carries a lockChild spec (JSON) to the test binary run as
// a child process: another `loginshell install` on the same data folder.
const lockChildEnv = "WEBAPPS_INSTALL_LOCK_CHILD"

// bigFiles is how many files the big package holds: enough that its
// install takes a while and a recovery racing it would visibly cut it.
const bigFiles = 3000

// lockChild is what a child process does: RecoverInstalls first when
// Recover is set (as `loginshell install` does at start), then Install.
type lockChild struct {
	Dir, Zip  string
	Recover   bool
	Recovered string // created once RecoverInstalls returned
	Paused    string // created once the package is extracted, before it is made live...
	Resume    string // ...then the install waits until this file exists
}

// childResult is the child's one line of output, "RESULT {json}".
type childResult struct {
	Installed bool
	Name      string
	Version   string
	Busy      bool   // refused with ErrInstallBusy
	Text      string // fault.Text of the error
	Err       string // the error, for the test log
}

// TestInstallLockChild is the child of the tests below; it does nothing in
// a normal run.
func TestInstallLockChild(t *testing.T) {
	spec := os.Getenv(lockChildEnv)
	if spec == "" {
		t.Skip("run by the two-process install tests")
	}
	var c lockChild
	if err := json.Unmarshal([]byte(spec), &c); err != nil {
		t.Fatal(err)
	}
	if c.Recover {
		if err := RecoverInstalls(c.Dir); err != nil {
			t.Fatal(err)
		}
		touch(t, c.Recovered)
	}
	data, err := os.ReadFile(c.Zip)
	if err != nil {
		t.Fatal(err)
	}
	m, err := installZip(c.Dir, data, Options{Approve: func(manifest.WebApp) error {
		// Extracted, not yet live, the install lock held: where another
		// process's recovery must leave it alone.
		if c.Paused == "" {
			return nil
		}
		touch(t, c.Paused)
		// A ceiling only so an orphaned child cannot live for ever.
		for end := time.Now().Add(2 * time.Minute); time.Now().Before(end); time.Sleep(5 * time.Millisecond) {
			if _, err := os.Stat(c.Resume); err == nil {
				return nil
			}
		}
		return nil
	}})
	r := childResult{Installed: err == nil, Name: m.Name, Version: m.Version}
	if err != nil {
		r.Busy, r.Text, r.Err = errors.Is(err, ErrInstallBusy), fault.Text(err), err.Error()
	}
	line, _ := json.Marshal(r)
	fmt.Printf("RESULT %s\n", line)
}

func touch(t testing.TB, p string) {
	if p == "" {
		return
	}
	if err := os.WriteFile(p, nil, 0o644); err != nil {
		t.Fatal(err)
	}
}

// child is a running child process.
type child struct {
	cmd    *exec.Cmd
	out    *bytes.Buffer
	exited chan error
}

func startChild(t *testing.T, c lockChild) *child {
	t.Helper()
	spec, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestInstallLockChild$", "-test.v")
	cmd.Env = append(os.Environ(), lockChildEnv+"="+string(spec))
	out := &bytes.Buffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ch := &child{cmd: cmd, out: out, exited: make(chan error, 1)}
	go func() { ch.exited <- cmd.Wait() }()
	t.Cleanup(func() { cmd.Process.Kill() })
	return ch
}

// waitFile waits until p exists, failing if a child exits first.
func waitFile(t *testing.T, p string, kids ...*child) {
	t.Helper()
	// A generous ceiling only so a broken child cannot hang the suite.
	deadline := time.After(2 * time.Minute)
	for {
		if _, err := os.Stat(p); err == nil {
			return
		}
		for _, k := range kids {
			select {
			case err := <-k.exited:
				t.Fatalf("a child exited before %s (%v):\n%s", filepath.Base(p), err, k.out.String())
			default:
			}
		}
		select {
		case <-deadline:
			t.Fatalf("%s never appeared", filepath.Base(p))
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// result waits for the child to exit and returns what it reported.
func (k *child) result(t *testing.T) childResult {
	t.Helper()
	if err := <-k.exited; err != nil {
		t.Fatalf("the child failed (%v):\n%s", err, k.out.String())
	}
	sc := bufio.NewScanner(bytes.NewReader(k.out.Bytes()))
	for sc.Scan() {
		if line, ok := strings.CutPrefix(sc.Text(), "RESULT "); ok {
			var r childResult
			if err := json.Unmarshal([]byte(line), &r); err != nil {
				t.Fatal(err)
			}
			return r
		}
	}
	t.Fatalf("the child reported nothing:\n%s", k.out.String())
	return childResult{}
}

// pkgFiles is a package name@version with extra generated files, and the
// tree it must install as (relative to dir/name/version).
func pkgFiles(name, version string, extra int) ([]zfile, map[string]string) {
	manifest := fmt.Sprintf(`{"name":%q,"version":%q,"main":"index.html"}`, name, version)
	files := []zfile{{name: "webapp.json", body: manifest}, {name: "index.html", body: "<p>" + name}}
	want := map[string]string{"webapp.json": manifest, "index.html": "<p>" + name}
	if extra > 0 {
		want["f/"] = ""
	}
	for i := range extra {
		f := zfile{name: fmt.Sprintf("f/%04d.js", i), body: fmt.Sprintf("// %s %d %s", name, i, strings.Repeat("x", 1000))}
		files = append(files, f)
		want[f.name] = f.body
	}
	return files, want
}

// checkInstalled fails unless r is a true report: an installed package is
// whole on disk, a refusal is ErrInstallBusy and says so.
func checkInstalled(t *testing.T, dir string, r childResult, name, version string, want map[string]string) {
	t.Helper()
	if !r.Installed {
		if !r.Busy || !strings.Contains(r.Text, "another install") {
			t.Errorf("%s was refused with %q (%s), want installed or a clear busy refusal", name, r.Text, r.Err)
		}
		return
	}
	if r.Name != name || r.Version != version {
		t.Errorf("reported installed %s %s, want %s %s", r.Name, r.Version, name, version)
	}
	if got := tree(t, filepath.Join(dir, name, version)); !reflect.DeepEqual(got, want) {
		t.Errorf("%s %s was reported installed but holds %d entries, want %d", name, version, len(got), len(want))
	}
}

// TestTwoProcessesInstallIntoOneFolder runs two installs, each in its own
// process as two `loginshell install --data D` would, into one folder: a
// big package and a small one. Each one ends whole, or is refused as busy;
// neither is reported installed when it is not, and the recovery the
// second runs at start never touches the first's live extraction.
func TestTwoProcessesInstallIntoOneFolder(t *testing.T) {
	if testing.Short() {
		t.Skip("installs a package of several thousand files in child processes")
	}
	t.Parallel()
	work := t.TempDir()
	bigZip, otherZip := filepath.Join(work, "big.zip"), filepath.Join(work, "other.zip")
	big, wantBig := pkgFiles("bigapp", "2.0.0", bigFiles)
	other, wantOther := pkgFiles("otherapp", "1.0.0", 20)
	for p, files := range map[string][]zfile{bigZip: big, otherZip: other} {
		if err := os.WriteFile(p, buildZip(t, files...), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name     string
		overlaid bool // start the second while the first waits before its switch
	}{
		{"the second starts while the first waits before its switch", true},
		{"both start at once", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir, marks := filepath.Join(t.TempDir(), "webapps"), t.TempDir()
			mark := func(n string) string { return filepath.Join(marks, n) }
			first := lockChild{Dir: dir, Zip: bigZip, Recover: true, Recovered: mark("first-recovered")}
			second := lockChild{Dir: dir, Zip: otherZip, Recover: true, Recovered: mark("second-recovered")}
			if tt.overlaid {
				first.Paused, first.Resume = mark("paused"), mark("resume")
			}
			a := startChild(t, first)
			if tt.overlaid {
				waitFile(t, first.Paused, a)
			}
			b := startChild(t, second)
			if tt.overlaid {
				waitFile(t, second.Recovered, a, b)
				live, _ := filepath.Glob(filepath.Join(dir, installTempPrefix+"*", manifest.WebAppFile))
				if len(live) != 1 {
					t.Errorf("after the second process's recovery the first's extraction holds %v, want its webapp.json", live)
				}
				touch(t, first.Resume)
			}
			checkInstalled(t, dir, a.result(t), "bigapp", "2.0.0", wantBig)
			checkInstalled(t, dir, b.result(t), "otherapp", "1.0.0", wantOther)
			if left, _ := filepath.Glob(filepath.Join(dir, installTempPrefix+"*")); len(left) > 0 {
				t.Errorf("extraction directories left behind: %v", left)
			}
			if _, err := newCatalog(os.DirFS(dir)); err != nil {
				t.Errorf("the folder does not load: %v", err)
			}
		})
	}
}

// TestRecoveryLeavesAnotherProcesssInstallAlone runs RecoverInstalls in
// this process while a child process holds an install into
// the same folder: the child's extraction directory keeps every file, and
// the child then finishes whole.
func TestRecoveryLeavesAnotherProcesssInstallAlone(t *testing.T) {
	if testing.Short() {
		t.Skip("installs a package of several thousand files in a child process")
	}
	t.Parallel()
	work := t.TempDir()
	dir := filepath.Join(work, "webapps")
	files, want := pkgFiles("bigapp", "2.0.0", bigFiles)
	zipPath := filepath.Join(work, "big.zip")
	if err := os.WriteFile(zipPath, buildZip(t, files...), 0o644); err != nil {
		t.Fatal(err)
	}
	spec := lockChild{Dir: dir, Zip: zipPath, Paused: filepath.Join(work, "paused"), Resume: filepath.Join(work, "resume")}
	a := startChild(t, spec)
	waitFile(t, spec.Paused, a)

	live, _ := filepath.Glob(filepath.Join(dir, installTempPrefix+"*"))
	if len(live) != 1 {
		t.Fatalf("extraction directories %v, want the child's one", live)
	}
	before := tree(t, live[0])
	if err := RecoverInstalls(dir); err != nil {
		t.Fatal(err)
	}
	after := tree(t, live[0])
	touch(t, spec.Resume)
	if !reflect.DeepEqual(after, before) {
		t.Errorf("recovery changed the live extraction: %d entries before, %d after", len(before), len(after))
	}
	checkInstalled(t, dir, a.result(t), "bigapp", "2.0.0", want)
}
