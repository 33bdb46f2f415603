package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
)

// sizes records both stripped binaries' sizes and what the difference is
// made of: the symbols of each build with symbols, summed by module.
func sizes(rep *report, b binaries) error {
	ls, err := os.Stat(b.loginshell)
	if err != nil {
		return err
	}
	bare, err := os.Stat(b.bare)
	if err != nil {
		return err
	}
	rep.add(figure{Name: "binary (stripped)", Unit: "MB", Floor: []float64{mb(bare.Size())}, Shell: []float64{mb(ls.Size())},
		Note: "see \"What the binary holds\""})
	lsBy, err := symbolsByModule(b.loginshellSyms)
	if err != nil {
		return err
	}
	bareBy, err := symbolsByModule(b.bareSyms)
	if err != nil {
		return err
	}
	for mod, n := range lsBy {
		if extra := n - bareBy[mod]; extra > 64<<10 {
			rep.Extra = append(rep.Extra, moduleSize{Module: mod, Bytes: extra})
		}
	}
	sort.Slice(rep.Extra, func(i, j int) bool { return rep.Extra[i].Bytes > rep.Extra[j].Bytes })
	demo, err := demoOnly(b.loginshellSyms)
	if err != nil {
		return err
	}
	rep.DemoBytes = demo
	return nil
}

// demoProvider is the package of the --demo provider.
const demoProvider = "loginshell/internal/demoidp"

// demoOnly sums the symbols of the packages that only the demo provider
// brings in (reached from loginshell through internal/demoidp alone):
// what --demo costs a station that never runs it. Nothing of it runs
// without --demo (no provider, no key), so its cost there is this much
// binary, paged in only if touched.
func demoOnly(syms string) (int64, error) {
	out, err := exec.Command("go", "list", "-deps", "-tags", "desktop,production,webkit2_41",
		"-f", "{{.ImportPath}} {{join .Imports \" \"}}", "loginshell").Output()
	if err != nil {
		return 0, fmt.Errorf("go list -deps: %w", err)
	}
	imports := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		imports[f[0]] = f[1:]
	}
	without := map[string]bool{}
	var walk func(string)
	walk = func(p string) {
		if without[p] || strings.HasPrefix(p, demoProvider) {
			return
		}
		without[p] = true
		for _, q := range imports[p] {
			walk(q)
		}
	}
	walk("loginshell")
	only := map[string]bool{}
	for p := range imports {
		if !without[p] {
			only[p] = true
		}
	}
	nm, err := exec.Command("go", "tool", "nm", "-size", syms).Output()
	if err != nil {
		return 0, fmt.Errorf("go tool nm %s: %w", syms, err)
	}
	var total int64
	sc := bufio.NewScanner(bytes.NewReader(nm))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 {
			continue
		}
		size, err := strconv.ParseInt(f[1], 10, 64)
		if err == nil && only[symbolPackage(strings.Join(f[3:], " "))] {
			total += size
		}
	}
	return total, sc.Err()
}

// symbolPackage is the import path of the package a symbol belongs to.
func symbolPackage(sym string) string {
	sym = strings.TrimPrefix(strings.TrimPrefix(sym, "type:"), "go:itab.")
	i := strings.LastIndex(sym, "/")
	if j := strings.Index(sym[i+1:], "."); j >= 0 {
		return sym[:i+1+j]
	}
	return sym
}

func mb(n int64) float64 { return float64(n) / 1e6 }

type moduleSize struct {
	Module string
	Bytes  int64
}

// symbolsByModule sums `go tool nm -size` by module: the standard
// library by package, others by module path (host/owner/repo, or
// host/repo for hosts with two elements), loginshell by package.
func symbolsByModule(bin string) (map[string]int64, error) {
	out, err := exec.Command("go", "tool", "nm", "-size", bin).Output()
	if err != nil {
		return nil, fmt.Errorf("go tool nm %s: %w", bin, err)
	}
	by := map[string]int64{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 {
			continue
		}
		size, err := strconv.ParseInt(f[1], 10, 64)
		if err != nil {
			continue
		}
		by[module(strings.Join(f[3:], " "))] += size
	}
	return by, sc.Err()
}

func module(sym string) string {
	// The package path ends at the first dot after the last slash.
	path := sym
	if i := strings.LastIndex(path, "/"); i >= 0 {
		if j := strings.Index(path[i:], "."); j >= 0 {
			path = path[:i+j]
		}
	} else if j := strings.Index(path, "."); j >= 0 {
		path = path[:j]
	}
	parts := strings.Split(path, "/")
	switch {
	case parts[0] == "loginshell":
		return strings.Join(parts[:min(len(parts), 3)], "/")
	case !strings.Contains(parts[0], "."): // the standard library, cgo, runtime
		if strings.HasPrefix(sym, "_cgo") || strings.HasPrefix(sym, "x_cgo") {
			return "cgo"
		}
		return parts[0]
	case parts[0] == "github.com" || parts[0] == "golang.org":
		return strings.Join(parts[:min(len(parts), 3)], "/")
	default:
		return strings.Join(parts[:min(len(parts), 2)], "/")
	}
}
