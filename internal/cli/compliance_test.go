package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"loginshell/internal/shell"
)

// moduleRoot is the directory of go.mod above the test's own.
func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test")
		}
		dir = parent
	}
}

// TestComplianceMatrix keeps `loginshell compliance` from drifting: every
// clause a signing client answers for is there once, in the regulation's
// order; a clause loginshell meets, even partly, names its proof; and
// every test a row names exists in this source tree: a Go test as a Test
// function of that package, a browser test as a test of that file with
// that exact title. Renaming or deleting a test named here fails it.
func TestComplianceMatrix(t *testing.T) {
	t.Parallel()
	root := moduleRoot(t)
	m := complianceMatrix()
	want := []string{"11.10(a)", "11.10(b)", "11.10(c)", "11.10(d)", "11.10(e)", "11.10(f)", "11.10(g)", "11.10(h)",
		"11.10(i)", "11.10(j)", "11.10(k)", "11.50", "11.70", "11.100", "11.200", "11.300"}
	var got []string
	for _, c := range m {
		got = append(got, c.ID)
	}
	if !slices.Equal(got, want) {
		t.Errorf("the matrix's clauses are %v, want %v", got, want)
	}
	goName := regexp.MustCompile(`^Test[A-Za-z0-9_]+$`)
	sources := map[string]string{} // directory or file -> its test source
	source := func(p proof) string {
		if s, ok := sources[p.Where]; ok {
			return s
		}
		var b strings.Builder
		if p.Kind == "go" {
			files, _ := filepath.Glob(filepath.Join(root, p.Where, "*_test.go"))
			for _, f := range files {
				data, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				b.Write(data)
			}
		} else if data, err := os.ReadFile(filepath.Join(root, p.Where)); err == nil {
			b.Write(data)
		}
		sources[p.Where] = b.String()
		return sources[p.Where]
	}
	for _, c := range m {
		if c.Requirement == "" || strings.TrimSpace(c.How) == "" {
			t.Errorf("%s: says nothing", c.ID)
		}
		switch c.Status {
		case met, partly:
			if len(c.Proof) == 0 {
				t.Errorf("%s (%s): names no test that proves it", c.ID, c.Status)
			}
		case notByUs:
			if len(c.Proof) != 0 {
				t.Errorf("%s: not by loginshell, yet names tests %v", c.ID, c.Proof)
			}
		default:
			t.Errorf("%s: status %q, want %q, %q or %q", c.ID, c.Status, met, partly, notByUs)
		}
		for _, p := range c.Proof {
			if p.Where != filepath.ToSlash(filepath.Clean(p.Where)) || strings.HasPrefix(p.Where, "..") || filepath.IsAbs(p.Where) {
				t.Errorf("%s: %q is not a path inside the source tree", c.ID, p.Where)
				continue
			}
			src := source(p)
			switch p.Kind {
			case "go":
				if !goName.MatchString(p.Name) {
					t.Errorf("%s: %q is not a Go test's name", c.ID, p.Name)
				} else if !regexp.MustCompile(`(?m)^func ` + p.Name + `\(t \*testing\.T\) \{`).MatchString(src) {
					t.Errorf("%s: no test %s in %s", c.ID, p.Name, p.Where)
				}
			case "e2e":
				if !strings.HasPrefix(p.Where, "frontend/e2e/") || !strings.HasSuffix(p.Where, ".test.mjs") {
					t.Errorf("%s: %s is not a browser test file", c.ID, p.Where)
				} else if !strings.Contains(src, "test("+jsString(p.Name)+",") {
					t.Errorf("%s: no test %q in %s", c.ID, p.Name, p.Where)
				}
			default:
				t.Errorf("%s: proof of kind %q", c.ID, p.Kind)
			}
		}
	}
}

// jsString is s as a double-quoted string literal, as the browser tests
// write their titles.
func jsString(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return strings.TrimSuffix(b.String(), "\n")
}

// `loginshell compliance` prints every clause, its status and its proofs
// as commands; --json the same for machines; an argument is a usage error.
func TestComplianceCommand(t *testing.T) {
	t.Parallel()
	run := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		e := &env{stdout: &out, stderr: &errb, dataDir: t.TempDir(), station: "test", now: time.Now, poll: time.Second, openStore: shell.OpenStore}
		return e.exit(e.run(args)), out.String(), errb.String()
	}
	code, out, errs := run("compliance")
	if code != 0 || errs != "" {
		t.Fatalf("compliance = %d, stderr %q", code, errs)
	}
	for _, c := range complianceMatrix() {
		if !strings.Contains(out, "\n"+c.ID+"  "+c.Status+"\n") {
			t.Errorf("the text lacks %s [%s]", c.ID, c.Status)
		}
		for _, p := range c.Proof {
			if !strings.Contains(out, p.Command()) {
				t.Errorf("the text lacks %s's proof %q", c.ID, p.Command())
			}
		}
	}
	for _, want := range []string{"go test ./internal/signature -run '^TestBothComponentsEveryTime$'",
		`make e2e: frontend/e2e/signature.test.mjs, test "two signers release the line through the shell's dialog"`} {
		if !strings.Contains(out, want) {
			t.Errorf("the text lacks %q", want)
		}
	}

	code, out, errs = run("compliance", "--json")
	var doc struct {
		Version string
		Clauses []struct {
			Clause, Requirement, Status, How string
			Proof                            []struct{ Kind, Where, Name string }
		}
	}
	if code != 0 || errs != "" || json.Unmarshal([]byte(out), &doc) != nil {
		t.Fatalf("compliance --json = %d %q, stdout not JSON: %s", code, errs, out)
	}
	if doc.Version != shell.Version || len(doc.Clauses) != len(complianceMatrix()) || doc.Clauses[14].Clause != "11.200" ||
		doc.Clauses[14].Proof[0].Name != "TestBothComponentsEveryTime" || doc.Clauses[14].Proof[0].Kind != "go" {
		t.Errorf("compliance --json = %+v", doc)
	}

	if code, out, errs := run("compliance", "extra"); code != exitUsage || out != "" || !strings.Contains(errs, `unexpected argument "extra"`) {
		t.Errorf("compliance extra = %d %q %q, want a usage error", code, out, errs)
	}
	if code, out, _ := run("-h"); code != 0 || !strings.Contains(out, "loginshell compliance [--json]") {
		t.Errorf("help = %d, lacks compliance:\n%s", code, out)
	}
}
