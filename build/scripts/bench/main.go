// Command bench is `make bench`: every performance figure of loginshell
// measured in one run against its floor, written as one markdown table and
// one SVG plot to build/bench/results/.
//
// Floors, each built or run in the same run on the same machine:
//   - start-up and memory: a bare Wails app (bare/, the vanilla template
//     reduced to what it shows) built with loginshell's tags and flags;
//   - offline login: argon2.IDKey alone with the vault's parameters;
//   - REST: a plain net/http server answering the same bytes;
//   - package install: unzip(1) on the same 100 MB file.
//
// Runs are interleaved (floor, loginshell, floor, ... with the order turned
// each round) and each figure is the median of its rounds with the spread
// (min–max); a ratio is taken round by round, floor and loginshell measured
// side by side, and its median reported. Times on screen come from the X
// server (xpaint/xpaint.c: DAMAGE events), the final screen a person sees.
//
// Memory step by step (pss.go): PSS at each step of a start-up, split by
// mapping class, in runs of their own that are not timed.
//
// Usage: go run ./build/scripts/bench [-rounds N] [-steps-rounds N] [-out DIR]
// [-skip startup,steps,go,store | -only PART,...] [-before BIN]
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

func main() {
	rounds := flag.Int("rounds", 7, "interleaved rounds of each paired figure")
	out := flag.String("out", "build/bench/results", "where the table and the plot go")
	stepsRounds := flag.Int("steps-rounds", 3, "interleaved rounds of the memory steps")
	skip := flag.String("skip", "", "comma-separated parts to leave out: startup, steps, go, store")
	only := flag.String("only", "", "comma-separated parts to run, the others left out (-only steps: the memory steps alone)")
	before := flag.String("before", "", "an earlier loginshell binary (another commit's `make build`): the startup part starts it in turn with this one and the floors, and reports this one against it (a change measured before and after in the same rounds)")
	flag.Parse()
	skipped := strings.Split(*skip, ",")
	if *only != "" {
		skipped = nil
		for _, part := range []string{"startup", "steps", "go", "store"} {
			if !slices.Contains(strings.Split(*only, ","), part) {
				skipped = append(skipped, part)
			}
		}
	}
	if err := run(*rounds, *stepsRounds, *out, skipped, *before); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(rounds, stepsRounds int, out string, skip []string, before string) error {
	skipped := func(part string) bool {
		for _, s := range skip {
			if s == part {
				return true
			}
		}
		return false
	}
	work, err := os.MkdirTemp("", "loginshell-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	rep := &report{Machine: machine(), Date: time.Now().UTC().Format("2006-01-02 15:04 UTC"), Commit: commit(), Rounds: rounds}

	logf("building loginshell, the bare Wails app and xpaint")
	bins, err := buildAll(work)
	if err != nil {
		return err
	}
	if err := sizes(rep, bins); err != nil {
		return err
	}
	if !skipped("startup") {
		if err := startup(rep, bins, work, rounds, before); err != nil {
			return err
		}
	}
	if !skipped("steps") {
		if err := stepsPSS(rep, bins, work, stepsRounds); err != nil {
			return err
		}
	}
	if !skipped("go") {
		if err := goPairs(rep, bins, work, rounds); err != nil {
			return err
		}
	}
	if !skipped("store") {
		if err := storeFigures(rep, work); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	// The final screens xpaint timed in round 1, kept beside the table.
	for i, shot := range rep.Shots {
		data, err := os.ReadFile(shot)
		if err != nil {
			return err
		}
		rep.Shots[i] = filepath.Base(shot)
		if err := os.WriteFile(filepath.Join(out, rep.Shots[i]), data, 0o644); err != nil {
			return err
		}
	}
	md, svg := rep.markdown(), rep.svg()
	if err := os.WriteFile(filepath.Join(out, "bench.md"), []byte(md), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(out, "bench.svg"), []byte(svg), 0o644); err != nil {
		return err
	}
	fmt.Print(md)
	logf("wrote %s and %s", filepath.Join(out, "bench.md"), filepath.Join(out, "bench.svg"))
	return nil
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...)
}
