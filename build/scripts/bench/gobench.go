package main

import (
	"bufio"
	"bytes"
	"cmp"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// pairRun is a Go benchmark whose sub-benchmarks measure a floor and the
// shell side by side in one run; each round runs it once and reads its
// figures from that run.
type pairRun struct {
	pkg, bench, benchtime string
	// env names the built binary for the benchmarks that start it
	// (LOGINSHELL_BIN) when set.
	binEnv  bool
	figures []pairFigure
}

// pairFigure is one row read from a pairRun: the metric of the
// sub-benchmark named floor, against the same of the one named shell
// (prefixes of their names). A paired benchmark (floor and shell both
// "") measures the two in turns itself and reports both from one result:
// the floor's as floorMetric ("floor-"+metric unless set), the shell's
// as metric.
type pairFigure struct {
	figure        string
	floor, shell  string
	metric, unit  string
	floorMetric   string
	scale         float64 // metric × scale = the figure's unit
	higherBetter  bool
	target        float64
	targetComment string
	note          string
}

var pairRuns = []pairRun{
	{pkg: "./internal/keychain", bench: "Unlock", benchtime: "10x", figures: []pairFigure{
		{figure: "offline login, in process (keychain Unlock)", floor: "floor=", shell: "loginshell=", metric: "ns/op", unit: "ms", scale: 1e-6,
			target: 1.05, note: "floor: argon2.IDKey alone, same parameters"},
	}},
	{pkg: "./internal/serve", bench: "OfflineLogin", benchtime: "6x", figures: []pairFigure{
		{figure: "offline login, end to end: the sign-in page's whole PUT …/authenticate over HTTP", metric: "ms/login", unit: "ms", scale: 1,
			target: 1.05, note: "floor: argon2.IDKey alone, same parameters, in a process of its own; the two alternate login by login"},
		{figure: "offline login, end to end, against the same derivation in the shell's process", metric: "ms/login", floorMetric: "kdf-in-shell-process-ms",
			unit: "ms", scale: 1, note: "what the HTTP path adds, apart from the process the derivation runs in"},
	}},
	{pkg: "./internal/serve", bench: "UserEndpoint", benchtime: "16x", figures: []pairFigure{
		{figure: "REST GET /pmapi/user, 64 clients: throughput", metric: "req/s", unit: "req/s", scale: 1,
			higherBetter: true, target: 1 / 0.95, targetComment: "(≥ 0.95× the floor's)", note: "floor: a plain net/http server, same response to the same request; the two take turns in slices of 250 ms"},
		{figure: "REST GET /pmapi/user, 64 clients: p99", metric: "p99-ms", unit: "ms", scale: 1,
			target: 1.10, note: "a request's time at the client"},
		{figure: "REST GET /pmapi/user, 64 clients: CPU per request", metric: "cpu-us/req", unit: "µs", scale: 1,
			note: "the process's user+system time over requests, clients included"},
	}},
	{pkg: "./internal/serve", bench: "UserHandler", benchtime: "200000x", figures: []pairFigure{
		{figure: "REST GET /pmapi/user: the server's handler alone", floor: "floor=", shell: "loginshell=", metric: "ns/op", unit: "µs", scale: 1e-3,
			note: "no sockets: routing, the pages' guard, the mux, the answer"},
	}},
	{pkg: "./internal/pkginstall", bench: "Install100MB", benchtime: "3x", binEnv: true, figures: []pairFigure{
		{figure: "install a 100 MB package, whole commands", metric: "command-ms", floorMetric: "floor-ms", unit: "ms", scale: 1,
			target: 1.0, note: "`loginshell install` against `unzip`, process start included; unzip checks and syncs nothing; the three take turns"},
		{figure: "install a 100 MB package, in process", metric: "install-ms", floorMetric: "floor-ms", unit: "ms", scale: 1,
			note: "pkginstall.Install against the unzip command"},
		{figure: "install a 100 MB package, whole commands: CPU", metric: "command-cpu-ms", floorMetric: "floor-cpu-ms", unit: "ms", scale: 1,
			note: "user+system time of each command's process (wait4's rusage)"},
	}},
}

// goPairs compiles each run's test binary once and runs it rounds times,
// the runs interleaved, each run measuring floor and shell.
func goPairs(rep *report, bin binaries, work string, rounds int) error {
	bins := make([]string, len(pairRuns))
	for i, p := range pairRuns {
		bins[i] = filepath.Join(work, fmt.Sprintf("pair%d.test", i))
		if err := sh("go", "test", "-c", "-tags", "webkit2_41", "-o", bins[i], p.pkg); err != nil {
			return err
		}
	}
	type series struct{ floor, shell []float64 }
	got := make([][]series, len(pairRuns))
	for i, p := range pairRuns {
		got[i] = make([]series, len(p.figures))
	}
	for r := range rounds {
		for i, p := range pairRuns {
			var env []string
			if p.binEnv {
				env = []string{"LOGINSHELL_BIN=" + bin.loginshell}
			}
			res, err := runBench(bins[i], p.pkg, "^Benchmark"+p.bench+"$", p.benchtime, env)
			if err != nil {
				return err
			}
			for j, f := range p.figures {
				floorMetric := f.metric
				if f.floor == "" && f.shell == "" {
					floorMetric = cmp.Or(f.floorMetric, "floor-"+f.metric)
				}
				fl, fok := pick(res, f.floor, floorMetric)
				s, sok := pick(res, f.shell, f.metric)
				if !fok || !sok {
					return fmt.Errorf("%s: no %s %s and %s %s in %v", p.bench, f.floor, f.metric, f.shell, f.metric, res)
				}
				got[i][j].floor = append(got[i][j].floor, fl*f.scale)
				got[i][j].shell = append(got[i][j].shell, s*f.scale)
				logf("%s round %d: floor %.3g, loginshell %.3g %s", f.figure, r+1, fl*f.scale, s*f.scale, f.unit)
			}
		}
	}
	for i, p := range pairRuns {
		for j, f := range p.figures {
			rep.add(figure{Name: f.figure, Unit: f.unit, Floor: got[i][j].floor, Shell: got[i][j].shell, HigherBetter: f.higherBetter,
				Target: f.target, Note: strings.TrimSpace(f.targetComment + " " + f.note)})
		}
	}
	return nil
}

// result is one benchmark line: its name after the function's, and its
// metrics by unit.
type result struct {
	name    string
	metrics map[string]float64
}

// runBench runs the benchmarks pattern matches in the test binary bin,
// in pkg's directory (testdata is read relative to it), with env added.
func runBench(bin, pkg, pattern, benchtime string, env []string, extra ...string) ([]result, error) {
	args := append([]string{"-test.run", "^$", "-test.bench", pattern, "-test.benchtime", benchtime, "-test.count", "1", "-test.timeout", "2h"}, extra...)
	cmd := exec.Command(bin, args...)
	cmd.Dir = pkg
	cmd.Env = append(os.Environ(), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("%s -test.bench %s: %w\n%s", filepath.Base(bin), pattern, err, out.String())
	}
	return parseBench(out.String()), nil
}

// parseBench reads `go test -bench` lines:
// BenchmarkX/sub-2  N  v1 unit1  v2 unit2 ...
func parseBench(out string) []result {
	var rs []result
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		name := f[0]
		if i := strings.LastIndex(name, "-"); i > 0 {
			if _, err := strconv.Atoi(name[i+1:]); err == nil { // the GOMAXPROCS suffix
				name = name[:i]
			}
		}
		if i := strings.Index(name, "/"); i >= 0 {
			name = name[i+1:]
		}
		r := result{name: name, metrics: map[string]float64{}}
		for i := 2; i+1 < len(f); i += 2 {
			if v, err := strconv.ParseFloat(f[i], 64); err == nil {
				r.metrics[f[i+1]] = v
			}
		}
		rs = append(rs, r)
	}
	return rs
}

// pick is the metric of the first result whose name starts with prefix
// (spaces in sub-benchmark names are underscores in the output).
func pick(rs []result, prefix, metric string) (float64, bool) {
	prefix = strings.ReplaceAll(prefix, " ", "_")
	for _, r := range rs {
		if strings.HasPrefix(r.name, prefix) {
			v, ok := r.metrics[metric]
			return v, ok
		}
	}
	return 0, false
}

func pickExact(rs []result, name, metric string) (float64, bool) {
	for _, r := range rs {
		if r.name == name {
			v, ok := r.metrics[metric]
			return v, ok
		}
	}
	return 0, false
}
