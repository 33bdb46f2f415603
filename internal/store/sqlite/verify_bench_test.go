package sqlite_test

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"loginshell/internal/cli"
	"loginshell/internal/shell"
	"loginshell/internal/store/sqlite"
	"loginshell/internal/store/storetest"
)

// BenchmarkVerify is `loginshell audit verify` of a station's embedded
// store, the whole command in process (cli.Run), on trails of 100,000 and
// 1,000,000 entries as four stations write them (sqlite.BuildTrail: ten
// entries and nine checkpoints a request); it fails unless the trail
// verifies. It reports the process's CPU time per verify (user and
// system; on a shared machine the wall time is the
// machine's), the time per entry and the most heap in use while it ran
// (the trail and the requests stream: neither is held). Run it on one
// core, as the target is stated:
//
//	go test -run '^$' -bench 'Verify/entries=1000000' -benchtime 1x -cpu 1 ./internal/store/sqlite
func BenchmarkVerify(b *testing.B) {
	for _, n := range []int{100_000, 1_000_000} {
		b.Run(fmt.Sprintf("entries=%d", n), func(b *testing.B) {
			dir := b.TempDir()
			sqlite.BuildTrail(b, filepath.Join(dir, shell.StoreFile), n/10, 4)
			peak := storetest.PeakHeap()
			cpu := storetest.ProcessCPU()
			for b.Loop() {
				var out, errb bytes.Buffer
				if code := cli.Run([]string{"audit", "verify", "--data", dir}, &out, &errb, cli.Options{}); code != 0 || !strings.Contains(out.String(), fmt.Sprintf("(%d entries", n)) {
					b.Fatalf("audit verify: exit %d\n%s%s", code, out.String(), errb.String())
				}
			}
			b.ReportMetric((storetest.ProcessCPU()-cpu).Seconds()/float64(b.N), "cpu-s/op")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/entry")
			b.ReportMetric(float64(peak())/(1<<20), "peak-heap-MB")
		})
	}
}
