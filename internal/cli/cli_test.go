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

// TestCommandLines runs whole command lines in process and pins what a
// person and a script see: the exit status, and what goes to stdout and
// stderr. Help asked for is stdout and 0; a command line that cannot run
// is one line on stderr and 2; a failure is 1.
func TestCommandLines(t *testing.T) {
	t.Parallel()
	empty := t.TempDir()
	missing := filepath.Join(empty, "no-such-package.zip")
	for _, tt := range []struct {
		name           string
		args           []string
		code           int
		stdout, stderr []string
	}{
		{"help lists the subcommands and the window's flags", []string{"-h"}, 0,
			[]string{"Usage:", "loginshell serve [--listen", "loginshell check [--json]", "loginshell install", "loginshell version",
				"Flags of the window:", "-inspect", "-demo"}, nil},
		{"a subcommand's help shows its synopsis and flags", []string{"serve", "-h"}, 0,
			[]string{"loginshell serve [--listen 127.0.0.1:0]", "Flags:", "-listen"}, nil},
		{"the window's help named", []string{"window", "-h"}, 0, []string{"opens the shell window", "Flags:", "-inspect"}, nil},
		// Issue 23: a well-kept Unix tool.
		{"help lists every subcommand", []string{"help"}, 0, []string{"loginshell serve", "loginshell check", "loginshell install",
			"loginshell version", "loginshell audit", "loginshell signature", "Run 'loginshell help SUBCOMMAND'"}, nil},
		{"--help lists every subcommand too", []string{"--help"}, 0, []string{"loginshell audit", "loginshell signature"}, nil},
		{"help names a subcommand", []string{"help", "check"}, 0, []string{"Usage:\n  loginshell check", "Flags:", "-json"}, nil},
		{"help of an unknown subcommand", []string{"help", "nope"}, 2, nil, []string{`loginshell help: unknown command "nope"`}},
		{"--version", []string{"--version"}, 0, []string{"loginshell " + shell.Version}, nil},
		{"-v", []string{"-v"}, 0, []string{"loginshell " + shell.Version}, nil},
		{"a slip of the keyboard names the nearest subcommand", []string{"chek", "x.zip"}, 2, nil,
			[]string{`loginshell: unknown command "chek"; did you mean check?`}},
		{"sever is serve", []string{"sever"}, 2, nil, []string{"did you mean serve?"}},
		{"a word far from every subcommand", []string{"frobnicate"}, 2, nil, []string{`unknown command "frobnicate"; run 'loginshell help'`}},
		{"flags may follow the arguments", []string{"check", missing, "--json"}, 1, nil, []string{"does not exist"}},
		{"audit's flags before its verb", []string{"audit", "--data", empty, "verify"}, 1, nil, []string{"no signature has been recorded"}},
		{"version's help has no empty Flags section", []string{"version", "--help"}, 0, []string{"Usage:\n  loginshell version"}, nil},
		{"signature's help has the one format", []string{"signature", "queue", "-h"}, 0, []string{"Usage:\n  loginshell signature queue", "\nFlags:\n", "-record"}, nil},
		{"check's help", []string{"check", "--help"}, 0, []string{"checks an app definition", "-json"}, nil},
		{"install's help", []string{"install", "-h"}, 0, []string{"-replace"}, nil},
		{"audit's help", []string{"audit", "-h"}, 0, []string{"loginshell audit verify|show", "-store"}, nil},
		{"signature's help", []string{"signature", "-h"}, 0, []string{"loginshell signature queue", "templates import"}, nil},
		{"version", []string{"version"}, 0, []string{"loginshell " + shell.Version}, nil},
		{"version takes no argument", []string{"version", "extra"}, 2, nil,
			[]string{`loginshell version: unexpected argument "extra"`, "Run 'loginshell version -h' for usage."}},
		{"an unknown flag is a usage error", []string{"--bogus"}, 2, nil,
			[]string{"loginshell window: flag provided but not defined: -bogus"}},
		{"the window takes no argument", []string{"window", "stray"}, 2, nil, []string{`loginshell window: unexpected argument "stray"`}},
		{"--package takes a folder, not a zip", []string{"serve", "--package", aZip(t)}, 2, nil, []string{"is not a folder: --package serves a package folder"}},
		{"a bad log level", []string{"serve", "--log-level", "loud"}, 2, nil,
			[]string{`loginshell serve: --log-level "loud": use debug, info, warn or error`}},
		{"check needs a package", []string{"check"}, 2, nil, []string{"loginshell check: name one package"}},
		{"check of nothing says so", []string{"check", missing}, 1, nil, []string{"loginshell check: " + missing + " does not exist"}},
		{"install needs one package", []string{"install"}, 2, nil, []string{"loginshell install: name one package"}},
		{"install of nothing fails", []string{"install", "--data", empty, missing}, 1, nil, []string{"loginshell: "}},
		{"audit needs a verb", []string{"audit"}, 2, nil, []string{"loginshell audit: say verify, show, alerts or export"}},
		{"audit of a directory where nothing was signed", []string{"audit", "verify", "--data", empty}, 1, nil,
			[]string{"loginshell audit: " + filepath.Join(empty, "signatures.db") + " does not exist: no signature has been recorded in " + empty}},
		{"signature needs a verb", []string{"signature"}, 2, nil, []string{"loginshell signature: say queue or templates import"}},
		{"signature queue needs a template", []string{"signature", "queue", "--data", empty, "--name", "x"}, 2, nil,
			[]string{"loginshell signature queue: name the template (--template NAME)"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var out, errb bytes.Buffer
			e := &env{stdout: &out, stderr: &errb, dataDir: empty, station: "test", now: time.Now, poll: time.Second, openStore: shell.OpenStore}
			code := e.exit(e.run(tt.args))
			if code != tt.code {
				t.Errorf("exit status %d, want %d\nstdout: %s\nstderr: %s", code, tt.code, out.String(), errb.String())
			}
			for _, want := range tt.stdout {
				if !strings.Contains(out.String(), want) {
					t.Errorf("stdout lacks %q:\n%s", want, out.String())
				}
			}
			for _, want := range tt.stderr {
				if !strings.Contains(errb.String(), want) {
					t.Errorf("stderr lacks %q:\n%s", want, errb.String())
				}
			}
			if tt.code == 0 && errb.Len() > 0 {
				t.Errorf("stderr of a success: %s", errb.String())
			}
			if tt.name == "version's help has no empty Flags section" && strings.Contains(out.String(), "Flags:") {
				t.Errorf("version's help prints a Flags section: %s", out.String())
			}
			if tt.code == 2 && out.Len() > 0 {
				t.Errorf("stdout of a usage error: %s", out.String())
			}
		})
	}
	if _, err := os.Stat(filepath.Join(empty, "signatures.db")); err == nil {
		t.Error("audit verify created signatures.db in a directory where nothing was signed")
	}
}

// aZip is a zip file that exists (its content does not matter).
func aZip(t *testing.T) string {
	p := filepath.Join(t.TempDir(), "app.zip")
	if err := os.WriteFile(p, []byte("PK"), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
