package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"loginshell/internal/shell"
)

// pkgDir writes a package folder of name and version.
func pkgDir(t *testing.T, name, version string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for file, body := range map[string]string{
		"webapp.json": `{"name": "` + name + `", "version": "` + version + `", "main": "index.html"}`,
		"index.html":  "<!doctype html><title>x</title><p>" + version,
	} {
		if err := os.WriteFile(filepath.Join(dir, file), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestInstallSaysWhatItDid: the same version again is no failure, an
// older one is a downgrade that needs --replace, each in one sentence
// (issue 23).
func TestInstallSaysWhatItDid(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	run := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		e := &env{stdout: &out, stderr: &errb, dataDir: data, station: "test", now: time.Now, poll: time.Second, openStore: shell.OpenStore}
		return e.exit(e.run(append([]string{"install", "--log-level", "warn", "--data", data}, args...))), out.String(), errb.String()
	}
	steps := []struct {
		name         string
		args         []string
		code         int
		stdout, errs string
	}{
		{"a first install", []string{pkgDir(t, "lineapp", "2.0")}, 0, "installed lineapp 2.0", ""},
		{"the same version again", []string{pkgDir(t, "lineapp", "2.0")}, 0, "lineapp 2.0 is already installed", ""},
		{"an older version is a downgrade", []string{pkgDir(t, "lineapp", "1.5")}, 1, "",
			"loginshell install: lineapp 2.0 is installed; installing lineapp 1.5 is a downgrade; nothing was installed: run again with --replace to install it\n"},
		{"a newer version asks too", []string{pkgDir(t, "lineapp", "3.0")}, 1, "", "installing lineapp 3.0 replaces it; nothing was installed"},
		{"--replace downgrades", []string{"--replace", pkgDir(t, "lineapp", "1.5")}, 0, "installed lineapp 1.5", ""},
	}
	for _, s := range steps {
		code, out, errs := run(s.args...)
		if code != s.code || !strings.Contains(out, s.stdout) || !strings.Contains(errs, s.errs) {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want %d, %q, %q", s.name, code, out, errs, s.code, s.stdout, s.errs)
		}
		if strings.Contains(errs, ".;") || strings.Count(strings.TrimSpace(errs), "\n") > 0 {
			t.Errorf("%s: stderr is not one clean sentence: %q", s.name, errs)
		}
	}
}
