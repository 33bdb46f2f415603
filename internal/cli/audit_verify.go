package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"runtime/debug"
	"strings"

	"loginshell/internal/audit"
	"loginshell/internal/signature"
	"loginshell/internal/station"
)

// trailReader is what `audit verify` and `audit export` read: the
// stations' keys, and the entries with their checkpoints, from one
// snapshot.
type trailReader interface {
	AuditTrail(ctx context.Context, fn func(audit.Trail) error) error
}

// verifyStore is `audit verify` on the store at where, from the station
// whose data directory is dataDir: the chain (audit.Verify's rules), then
// the checkpoints of every station against it (audit.CheckTrail, with
// this station's own latest checkpoint and the keys it pinned), and the
// requests against the trail (signature.Records), all from one snapshot
// and in one pass over the trail: nothing is held per entry, so a trail
// of millions verifies in the memory of its requests' content hashes.
// Every problem is a line on stderr and exit status 1; notes go to
// stdout. Keys of stations seen here for the first time are pinned when
// nothing is wrong (trust on first use). A store at location (where this
// station kept its checkpoints' copies) that is not one this station
// signed in there is a replaced store (station.Replaced), named as a
// problem too.
func verifyStore(ctx context.Context, trail trailReader, where, location, dataDir string, fingerprints []string, stdout, stderr io.Writer) error {
	pins, err := station.ReadPins(dataDir)
	if err != nil {
		return fmt.Errorf("read the keys this station has seen: %w", err)
	}
	var report audit.Report
	var replaced []string
	var records *signature.Records // nil for a store that gives no requests
	check := func(t audit.Trail) error {
		own, err := station.ReadOwn(dataDir, t.Store)
		if err != nil {
			return fmt.Errorf("read this station's latest checkpoint: %w", err)
		}
		if replaced, err = station.Replaced(dataDir, location, t.Store); err != nil {
			return err
		}
		if records != nil {
			rows := t.Rows
			t.Rows = func(yield func(audit.Row, error) bool) {
				for row, err := range rows {
					if err == nil && row.Entry != nil {
						records.Entry(*row.Entry)
					}
					if !yield(row, err) {
						return
					}
				}
			}
		}
		report, err = audit.CheckTrail(t, audit.Expect{Own: own, Pins: pins, Fingerprints: fingerprints})
		return err
	}
	if rs, ok := trail.(recordReader); ok {
		err = rs.AuditRecords(ctx, func(requests iter.Seq2[signature.Request, error], t audit.Trail) error {
			records = signature.NewRecords() // afresh, should the store read again
			for r, err := range requests {
				if err != nil {
					return err
				}
				records.Request(r)
			}
			return check(t)
		})
	} else {
		err = trail.AuditTrail(ctx, check)
	}
	var b *audit.BreakError
	if errors.As(err, &b) {
		fmt.Fprintf(stderr, "loginshell audit verify: %v\n", err)
		return exitCode(exitFailed)
	}
	if err != nil {
		return err
	}
	problems := append(texts(report.Problems), replaced...)
	checked := ""
	if records != nil {
		problems = append(problems, records.Problems()...)
		checked = fmt.Sprintf("; %d requests and their signatures match it", records.Requests())
	}
	for _, n := range report.Notes {
		fmt.Fprintf(stdout, "note: %s\n", n)
	}
	if len(problems) > 0 {
		for _, p := range problems {
			fmt.Fprintf(stderr, "loginshell audit verify: %s\n", p)
		}
		fmt.Fprintf(stderr, "loginshell audit verify: the audit trail of %s was changed: %d %s (read %d entries, head %s)\n",
			where, len(problems), plural(len(problems), "problem", "problems"), report.Entries, headText(report.Head))
		return exitCode(exitFailed)
	}
	if err := station.Pin(dataDir, report.NewKeys); err != nil {
		return fmt.Errorf("pin the keys seen for the first time: %w", err)
	}
	fmt.Fprintf(stdout, "OK: the audit trail of %s is intact (%d entries, head %s)%s%s\n", where, report.Entries, headText(report.Head),
		signedText(report), checked)
	printStations(stdout, report.Stations)
	return nil
}

