package pkginstall

import (
	"archive/zip"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// writeMixedZip writes a package of about size bytes to path: half text
// that compresses well, half random bytes that do not, in files of
// 64 KiB to 2 MiB. It returns the uncompressed size.
func writeMixedZip(tb testing.TB, path string, size int64) int64 {
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	zw := zip.NewWriter(f)
	rng := rand.New(rand.NewPCG(1, 2))
	add := func(name string, data []byte) {
		w, err := zw.Create(name)
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := w.Write(data); err != nil {
			tb.Fatal(err)
		}
	}
	add("webapp.json", []byte(`{"name":"big","version":"1.0","main":"index.html"}`))
	add("index.html", []byte("<p>big"))
	// Text like source code: random words, so it compresses a few times
	// over, as real scripts do (a repeated line would look like a bomb).
	words := strings.Fields("function return var let const if else for while this that value index offset step count name page user auth token window document fetch then catch error")
	var sb strings.Builder
	for sb.Len() < 4<<20 {
		sb.WriteString(words[rng.IntN(len(words))])
		sb.WriteByte(" \n;(){}."[rng.IntN(8)])
	}
	text := []byte(sb.String())
	var total int64
	for i := 0; total < size; i++ {
		n := 64<<10 + rng.IntN(2<<20)
		var data []byte
		if i%2 == 0 {
			start := rng.IntN(len(text) - n)
			data = text[start : start+n]
		} else {
			data = make([]byte, n)
			for j := range data {
				data[j] = byte(rng.Uint32())
			}
		}
		add(fmt.Sprintf("assets/%03d/file%04d.bin", i%17, i), data)
		total += int64(n)
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return total
}

// BenchmarkInstall100MB installs a ~100 MB package from a file, fsyncs
// included; the MB/s column is uncompressed bytes written per second. Its
// floor is unzip(1) extracting the same file (sub-benchmark "floor"; skipped
// where unzip is missing), the whole command, which checks nothing and
// syncs nothing: what the shell adds is the checks (paths, sizes, the
// manifest), the fsyncs and the swap into place. The shell is measured in
// process (Install) and, when LOGINSHELL_BIN names the built binary, as
// the whole command a person runs, `loginshell install --data DIR FILE`,
// process start included (as unzip's is).
func BenchmarkInstall100MB(b *testing.B) {
	work := b.TempDir()
	zipPath := filepath.Join(work, "big.zip")
	size := writeMixedZip(b, zipPath, 100<<20)
	b.Run("floor=unzip", func(b *testing.B) {
		unzip, err := exec.LookPath("unzip")
		if err != nil {
			b.Skip("unzip is not installed")
		}
		b.SetBytes(size)
		for i := range b.N {
			dir := filepath.Join(work, fmt.Sprint("unzip", i))
			if out, err := exec.Command(unzip, "-q", zipPath, "-d", dir).CombinedOutput(); err != nil {
				b.Fatalf("unzip: %v\n%s", err, out)
			}
			b.StopTimer()
			os.RemoveAll(dir)
			b.StartTimer()
		}
	})
	b.Run("loginshell=install command", func(b *testing.B) {
		bin := os.Getenv("LOGINSHELL_BIN")
		if bin == "" {
			b.Skip("LOGINSHELL_BIN does not name the built binary")
		}
		b.SetBytes(size)
		for i := range b.N {
			dir := filepath.Join(work, fmt.Sprint("data", i))
			if out, err := exec.Command(bin, "install", "--data", dir, zipPath).CombinedOutput(); err != nil {
				b.Fatalf("loginshell install: %v\n%s", err, out)
			}
			b.StopTimer()
			os.RemoveAll(dir)
			b.StartTimer()
		}
	})
	b.Run("loginshell=Install", func(b *testing.B) {
		f, err := os.Open(zipPath)
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		info, _ := f.Stat()
		b.SetBytes(size)
		b.ReportAllocs()
		for i := range b.N {
			dir := filepath.Join(work, fmt.Sprint("webapps", i))
			if _, err := Install(dir, f, info.Size(), Options{}); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			os.RemoveAll(dir)
			b.StartTimer()
		}
	})
}
