// Command mutate is the mutation check behind `make mutate`: it makes small
// deliberate bugs in the code that guards secrets and packages, one at a
// time, runs the package's tests against each, and lists the bugs that no
// test noticed. A surviving mutant is a promise nobody pins.
//
// Usage (from the module root):
//
//	go run ./build/scripts/mutate [flags] TARGET...
//
// A TARGET is a package directory (every non-test .go file in it is
// mutated) or a .go file or glob (./internal/pkginstall/install*.go); for each
// mutant the tests of that file's whole package run.
//
// The mutations are the ones that make the bugs a reviewer found: a
// comparison flipped (< and <=, > and >=, == and !=), && and || swapped,
// an if condition negated, ++ and -- swapped, an integer literal changed by
// one (a threshold of 10 raised to 11), and an error result replaced by nil
// (an error swallowed). Mutants that do not compile are counted as not
// viable and dropped.
//
// It never touches the working tree: every worker mutates its own copy (of
// the working tree, or of a git revision with -rev) in a temp directory.
// Known equivalent mutants (no test can tell them from the original,
// because the program means the same) are listed with the reason in
// equivalent.txt beside this file; a survivor not listed there makes the
// command exit 1. The report goes to build/artifacts/mutate.txt.
//
// Timing is not asserted: a mutant whose tests run past -timeout (an endless
// loop, a wait that never ends) counts as killed.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Mutant is one deliberate bug: the bytes [Start, End) of File replaced by
// New.
type Mutant struct {
	File       string // slash path relative to the module root
	Pkg        string // "./" + the package directory
	Line       int
	Start, End int
	New        string
	Op         string // what changed, e.g. "< → <="
	Src        string // the original source line, trimmed
	Key        string // File: Op @ Src (#n when a line has several alike)
}

// Outcome of one mutant.
type Outcome string

const (
	Killed     Outcome = "killed"
	TimedOut   Outcome = "timed out" // counted as killed
	Survived   Outcome = "survived"
	Equivalent Outcome = "equivalent" // survived, and listed as equivalent
	NotViable  Outcome = "not viable" // did not compile
)

type result struct {
	m       Mutant
	outcome Outcome
	elapsed time.Duration
	tail    string // last lines of go test's output, for killed ones
}

func main() {
	tags := flag.String("tags", "", "build tags for go test")
	out := flag.String("out", "build/artifacts/mutate.txt", "report file")
	equivFile := flag.String("equivalent", "build/scripts/mutate/equivalent.txt", "list of known equivalent mutants")
	maxPerFile := flag.Int("max-per-file", 0, "at most this many mutants per file, spread evenly over it (0: all)")
	workers := flag.Int("workers", 1, "mutants tested at once, each in its own copy of the tree")
	rev := flag.String("rev", "", "mutate this git revision instead of the working tree")
	timeout := flag.Duration("timeout", 0, "per-mutant time limit (0: 5 × the unmutated run, at least 30 s)")
	short := flag.Bool("short", false, "pass -short to go test")
	dryRun := flag.Bool("n", false, "list the mutants and exit")
	flag.Parse()
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: go run ./build/scripts/mutate [flags] TARGET...  (see the doc comment)")
		os.Exit(2)
	}
	if err := run(config{
		targets: flag.Args(), tags: *tags, out: *out, equivFile: *equivFile, maxPerFile: *maxPerFile,
		workers: max(1, *workers), rev: *rev, timeout: *timeout, short: *short, dryRun: *dryRun,
	}); err != nil {
		var survivors errSurvivors
		if errors.As(err, &survivors) {
			fmt.Fprintln(os.Stderr, "mutate:", err)
			os.Exit(1)
		}
		fmt.Fprintln(os.Stderr, "mutate:", err)
		os.Exit(2)
	}
}

type config struct {
	targets    []string
	tags       string
	out        string
	equivFile  string
	maxPerFile int
	workers    int
	rev        string
	timeout    time.Duration
	short      bool
	dryRun     bool
}

// errSurvivors is the error of a run that completed with unexplained
// survivors (exit 1, not 2).
type errSurvivors int

func (e errSurvivors) Error() string {
	return fmt.Sprintf("%d mutant(s) survived that are not listed as equivalent; see the report", int(e))
}

