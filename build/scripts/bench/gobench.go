package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// pair is a Go benchmark whose sub-benchmarks "floor=…" and
// "loginshell=…" measure the floor and the shell in one run.
type pair struct {
	figure       string
	pkg, bench   string
	benchtime    string
	metric, unit string
	scale        float64 // metric × scale = the figure's unit
	higherBetter bool
	target       float64
	note         string
}

var pairs = []pair{
	{figure: "offline login (vault's argon2id parameters)", pkg: "./internal/keychain", bench: "Unlock", benchtime: "10x",
		metric: "ns/op", unit: "ms", scale: 1e-6, note: "floor: argon2.IDKey alone"},
	{figure: "REST GET /pmapi/user, 64 clients", pkg: "./internal/serve", bench: "UserEndpoint", benchtime: "2s",
		metric: "req/s", unit: "req/s", scale: 1, higherBetter: true, note: "floor: a plain net/http server, same bytes"},
	{figure: "install a 100 MB package", pkg: "./internal/pkginstall", bench: "Install100MB", benchtime: "1x",
		metric: "ns/op", unit: "ms", scale: 1e-6, note: "floor: unzip(1), which checks and syncs nothing"},
}

// goPairs compiles each pair's test binary once and runs it rounds
// times, the pairs interleaved, each run measuring floor and shell.
func goPairs(rep *report, work string, rounds int) error {
	bins := make([]string, len(pairs))
	for i, p := range pairs {
		bins[i] = filepath.Join(work, fmt.Sprintf("pair%d.test", i))
		if err := sh("go", "test", "-c", "-tags", "webkit2_41", "-o", bins[i], p.pkg); err != nil {
			return err
		}
	}
	floors := make([][]float64, len(pairs))
	shells := make([][]float64, len(pairs))
	for r := range rounds {
		for i, p := range pairs {
			res, err := runBench(bins[i], p.pkg, "^Benchmark"+p.bench+"$", p.benchtime)
			if err != nil {
				return err
			}
			f, fok := pick(res, "floor=", p.metric)
			s, sok := pick(res, "loginshell=", p.metric)
			if !fok || !sok {
				return fmt.Errorf("%s: no floor/loginshell %s in %v", p.bench, p.metric, res)
			}
			floors[i] = append(floors[i], f*p.scale)
			shells[i] = append(shells[i], s*p.scale)
			logf("%s round %d: floor %.1f, loginshell %.1f %s", p.bench, r+1, f*p.scale, s*p.scale, p.unit)
		}
	}
	for i, p := range pairs {
		rep.add(figure{Name: p.figure, Unit: p.unit, Floor: floors[i], Shell: shells[i], HigherBetter: p.higherBetter, Target: p.target, Note: p.note})
	}
	return nil
}

// result is one benchmark line: its name after the function's, and its
// metrics by unit.
type result struct {
	name    string
	metrics map[string]float64
}

func runBench(bin, pkg, pattern, benchtime string) ([]result, error) {
	cmd := exec.Command(bin, "-test.run", "^$", "-test.bench", pattern, "-test.benchtime", benchtime, "-test.count", "1")
	cmd.Dir = pkg // testdata is read relative to the package
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
			name = name[:i]
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

func pick(rs []result, prefix, metric string) (float64, bool) {
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

// storeFigures runs the signature store benchmarks once on each store
// (SQLite, and the throwaway PostgreSQL the tests start): queue, and
// trigger plus sign, at 10 and at 100,000 pending requests; flat means a
// ratio of 1. Then the plant: 20 stations on one PostgreSQL.
func storeFigures(rep *report, work string) error {
	for _, st := range []struct{ name, pkg string }{{"SQLite", "./internal/store/sqlite"}, {"PostgreSQL", "./internal/store/postgres"}} {
		bin := filepath.Join(work, strings.ToLower(st.name)+".test")
		if err := sh("go", "test", "-c", "-o", bin, st.pkg); err != nil {
			return err
		}
		res, err := runBench(bin, st.pkg, "^BenchmarkStore$/^(Queue|Slot|SlotAndSign)$/^pending=(10|100000)$", "300x")
		if err != nil {
			return err
		}
		for _, op := range []struct{ sub, what string }{{"Queue", "queue a request"}, {"Slot", "trigger (read the slot)"}, {"SlotAndSign", "trigger and sign a slot"}} {
			small, ok1 := pickExact(res, op.sub+"/pending=10", "ns/op")
			big, ok2 := pickExact(res, op.sub+"/pending=100000", "ns/op")
			if !ok1 || !ok2 {
				return fmt.Errorf("%s: no %s figures in %v", st.name, op.sub, res)
			}
			rep.add(figure{Name: fmt.Sprintf("%s: %s, 100,000 pending", st.name, op.what), Unit: "ms",
				Floor: []float64{small * 1e-6}, Shell: []float64{big * 1e-6}, Target: 1.5,
				Note: "floor: the same at 10 pending (flat = 1.00)"})
		}
		if st.name != "PostgreSQL" {
			continue
		}
		res, err = runBench(bin, st.pkg, "^BenchmarkStations$", "1x")
		if err != nil {
			return err
		}
		for _, r := range res {
			rep.Plant = fmt.Sprintf("20 stations on one PostgreSQL, 1,000 two-slot requests: %.0f signatures/s, trigger→outcome p50 %.0f ms, p99 %.0f ms, max %.0f ms",
				r.metrics["signatures/s"], r.metrics["p50-ms"], r.metrics["p99-ms"], r.metrics["max-ms"])
		}
	}
	return nil
}
