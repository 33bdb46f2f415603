package main

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// TestGenerate checks which mutants a snippet yields and that every one of
// them still parses: a mutant that is not Go would be counted as "not
// viable" and hide a gap.
func TestGenerate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		body string
		want []string // Op of each mutant, in source order
	}{
		{"a comparison flips and its if is negated", "if a < b { x++ }",
			[]string{"if negated", "< → <=", "++ → --"}},
		{"an equality flips but its if is not negated again", "if err != nil { return err }",
			[]string{"!= → ==", "error result → nil"}},
		{"logic operators swap", "ok := a && b || c; _ = ok",
			[]string{"&& → ||", "|| → &&"}},
		{"an integer moves by one both ways", "n := 10; _ = n",
			[]string{"int 10 → +1", "int 10 → -1"}},
		{"a wrapped error is swallowed", `return fmt.Errorf("x: %w", err)`,
			[]string{"error result → nil"}},
		{"a sentinel is swallowed", "return ErrLocked",
			[]string{"error result → nil"}},
		{"a plain value is not an error", "return count",
			nil},
		{"a name is left out of a list", `keys := []string{"p", "o"}; _ = keys`,
			[]string{`element "p" dropped`, `element "o" dropped`}},
		{"a regexp loses an alternative, a flag and a class member", "_ = regexp.MustCompile(`(?i)\\b(?:a|b)[^&]`)",
			[]string{"regexp (?i) dropped", `regexp \b dropped`, "regexp alternative a| dropped", "regexp alternative |b dropped", "regexp & dropped"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			src := "package p\n\nfunc f() error {\n\t" + tt.body + "\n\treturn nil\n}\n"
			ms, err := Generate("p/p.go", []byte(src))
			if err != nil {
				t.Fatal(err)
			}
			var ops []string
			for _, m := range ms {
				if m.Op == "error result → nil" && m.Src == "return nil" {
					continue // the helper's own trailing return nil is not one
				}
				ops = append(ops, m.Op)
				mutated := src[:m.Start] + m.New + src[m.End:]
				if _, err := parser.ParseFile(token.NewFileSet(), "m.go", mutated, 0); err != nil {
					t.Errorf("mutant %q does not parse: %v\n%s", m.Op, err, mutated)
				}
			}
			if !reflect.DeepEqual(ops, tt.want) {
				t.Errorf("mutants = %q, want %q", ops, tt.want)
			}
		})
	}
}

func TestKeysNumberRepeatsOnALine(t *testing.T) {
	t.Parallel()
	ms, err := Generate("p/p.go", []byte("package p\n\nfunc f(a, b, c int) bool { return a < b || b < c }\n"))
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, m := range ms {
		if strings.Contains(m.Op, "<") && !strings.Contains(m.Op, "|") {
			keys = append(keys, m.Key)
		}
	}
	want := []string{
		"p/p.go: < → <= @ func f(a, b, c int) bool { return a < b || b < c }",
		"p/p.go: < → <= (#2) @ func f(a, b, c int) bool { return a < b || b < c }",
	}
	if !reflect.DeepEqual(keys, want) {
		t.Errorf("keys = %q, want %q", keys, want)
	}
}

func TestSampleSpreadsEvenly(t *testing.T) {
	t.Parallel()
	ms := make([]Mutant, 10)
	for i := range ms {
		ms[i].Line = i
	}
	var lines []int
	for _, m := range sample(ms, 4) {
		lines = append(lines, m.Line)
	}
	if want := []int{0, 2, 5, 7}; !reflect.DeepEqual(lines, want) {
		t.Errorf("sampled lines %v, want %v", lines, want)
	}
	if got := sample(ms, 0); len(got) != 10 {
		t.Errorf("no limit kept %d of 10", len(got))
	}
}

func TestReadEquivalents(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		text    string
		want    map[string]string
		wantErr bool
	}{
		{"an entry with its reason", "# c\n- a.go: x @ y\n  equivalent: because\n  of this\n",
			map[string]string{"a.go: x @ y": "equivalent: because of this"}, false},
		{"an entry without a reason is refused", "- a.go: x @ y\n- b.go: x @ y\n  why\n", nil, true},
		{"a last entry without a reason is refused", "- a.go: x @ y\n", nil, true},
		{"stray text is refused", "a.go: x @ y\n", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := filepath.Join(t.TempDir(), "eq.txt")
			if err := os.WriteFile(p, []byte(tt.text), 0o644); err != nil {
				t.Fatal(err)
			}
			got, err := readEquivalents(p)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if !tt.wantErr && !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestTheListedEquivalentsParse keeps the shipped list readable.
func TestTheListedEquivalentsParse(t *testing.T) {
	t.Parallel()
	if _, err := readEquivalents("equivalent.txt"); err != nil {
		t.Fatal(err)
	}
}
