package main

import (
	"fmt"
	"path/filepath"
	"strings"
)

// absolute is a figure with no floor of its own: a rate or a time held
// against its target.
type absolute struct {
	Name  string
	Value float64
	Unit  string
	// Target is the highest value accepted (the lowest when AtLeast);
	// 0 for none.
	Target  float64
	AtLeast bool
	Note    string
}

func (r *report) addAbsolute(a absolute) { r.Absolutes = append(r.Absolutes, a) }

// absoluteTable renders the figures without a floor, each with its target
// and the run.
func (r *report) absoluteTable() string {
	if len(r.Absolutes) == 0 {
		return ""
	}
	var b strings.Builder
	run := fmt.Sprintf("%s · %s · %s", r.shortMachine(), r.Date, r.Commit)
	b.WriteString("\n## The plant and the trail\n\nOne run each (not interleaved), so noisier than the rows above.\n\n")
	b.WriteString("| figure | value | target | | run |\n| --- | ---: | ---: | --- | --- |\n")
	for _, a := range r.Absolutes {
		name := a.Name
		if a.Note != "" {
			name += " — " + a.Note
		}
		target, verdict := "", ""
		if a.Target > 0 {
			op, met := "<", a.Value < a.Target
			if a.AtLeast {
				op, met = "≥", a.Value >= a.Target
			}
			target = fmt.Sprintf("%s %s %s", op, num(a.Target), a.Unit)
			verdict = "met"
			if !met {
				verdict = "**not met**"
			}
		}
		fmt.Fprintf(&b, "| %s | %s %s | %s | %s | %s |\n", name, num(a.Value), a.Unit, target, verdict, run)
	}
	return b.String()
}

// flatSizes are the numbers of pending requests a queue and a trigger
// are measured at: flat means the same at both.
const flatSmall, flatLarge = "10", "1000000"

