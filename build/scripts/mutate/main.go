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
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
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

// Generate returns every mutant of one file, in source order. file is the
// slash path relative to the module root.
func Generate(file string, src []byte) ([]Mutant, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, file, src, parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	tf := fset.File(f.Pos())
	off := func(p token.Pos) int { return tf.Offset(p) }
	var ms []Mutant
	add := func(start, end int, repl, op string) {
		ms = append(ms, Mutant{File: file, Start: start, End: end, New: repl, Op: op})
	}
	flip := map[token.Token]token.Token{
		token.LSS: token.LEQ, token.LEQ: token.LSS, token.GTR: token.GEQ, token.GEQ: token.GTR,
		token.EQL: token.NEQ, token.NEQ: token.EQL, token.LAND: token.LOR, token.LOR: token.LAND,
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.ImportSpec, *ast.Field:
			// Import paths and struct tags are strings; field types hold
			// nothing worth mutating.
			return false
		case *ast.BinaryExpr:
			if to, ok := flip[n.Op]; ok {
				s := off(n.OpPos)
				add(s, s+len(n.Op.String()), to.String(), n.Op.String()+" → "+to.String())
			}
		case *ast.IfStmt:
			// A negated == or != is the flip above again; any other
			// condition gets its own negation.
			if b, ok := n.Cond.(*ast.BinaryExpr); ok && (b.Op == token.EQL || b.Op == token.NEQ) {
				break
			}
			s, e := off(n.Cond.Pos()), off(n.Cond.End())
			add(s, e, "!("+string(src[s:e])+")", "if negated")
		case *ast.IncDecStmt:
			s := off(n.TokPos)
			to := token.DEC
			if n.Tok == token.DEC {
				to = token.INC
			}
			add(s, s+2, to.String(), n.Tok.String()+" → "+to.String())
		case *ast.BasicLit:
			if n.Kind == token.INT {
				s, e := off(n.Pos()), off(n.End())
				add(s, e, "("+n.Value+"+1)", "int "+n.Value+" → +1")
				add(s, e, "("+n.Value+"-1)", "int "+n.Value+" → -1")
			}
		case *ast.CompositeLit:
			// A list of names ([]string{"p", "o", ...}) with one left out:
			// the redactor forgetting a secret key.
			if at, ok := n.Type.(*ast.ArrayType); ok && isIdent(at.Elt, "string") {
				for i, el := range n.Elts {
					var s, e int
					switch {
					case i+1 < len(n.Elts):
						s, e = off(el.Pos()), off(n.Elts[i+1].Pos())
					case i > 0:
						s, e = off(n.Elts[i-1].End()), off(el.End())
					default:
						s, e = off(el.Pos()), off(el.End())
					}
					add(s, e, "", "element "+string(src[off(el.Pos()):off(el.End())])+" dropped")
				}
			}
		case *ast.CallExpr:
			// A regular expression with one alternative of a (?:a|b|c)
			// group left out.
			if isCall(n, "regexp", "MustCompile") && len(n.Args) == 1 {
				ast.Inspect(n.Args[0], func(a ast.Node) bool {
					if lit, ok := a.(*ast.BasicLit); ok && lit.Kind == token.STRING {
						base := off(lit.Pos())
						for _, alt := range alternatives(lit.Value) {
							add(base+alt[0], base+alt[1], "", "regexp alternative "+lit.Value[alt[0]:alt[1]]+" dropped")
						}
						for _, r := range regexpPieces(lit.Value) {
							add(base+r[0], base+r[1], "", "regexp "+lit.Value[r[0]:r[1]]+" dropped")
						}
					}
					return true
				})
			}
		case *ast.ReturnStmt:
			if len(n.Results) == 0 {
				break
			}
			last := n.Results[len(n.Results)-1]
			if errorLike(last) {
				s, e := off(last.Pos()), off(last.End())
				add(s, e, "nil", "error result → nil")
			}
		}
		return true
	})
	sort.SliceStable(ms, func(i, j int) bool { return ms[i].Start < ms[j].Start })
	count := map[string]int{}
	for i := range ms {
		m := &ms[i]
		m.Line = tf.Line(tf.Pos(m.Start))
		m.Src = strings.TrimSpace(lineAt(src, m.Start))
		m.Key = fmt.Sprintf("%s: %s @ %s", m.File, m.Op, m.Src)
		count[m.Key]++
		if n := count[m.Key]; n > 1 {
			m.Key = fmt.Sprintf("%s: %s (#%d) @ %s", m.File, m.Op, n, m.Src)
		}
	}
	return ms, nil
}

