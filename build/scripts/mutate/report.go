package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"
)

// readEquivalents reads the list of known equivalent mutants: a line
// "- KEY" (the key as the report prints it) followed by one or more
// indented lines saying why it is equivalent.
//
// Lines starting with # are comments. A key without a reason is refused:
// the point of the list is the reason.
func readEquivalents(path string) (map[string]string, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return map[string]string{}, nil
	}
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	var key string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "":
		case strings.HasPrefix(line, "- "):
			if key != "" && out[key] == "" {
				return nil, fmt.Errorf("%s: %q has no reason", path, key)
			}
			key = strings.TrimPrefix(line, "- ")
			out[key] = ""
		case strings.HasPrefix(line, " ") && key != "":
			out[key] = strings.TrimSpace(out[key] + " " + strings.TrimSpace(line))
		default:
			return nil, fmt.Errorf("%s: cannot read line %q", path, line)
		}
	}
	if key != "" && out[key] == "" {
		return nil, fmt.Errorf("%s: %q has no reason", path, key)
	}
	return out, sc.Err()
}

func render(c config, results []result, perFile map[string][2]int, broken map[string]string, equiv map[string]string, stale []string, took time.Duration) string {
	var b strings.Builder
	src := "the working tree"
	if c.rev != "" {
		src = "revision " + c.rev
	}
	fmt.Fprintf(&b, "mutation check of %s, %s, %s\n", src, time.Now().UTC().Format(time.RFC3339), took.Round(time.Second))
	fmt.Fprintf(&b, "targets: %s\n", strings.Join(c.targets, " "))
	if c.maxPerFile > 0 {
		fmt.Fprintf(&b, "at most %d mutants per file, spread evenly\n", c.maxPerFile)
	}
	b.WriteString("\n")

	type tally struct{ killed, timedOut, survived, equivalent, notViable int }
	byPkg := map[string]*tally{}
	for _, r := range results {
		t := byPkg[r.m.Pkg]
		if t == nil {
			t = &tally{}
			byPkg[r.m.Pkg] = t
		}
		switch r.outcome {
		case Killed:
			t.killed++
		case TimedOut:
			t.timedOut++
		case Survived:
			t.survived++
		case Equivalent:
			t.equivalent++
		case NotViable:
			t.notViable++
		}
	}
	fmt.Fprintf(&b, "%-26s %7s %9s %9s %11s %11s\n", "package", "killed", "timed out", "survived", "equivalent", "not viable")
	for _, p := range sortedKeys(byPkg) {
		t := byPkg[p]
		fmt.Fprintf(&b, "%-26s %7d %9d %9d %11d %11d\n", p, t.killed, t.timedOut, t.survived, t.equivalent, t.notViable)
	}
	for _, p := range sortedKeys(broken) {
		fmt.Fprintf(&b, "%-26s tests fail without a mutation; skipped\n", p)
	}
	b.WriteString("\nfiles (mutants found / tested):\n")
	for _, f := range sortedKeys(perFile) {
		fmt.Fprintf(&b, "  %s %d / %d\n", f, perFile[f][0], perFile[f][1])
	}

	section := func(title string, o Outcome, withReason bool) {
		var rs []result
		for _, r := range results {
			if r.outcome == o {
				rs = append(rs, r)
			}
		}
		fmt.Fprintf(&b, "\n%s (%d):\n", title, len(rs))
		for _, r := range rs {
			fmt.Fprintf(&b, "  %s:%d\n  - %s\n", r.m.File, r.m.Line, r.m.Key)
			if withReason {
				fmt.Fprintf(&b, "      why: %s\n", equiv[r.m.Key])
			}
		}
	}
	section("survived: no test noticed (add a test, or list it in "+c.equivFile+" with the reason)", Survived, false)
	section("equivalent or unreachable: survived, and listed in "+c.equivFile+" with the reason", Equivalent, true)
	if len(stale) > 0 {
		fmt.Fprintf(&b, "\nstale entries in %s (no such mutant any more; the code changed):\n", c.equivFile)
		for _, k := range stale {
			fmt.Fprintf(&b, "  - %s\n", k)
		}
	}
	return b.String()
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