// storeFigures runs the benchmarks of the signature stores once each, on
// SQLite and on the throwaway PostgreSQL the tests start: a queue (the
// package's limit counted, the request and its entry stored), a trigger
// (the slot read) and a trigger with its signature, at 10 and at
// 1,000,000 pending requests (flat means a ratio of 1); `audit verify` of
// a trail of 1,000,000 entries with a checkpoint per transaction, on one
// core; then the plant: 20 and 200 stations on one PostgreSQL.
func storeFigures(rep *report, work string) error {
	for _, st := range []struct{ name, pkg string }{{"SQLite", "./internal/store/sqlite"}, {"PostgreSQL", "./internal/store/postgres"}} {
		bin := filepath.Join(work, strings.ToLower(st.name)+".test")
		if err := sh("go", "test", "-c", "-tags", "webkit2_41", "-o", bin, st.pkg); err != nil {
			return err
		}
		logf("%s: queue and trigger at %s and %s pending", st.name, flatSmall, flatLarge)
		res, err := runBench(bin, st.pkg, "^BenchmarkStore$/^(Queue|Slot|SlotAndSign)$/^pending=("+flatSmall+"|"+flatLarge+")$", "300x", nil)
		if err != nil {
			return err
		}
		for _, op := range []struct{ sub, what string }{{"Queue", "queue a page's request"}, {"Slot", "trigger (read the slot)"}, {"SlotAndSign", "trigger and sign a slot"}} {
			small, ok1 := pickExact(res, op.sub+"/pending="+flatSmall, "ns/op")
			big, ok2 := pickExact(res, op.sub+"/pending="+flatLarge, "ns/op")
			if !ok1 || !ok2 {
				return fmt.Errorf("%s: no %s figures in %v", st.name, op.sub, res)
			}
			rep.add(figure{Name: fmt.Sprintf("%s: %s, 1,000,000 pending", st.name, op.what), Unit: "ms",
				Floor: []float64{small * 1e-6}, Shell: []float64{big * 1e-6}, Target: 1.5,
				Note: "floor: the same at 10 pending (flat = 1.00)"})
		}

		logf("%s: audit verify of 1,000,000 entries (building the trail first: minutes)", st.name)
		res, err = runBench(bin, st.pkg, "^BenchmarkVerify$/^entries=1000000$", "1x", nil, "-test.cpu", "1")
		if err != nil {
			return err
		}
		for _, r := range res {
			verify := fmt.Sprintf("%s: `loginshell audit verify` of 1,000,000 entries, 900,000 checkpoints, one core", st.name)
			rep.addAbsolute(absolute{Name: verify + ": CPU", Value: r.metrics["cpu-s/op"], Unit: "s", Target: 5,
				Note: "the process's user and system time (PostgreSQL's server not counted), the whole command in process; every entry's hash and link, every checkpoint (linked per key: a signature per key's chain), every request against the trail"})
			rep.addAbsolute(absolute{Name: verify + ": wall", Value: r.metrics["ns/op"] * 1e-9, Unit: "s", Note: "the machine's, as loaded by others"})
			rep.addAbsolute(absolute{Name: fmt.Sprintf("%s: the most heap in use during that verify", st.name), Value: r.metrics["peak-heap-MB"], Unit: "MB",
				Note: "the trail and the requests stream; a content hash and the signatures of each request are kept"})
		}

		if st.name != "PostgreSQL" {
			continue
		}
		for _, n := range []string{"20", "200"} {
			logf("the plant: %s stations on one PostgreSQL", n)
			res, err = runBench(bin, st.pkg, "^BenchmarkStations$/^stations="+n+"$", "1x", nil)
			if err != nil {
				return err
			}
			for _, r := range res {
				what := n + " stations on one PostgreSQL, saturation: 1,000 two-slot requests from 40 workers (closed loop)"
				rep.addAbsolute(absolute{Name: what + ": counted signatures per second", Value: r.metrics["signatures/s"], Unit: "/s"})
				rep.addAbsolute(absolute{Name: what + ": trigger→outcome p50", Value: r.metrics["p50-ms"], Unit: "ms",
					Note: "the settling Answer's start to the outcome at the queuing station's page"})
				rep.addAbsolute(absolute{Name: what + ": trigger→outcome p99", Value: r.metrics["p99-ms"], Unit: "ms", Target: 1000})
				rep.addAbsolute(absolute{Name: what + ": of which the settling Answer itself, p99", Value: r.metrics["answer-p99-ms"], Unit: "ms",
					Note: "its audit entries wait for the chain's head, which every audited change of every station takes in turn"})
				rep.addAbsolute(absolute{Name: what + ": of which its delivery to the queuing station's page, p99", Value: r.metrics["delivery-p99-ms"], Unit: "ms",
					Note: "the notice, on the channel of the request's session, and the read of the slot there"})
				for _, share := range []string{"25%", "50%", "75%"} {
					at := fmt.Sprintf("%s stations on one PostgreSQL, offered %s of that capacity (open loop: Poisson arrivals, 250 requests)", n, share)
					rep.addAbsolute(absolute{Name: at + ": trigger→outcome p50", Value: r.metrics["p50-ms@"+share], Unit: "ms",
						Note: "what a person at a plant that keeps up waits; the saturation run's latency is its own queue"})
					rep.addAbsolute(absolute{Name: at + ": trigger→outcome p99", Value: r.metrics["p99-ms@"+share], Unit: "ms", Target: 1000})
				}
				rep.addAbsolute(absolute{Name: what + ": connections at most", Value: r.metrics["peak-conns"], Unit: "",
					Note: "one LISTEN connection per station and a pool of pool_max_conns=2"})
				rep.addAbsolute(absolute{Name: what + ": the database server's CPU per signature", Value: r.metrics["db-cpu-ms/sig"], Unit: "ms",
					Note: "PostgreSQL 15 still wakes every listening connection for each notice, whatever its channel"})
				rep.addAbsolute(absolute{Name: what + ": the stations' CPU per signature", Value: r.metrics["stations-cpu-ms/sig"], Unit: "ms",
					Note: "all the engines in one process, on the same cores as the database"})
			}
		}
	}
	return nil
}
