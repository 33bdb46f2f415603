package sqlite_test

import (
	"bytes"
	"fmt"
	"os"
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
//
// The million-entry trail takes minutes to build: with VERIFY_FIXTURE=DIR
// it is built once into DIR/entries=N and read from there by later runs
// (the verify only reads the trail; its first run pins the stations'
// keys there, as a station's first verify does), so runs before and
// after a change compare the same file.
func BenchmarkVerify(b *testing.B) {
	for _, n := range []int{100_000, 1_000_000} {
		b.Run(fmt.Sprintf("entries=%d", n), func(b *testing.B) {
			dir := verifyFixture(b, n)
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

// verifyFixture is the directory of a store holding the trail of n
// entries: a new one each run, or the one under VERIFY_FIXTURE, built
// there if it is not yet.
func verifyFixture(b *testing.B, n int) string {
	root := os.Getenv("VERIFY_FIXTURE")
	if root == "" {
		dir := b.TempDir()
		sqlite.BuildTrail(b, filepath.Join(dir, shell.StoreFile), n/10, 4)
		return dir
	}
	dir := filepath.Join(root, fmt.Sprintf("entries=%d", n))
	if _, err := os.Stat(filepath.Join(dir, "complete")); err == nil {
		return dir
	}
	// A build cut short leaves no "complete": start it again.
	if err := os.RemoveAll(dir); err != nil {
		b.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		b.Fatal(err)
	}
	sqlite.BuildTrail(b, filepath.Join(dir, shell.StoreFile), n/10, 4)
	if err := os.WriteFile(filepath.Join(dir, "complete"), nil, 0o600); err != nil {
		b.Fatal(err)
	}
	return dir
}
