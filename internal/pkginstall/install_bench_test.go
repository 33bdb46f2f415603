//go:build unix

package pkginstall

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// BenchmarkInstall100MB installs a ~100 MB package from a file, fsyncs
// included, against its floor: unzip(1) extracting the same file, the
// whole command, which checks nothing and syncs nothing (skipped where
// unzip is missing). What the shell adds is the checks (paths, sizes, the
// manifest), the fsyncs and the swap into place. The shell is measured in
// process (Install) and, when LOGINSHELL_BIN names the built binary, as
// the whole command a person runs, `loginshell install --data DIR FILE`,
// process start included (as unzip's is). Each iteration runs each of
// them once, in an order turned every iteration, so a shared machine's
// noise lands on all of them; before each the file system is synced
// (untimed), so no one's writes are left for the next to pay. Run it as
// -benchtime=Nx. It reports the medians in ms: "floor-ms" (unzip),
// "command-ms" and "install-ms", the CPU time each took beside them
// ("floor-cpu-ms", ...: user and system, the commands' from their own
// processes), and the uncompressed MB/s of Install.
func BenchmarkInstall100MB(b *testing.B) {
	work := b.TempDir()
	zipPath := filepath.Join(work, "big.zip")
	size := writeMixedZip(b, zipPath, 100<<20)
	unzip, err := exec.LookPath("unzip")
	if err != nil {
		b.Skip("unzip is not installed")
	}
	f, err := os.Open(zipPath)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	info, _ := f.Stat()
	type side struct {
		metric string
		run    func(dir string) time.Duration // the CPU time it took
		times  []float64
		cpu    []float64
	}
	// A command's CPU is its process's (user and system, from wait4's
	// rusage); Install's is this process's while it runs.
	command := func(name string, args func(dir string) []string) func(string) time.Duration {
		return func(dir string) time.Duration {
			cmd := exec.Command(name, args(dir)...)
			if out, err := cmd.CombinedOutput(); err != nil {
				b.Fatalf("%s: %v\n%s", filepath.Base(name), err, out)
			}
			return cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
		}
	}
	sides := []*side{
		{metric: "floor-ms", run: command(unzip, func(dir string) []string { return []string{"-q", zipPath, "-d", dir} })},
		{metric: "install-ms", run: func(dir string) time.Duration {
			start := processCPU()
			if _, err := Install(dir, f, info.Size(), Options{}); err != nil {
				b.Fatal(err)
			}
			return processCPU() - start
		}},
	}
	if bin := os.Getenv("LOGINSHELL_BIN"); bin != "" {
		sides = append(sides, &side{metric: "command-ms", run: command(bin, func(dir string) []string {
			return []string{"install", "--data", dir, zipPath}
		})})
	}
	b.ResetTimer()
	for i := range b.N {
		for j := range sides {
			s := sides[(i+j)%len(sides)]
			dir := filepath.Join(work, "out")
			b.StopTimer()
			syscall.Sync()
			b.StartTimer()
			start := time.Now()
			cpu := s.run(dir)
			s.times = append(s.times, float64(time.Since(start))/1e6)
			s.cpu = append(s.cpu, float64(cpu)/1e6)
			b.StopTimer()
			os.RemoveAll(dir)
			b.StartTimer()
		}
	}
	b.StopTimer()
	for _, s := range sides {
		slices.Sort(s.times)
		slices.Sort(s.cpu)
		b.ReportMetric(s.times[len(s.times)/2], s.metric)
		b.ReportMetric(s.cpu[len(s.cpu)/2], strings.Replace(s.metric, "-ms", "-cpu-ms", 1))
	}
	b.ReportMetric(float64(size)/1e6/(sides[1].times[len(sides[1].times)/2]/1e3), "install-MB/s")
}

// processCPU is the CPU time this process has used, user and system.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