func run(c config) error {
	root, err := os.Getwd()
	if err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		return errors.New("run from the module root (where go.mod is)")
	}
	files, err := resolve(root, c.targets)
	if err != nil {
		return err
	}
	equiv, err := readEquivalents(filepath.Join(root, c.equivFile))
	if err != nil {
		return err
	}

	var mutants []Mutant
	perFile := map[string][2]int{} // file -> {found, kept}
	generated := map[string]bool{}
	for _, f := range files {
		src, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			return err
		}
		ms, err := Generate(f, src)
		if err != nil {
			return err
		}
		for i := range ms {
			ms[i].Pkg = "./" + path.Dir(f)
			generated[ms[i].Key] = true
		}
		kept := sample(ms, c.maxPerFile)
		perFile[f] = [2]int{len(ms), len(kept)}
		mutants = append(mutants, kept...)
	}
	if c.dryRun {
		for _, m := range mutants {
			fmt.Printf("%s:%d: %s\n", m.File, m.Line, m.Key)
		}
		fmt.Printf("%d mutants\n", len(mutants))
		return nil
	}

	tmp, err := os.MkdirTemp("", "loginshell-mutate-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	trees := make([]string, c.workers)
	for i := range trees {
		trees[i] = filepath.Join(tmp, fmt.Sprintf("tree%d", i))
		if err := copyTree(root, trees[i], c.rev); err != nil {
			return fmt.Errorf("copy the tree: %w", err)
		}
	}

	// The unmutated tests must pass, and say how long a run takes.
	pkgs := map[string]bool{}
	for _, m := range mutants {
		pkgs[m.Pkg] = true
	}
	limits := map[string]time.Duration{}
	broken := map[string]string{}
	for _, p := range sortedKeys(pkgs) {
		start := time.Now()
		outcome, tail := goTest(trees[0], p, c, 10*time.Minute)
		d := time.Since(start)
		if outcome != Survived { // "survived" here means the tests passed
			broken[p] = tail
			fmt.Fprintf(os.Stderr, "mutate: %s: the unmutated tests do not pass (%s); its mutants are skipped\n%s\n", p, outcome, tail)
			continue
		}
		limits[p] = c.timeout
		if limits[p] == 0 {
			limits[p] = max(30*time.Second, 5*d)
		}
		fmt.Fprintf(os.Stderr, "mutate: %s: baseline %.1fs, limit %s\n", p, d.Seconds(), limits[p])
	}

	var todo []Mutant
	for _, m := range mutants {
		if _, bad := broken[m.Pkg]; !bad {
			todo = append(todo, m)
		}
	}
	results := make([]result, len(todo))
	var next int
	var mu sync.Mutex
	var wg sync.WaitGroup
	started := time.Now()
	for w := range c.workers {
		wg.Go(func() {
			for {
				mu.Lock()
				i := next
				next++
				mu.Unlock()
				if i >= len(todo) {
					return
				}
				m := todo[i]
				r := test(trees[w], m, c, limits[m.Pkg])
				if r.outcome == Survived && equiv[m.Key] != "" {
					r.outcome = Equivalent
				}
				results[i] = r
				fmt.Fprintf(os.Stderr, "mutate: [%d/%d %s] %-10s %s:%d %s\n", i+1, len(todo),
					time.Since(started).Round(time.Second), r.outcome, m.File, m.Line, m.Op)
			}
		})
	}
	wg.Wait()

	// Entries for the files checked whose line no longer exists: the code
	// changed, so the reason must be looked at again.
	var stale []string
	for key := range equiv {
		if file, _, ok := strings.Cut(key, ": "); ok && perFile[file] != [2]int{} && !generated[key] {
			stale = append(stale, key)
		}
	}
	sort.Strings(stale)
	report := render(c, results, perFile, broken, equiv, stale, time.Since(started))
	if err := os.MkdirAll(filepath.Dir(filepath.Join(root, c.out)), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(root, c.out), []byte(report), 0o644); err != nil {
		return err
	}
	fmt.Print(report)
	survivors := 0
	for _, r := range results {
		if r.outcome == Survived {
			survivors++
		}
	}
	if survivors > 0 {
		return errSurvivors(survivors)
	}
	if len(broken) > 0 {
		return fmt.Errorf("the tests of %s fail without any mutation", strings.Join(sortedKeys(broken), ", "))
	}
	return nil
}