// errorLike reports whether a returned expression looks like an error, so
// replacing it by nil swallows a failure. Types are not checked: a nil that
// does not fit fails to compile and the mutant is dropped as not viable.
func errorLike(e ast.Expr) bool {
	switch e := e.(type) {
	case *ast.Ident:
		n := e.Name
		return n == "err" || strings.HasPrefix(n, "Err") || strings.HasPrefix(n, "err") || strings.HasSuffix(n, "Err")
	case *ast.SelectorExpr:
		return strings.HasPrefix(e.Sel.Name, "Err")
	case *ast.CallExpr:
		if sel, ok := e.Fun.(*ast.SelectorExpr); ok {
			if pkg, ok := sel.X.(*ast.Ident); ok {
				switch pkg.Name + "." + sel.Sel.Name {
				case "fmt.Errorf", "errors.New", "errors.Join", "fault.New", "fault.Explain", "fault.Detail":
					return true
				}
			}
		}
	case *ast.UnaryExpr:
		// &LockedError{...}, &PackageError{...}
		if lit, ok := e.X.(*ast.CompositeLit); ok {
			if id, ok := lit.Type.(*ast.Ident); ok {
				return strings.HasSuffix(id.Name, "Error")
			}
		}
	}
	return false
}

func isIdent(e ast.Expr, name string) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == name
}

func isCall(c *ast.CallExpr, pkg, fn string) bool {
	sel, ok := c.Fun.(*ast.SelectorExpr)
	return ok && sel.Sel.Name == fn && isIdent(sel.X, pkg)
}

// alternatives returns, for each alternative of every (?:...|...) group
// without nested groups in a string literal's source text, the byte range
// to delete to drop it (with one of its | separators).
func alternatives(lit string) [][2]int {
	var out [][2]int
	for i := 0; i+3 <= len(lit); i++ {
		if lit[i:i+3] != "(?:" {
			continue
		}
		start := i + 3
		end := strings.IndexAny(lit[start:], "()")
		if end < 0 || lit[start+end] != ')' {
			continue
		}
		end += start
		var bars []int
		for j := start; j < end; j++ {
			if lit[j] == '|' {
				bars = append(bars, j)
			}
		}
		if len(bars) == 0 {
			continue
		}
		// Alternative k spans from the previous bar (or start) to the next.
		bounds := append(append([]int{start - 1}, bars...), end)
		for k := 0; k+1 < len(bounds); k++ {
			from, to := bounds[k]+1, bounds[k+1]
			if k+1 < len(bounds)-1 {
				to++ // take the | after it
			} else {
				from-- // the last one: take the | before it
			}
			out = append(out, [2]int{from, to})
		}
	}
	return out
}

// regexpPieces returns the byte ranges, in a string literal's source text,
// of the flags (?i), the anchors \b, ^ and $ outside classes, and each
// member of a [...] class but the ^ that negates it: dropping one makes a
// pattern that matches less, or more, than it should.
func regexpPieces(lit string) [][2]int {
	var out [][2]int
	inClass := false
	for i := 0; i < len(lit); i++ {
		c := lit[i]
		switch {
		case c == '\\' && i+1 < len(lit):
			if inClass || lit[i+1] == 'b' {
				out = append(out, [2]int{i, i + 2})
			}
			i++
		case inClass && c == ']':
			inClass = false
		case inClass:
			out = append(out, [2]int{i, i + 1})
		case c == '[':
			inClass = true
			if i+1 < len(lit) && lit[i+1] == '^' {
				i++
			}
		case strings.HasPrefix(lit[i:], "(?i)"):
			out = append(out, [2]int{i, i + 4})
			i += 3
		case c == '^' || c == '$':
			out = append(out, [2]int{i, i + 1})
		}
	}
	return out
}

func lineAt(src []byte, off int) string {
	start := bytes.LastIndexByte(src[:off], '\n') + 1
	end := bytes.IndexByte(src[off:], '\n')
	if end < 0 {
		return string(src[start:])
	}
	return string(src[start : off+end])
}

// sample keeps at most n mutants, spread evenly over the file so a limit
// still reaches every function.
func sample(ms []Mutant, n int) []Mutant {
	if n <= 0 || len(ms) <= n {
		return ms
	}
	out := make([]Mutant, 0, n)
	for i := range n {
		out = append(out, ms[i*len(ms)/n])
	}
	return out
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
