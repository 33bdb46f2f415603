//go:build !windows

package pkginstall

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const (
	killChildEnv = "WEBAPPS_INSTALL_KILL_CHILD" // "<dir>|<zip>|<marker>"
	killFiles    = 2000
)

// TestInstallSurvivesKill installs a new build of an installed version in a
// child process, SIGKILLs it halfway through, and checks that after
// RecoverInstalls the old version is whole and loads.
func TestInstallSurvivesKill(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and installs a package of several thousand files")
	}
	t.Parallel()
	dir, work := t.TempDir(), t.TempDir()
	old := killPackage(t, "old")
	if _, err := installZip(dir, old, Options{}); err != nil {
		t.Fatal(err)
	}
	want := tree(t, dir)
	zipPath := filepath.Join(work, "new.zip")
	if err := os.WriteFile(zipPath, killPackage(t, "new"), 0o644); err != nil {
		t.Fatal(err)
	}
	marker := filepath.Join(work, "halfway")

	cmd := exec.Command(os.Args[0], "-test.run=^TestInstallKillChild$", "-test.v")
	cmd.Env = append(os.Environ(), killChildEnv+"="+strings.Join([]string{dir, zipPath, marker}, "|"))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	// A generous ceiling only so a broken child cannot hang the suite.
	deadline := time.After(2 * time.Minute)
	for reached := false; !reached; {
		select {
		case err := <-exited:
			t.Fatalf("the child exited before halfway (%v):\n%s", err, out.String())
		case <-deadline:
			cmd.Process.Kill()
			t.Fatalf("the child never reached halfway:\n%s", out.String())
		case <-time.After(10 * time.Millisecond):
			_, err := os.Stat(marker)
			reached = err == nil
		}
	}
	if err := cmd.Process.Kill(); err != nil { // SIGKILL on Unix: no defer, no cleanup runs
		t.Fatal(err)
	}
	<-exited

	leftovers, _ := filepath.Glob(filepath.Join(dir, installTempPrefix+"*"))
	if len(leftovers) == 0 {
		t.Fatal("the kill left no extraction directory; the test did not interrupt an install")
	}
	if err := RecoverInstalls(dir); err != nil {
		t.Fatal(err)
	}
	if got := tree(t, dir); len(got) != len(want) || got["app/1.0/f/0001.js"] != want["app/1.0/f/0001.js"] {
		t.Fatalf("after recovery the folder holds %d entries, want the old version's %d", len(got), len(want))
	}
	c, err := newCatalog(os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	p, err := c.Lookup("app", "1.0")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	err = fs.WalkDir(p.FS, "f", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		n++
		body, err := fs.ReadFile(p.FS, path)
		if err == nil && !strings.HasPrefix(string(body), "// old ") {
			err = fmt.Errorf("%s holds %.20q, not the old version", path, body)
		}
		return err
	})
	if err != nil || n != killFiles {
		t.Errorf("old version: %d files (want %d), %v", n, killFiles, err)
	}
}

// TestInstallKillChild is the child of TestInstallSurvivesKill; it does
// nothing in a normal run.
func TestInstallKillChild(t *testing.T) {
	spec := os.Getenv(killChildEnv)
	if spec == "" {
		t.Skip("run by TestInstallSurvivesKill")
	}
	parts := strings.Split(spec, "|")
	dir, zipPath, marker := parts[0], parts[1], parts[2]
	data, err := os.ReadFile(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	_, err = installZip(dir, data, Options{Progress: func(done, total int64) {
		if done >= total/2 {
			os.WriteFile(marker, nil, 0o644)
			time.Sleep(time.Hour) // wait for the SIGKILL
		}
	}})
	t.Fatalf("the install was not interrupted: %v", err)
}

// killPackage is app 1.0 with killFiles small files saying tag.
func killPackage(t testing.TB, tag string) []byte {
	files := appFiles("1.0", tag)
	for i := range killFiles {
		files = append(files, zfile{name: fmt.Sprintf("f/%04d.js", i), body: fmt.Sprintf("// %s %d %s", tag, i, strings.Repeat("x", 2000))})
	}
	return buildZip(t, files...)
}