// resolve turns targets into module-relative slash paths of non-test .go
// files, sorted and without duplicates.
func resolve(root string, targets []string) ([]string, error) {
	seen := map[string]bool{}
	for _, t := range targets {
		abs := t
		if !filepath.IsAbs(abs) {
			abs = filepath.Join(root, t)
		}
		var matches []string
		if fi, err := os.Stat(abs); err == nil && fi.IsDir() {
			ms, err := filepath.Glob(filepath.Join(abs, "*.go"))
			if err != nil {
				return nil, err
			}
			matches = ms
		} else {
			ms, err := filepath.Glob(abs)
			if err != nil {
				return nil, err
			}
			matches = ms
		}
		n := 0
		for _, m := range matches {
			if !strings.HasSuffix(m, ".go") || strings.HasSuffix(m, "_test.go") {
				continue
			}
			rel, err := filepath.Rel(root, m)
			if err != nil {
				return nil, err
			}
			seen[filepath.ToSlash(rel)] = true
			n++
		}
		if n == 0 {
			return nil, fmt.Errorf("target %s: no Go source file", t)
		}
	}
	return sortedKeys(seen), nil
}

// test applies m in tree, runs the package's tests and restores the file.
func test(tree string, m Mutant, c config, limit time.Duration) result {
	file := filepath.Join(tree, filepath.FromSlash(m.File))
	orig, err := os.ReadFile(file)
	if err != nil {
		return result{m: m, outcome: NotViable, tail: err.Error()}
	}
	mutated := append(append(append([]byte{}, orig[:m.Start]...), m.New...), orig[m.End:]...)
	if err := os.WriteFile(file, mutated, 0o644); err != nil {
		return result{m: m, outcome: NotViable, tail: err.Error()}
	}
	defer os.WriteFile(file, orig, 0o644)
	start := time.Now()
	outcome, tail := goTest(tree, m.Pkg, c, limit)
	return result{m: m, outcome: outcome, elapsed: time.Since(start), tail: tail}
}

// goTest runs go test for pkg in tree. Survived means the tests passed.
func goTest(tree, pkg string, c config, limit time.Duration) (Outcome, string) {
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	args := []string{"test", "-count=1", "-failfast", "-vet=off"}
	if c.tags != "" {
		args = append(args, "-tags", c.tags)
	}
	if c.short {
		args = append(args, "-short")
	}
	args = append(args, pkg)
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = tree
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	// End the whole process group: go test's child test binary too.
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 10 * time.Second
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	err := cmd.Run()
	tail := lastLines(buf.String(), 8)
	switch {
	case ctx.Err() != nil:
		return TimedOut, tail
	case err == nil:
		return Survived, tail
	case strings.Contains(buf.String(), "[build failed]") || strings.Contains(buf.String(), "[setup failed]"):
		return NotViable, tail
	}
	return Killed, tail
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// copyTree copies the module at root (or its git revision rev) to dst,
// leaving out what tests never read: .git, node_modules, build outputs.
func copyTree(root, dst, rev string) error {
	if rev != "" {
		if err := os.MkdirAll(dst, 0o755); err != nil {
			return err
		}
		archive := exec.Command("git", "archive", rev)
		archive.Dir = root
		extract := exec.Command("tar", "-x", "-C", dst)
		pipe, err := archive.StdoutPipe()
		if err != nil {
			return err
		}
		extract.Stdin = pipe
		if err := extract.Start(); err != nil {
			return err
		}
		if err := archive.Run(); err != nil {
			return fmt.Errorf("git archive %s: %w", rev, err)
		}
		return extract.Wait()
	}
	skip := map[string]bool{".git": true, "node_modules": true, "build/bin": true, "build/artifacts": true, "build/wailsjs": true}
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		slash := filepath.ToSlash(rel)
		if skip[slash] || skip[d.Name()] && d.IsDir() {
			return filepath.SkipDir
		}
		target := filepath.Join(dst, rel)
		switch {
		case d.IsDir():
			return os.MkdirAll(target, 0o755)
		case d.Type().IsRegular():
			return copyFile(p, target)
		}
		return nil // symlinks and the like: no test here needs them
	})
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	fi, err := in.Stat()
	if err != nil {
		return err
	}
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, fi.Mode().Perm())
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