// verifyGC lets the garbage collector run less often while the store's
// trail is verified, and returns what sets it back. A verify allocates
// about a gigabyte at a million entries, nearly all of it rows read and
// dropped, while what it keeps (the requests' content hashes and
// signatures) is a hundred megabytes or so: at the default, GOGC=100, a
// collection every time the heap doubles that cost about a second of
// CPU in BenchmarkVerify. At 400 the heap may grow to five times what is
// kept, and verifyMemoryLimit caps that (the collector then runs as
// often as it needs to stay under it; a lower GOMEMLIMIT is kept). It is
// the process's setting, so it is made only here: `audit verify` runs in
// a process of its own that exits after it (cli.Main), and anything
// that runs it in process (tests, the benchmark) gets the settings back
// when the command returns.
func verifyGC() (restore func()) {
	percent := debug.SetGCPercent(verifyGCPercent)
	limit := debug.SetMemoryLimit(-1) // reads it
	debug.SetMemoryLimit(min(limit, verifyMemoryLimit))
	return func() {
		debug.SetGCPercent(percent)
		debug.SetMemoryLimit(limit)
	}
}

const (
	verifyGCPercent   = 400
	verifyMemoryLimit = 512 << 20
)

// verifyExport is `audit verify --export FILE`: the export checked with
// no store, against the fingerprints given.
func verifyExport(file string, fingerprints []string, stdout, stderr io.Writer) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	x, err := audit.ReadExport(f)
	if err != nil {
		fmt.Fprintf(stderr, "loginshell audit verify: %s: %v\n", file, err)
		return exitCode(exitFailed)
	}
	report, err := audit.VerifyExport(x, fingerprints)
	var b *audit.BreakError
	if errors.As(err, &b) {
		fmt.Fprintf(stderr, "loginshell audit verify: the export %s: %v\n", file, err)
		return exitCode(exitFailed)
	}
	if err != nil {
		return err
	}
	for _, n := range report.Notes {
		fmt.Fprintf(stdout, "note: %s\n", n)
	}
	if len(report.Problems) > 0 {
		for _, p := range report.Problems {
			fmt.Fprintf(stderr, "loginshell audit verify: %s\n", p.Text)
		}
		fmt.Fprintf(stderr, "loginshell audit verify: the export %s does not hold together: %d %s\n", file, len(report.Problems),
			plural(len(report.Problems), "problem", "problems"))
		return exitCode(exitFailed)
	}
	what := fmt.Sprintf("%d entries", report.Entries)
	if report.Entries > 0 {
		what = fmt.Sprintf("%d entries, #%d to %s", report.Entries, x.Entries[0].Seq, headText(report.Head))
	}
	if x.Filter != nil {
		what += fmt.Sprintf(", %d selected by its filter", len(x.Selected))
	}
	given := ""
	if len(fingerprints) > 0 {
		given = "; every station key is one of the fingerprints given"
	}
	fmt.Fprintf(stdout, "OK: the export %s is intact (%s)%s%s\n", file, what, signedText(report), given)
	printStations(stdout, report.Stations)
	return nil
}

// signedText says what the checkpoints vouched for.
func signedText(r audit.Report) string {
	if r.Checkpoints == 0 {
		return ""
	}
	return fmt.Sprintf("; %d checkpoints of %d %s match it", r.Checkpoints, len(r.Stations), plural(len(r.Stations), "station", "stations"))
}

// printStations lists each station's keys and newest checkpoint, for
// the validation record.
func printStations(w io.Writer, stations []audit.StationReport) {
	for _, s := range stations {
		fmt.Fprintf(w, "  station %s: key %s; newest checkpoint #%d\n", cell(s.Station, 64), strings.Join(s.Fingerprints, ", "), s.Newest)
	}
}

func texts(ps []audit.Problem) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Text
	}
	return out
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
