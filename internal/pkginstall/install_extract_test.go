package pkginstall

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"testing/iotest"
	"time"
)

// These tests pin what extracting with several workers must keep from
// extracting one entry after another: the problem named (the first in the
// package's order, whichever worker met its problem first), the limits
// over all the workers together, and the progress. Run them many times:
// go test -race -count=50 -run 'Workers|FirstBad|Progress' ./internal/pkginstall/

// memEntry is a file entry holding data (then failing with readErr, if
// set) whose header declares only 1 KiB: the limits must count what is
// read. Stored sizes are unknown (as in a folder), so only MaxTotalBytes
// applies. Each read takes a while, as decompressing does, so two
// workers read their entries at the same time rather than one after the
// other.
func memEntry(name string, data []byte, readErr error) entry {
	return entry{name: name, mode: 0o644, compressed: -1, declared: 1 << 10, open: func() (io.ReadCloser, error) {
		var r io.Reader = bytes.NewReader(data)
		if readErr != nil {
			r = io.MultiReader(r, iotest.ErrReader(readErr))
		}
		return io.NopCloser(slowReader{r}), nil
	}}
}

type slowReader struct{ r io.Reader }

func (s slowReader) Read(p []byte) (int, error) {
	time.Sleep(200 * time.Microsecond)
	return s.r.Read(p)
}

// noise is n bytes that do not compress, the same for the same seed.
func noise(n int, seed uint64) []byte {
	rng := rand.New(rand.NewPCG(seed, seed))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return b
}

// written counts the bytes emit wrote, across all workers.
type written struct{ n atomic.Int64 }

func (w *written) Write(p []byte) (int, error) {
	w.n.Add(int64(len(p)))
	return len(p), nil
}

func TestWorkersNameTheFirstProblemAndShareTheLimits(t *testing.T) {
	t.Parallel()
	const limit = 8 << 20
	five, ten := noise(5<<20, 1), noise(10<<20, 2)
	broken := errors.New("unexpected EOF")
	tests := []struct {
		name      string
		files     []entry
		wantRule  string
		wantEntry string
	}{
		// The second crosses the limit, though two workers read both at once.
		{name: "the limit crossed by two workers at once", files: []entry{
			memEntry("a.bin", five, nil), memEntry("b.bin", five, nil), memEntry("c.bin", five, nil),
		}, wantRule: RuleTooLarge, wantEntry: "b.bin"},
		{name: "the limit crossed by the first entry alone", files: []entry{
			memEntry("a.bin", ten, nil), memEntry("b.bin", five[:1<<20], nil),
		}, wantRule: RuleTooLarge, wantEntry: "a.bin"},
		{name: "a large entry past the limit, then a small broken one", files: []entry{
			memEntry("a.bin", ten, nil), memEntry("b.bin", []byte("x"), broken),
		}, wantRule: RuleTooLarge, wantEntry: "a.bin"},
		{name: "a large broken entry, then the limit crossed", files: []entry{
			memEntry("a.bin", five[:3<<20], broken), memEntry("b.bin", ten[:7<<20], nil),
		}, wantRule: RuleCorrupt, wantEntry: "a.bin"},
		{name: "an entry broken past the limit is too large first", files: []entry{
			memEntry("a.bin", ten[:9<<20], broken), memEntry("b.bin", []byte("x"), broken),
		}, wantRule: RuleTooLarge, wantEntry: "a.bin"},
		{name: "the limit crossed after the package's files", files: []entry{
			memEntry("a.bin", five, nil), memEntry("b.bin", five[:2<<20], nil), memEntry("c.bin", five[:2<<20], nil),
		}, wantRule: RuleTooLarge, wantEntry: "c.bin"},
	}
	workers := max(runtime.GOMAXPROCS(0), 2)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			man := []byte(`{"name":"app","version":"1.0","main":"index.html"}`)
			entries := append([]entry{memEntry("webapp.json", man, nil), memEntry("index.html", []byte("<p>"), nil)}, tt.files...)
			var out written
			_, _, problems, err := walk(entries, Options{MaxTotalBytes: limit}.withDefaults(), Archive, false, func(_ string, dir bool, r io.Reader, buf []byte) error {
				if dir {
					return nil
				}
				_, err := copyAhead(&out, r, buf)
				return err
			})
			if err != nil || len(problems) != 1 {
				t.Fatalf("walk = %v, %v; want one problem", problems, err)
			}
			if p := problems[0]; p.Rule != tt.wantRule || p.Entry != tt.wantEntry {
				t.Errorf("refused for %q at %q (%v), want %q at %q", p.Rule, p.Entry, p, tt.wantRule, tt.wantEntry)
			}
			// Each worker may write the one read that crossed the limit.
			if bound := int64(limit + workers*extractBuffer/2); out.n.Load() > bound {
				t.Errorf("the workers wrote %d bytes, more than the limit and a read each (%d)", out.n.Load(), bound)
			}
		})
	}
}

// text is n bytes like source code: it compresses a few times over.
func text(n int, seed uint64) []byte {
	rng := rand.New(rand.NewPCG(seed, seed))
	words := strings.Fields("function return var let const if else for while this value index offset name page user token")
	var b bytes.Buffer
	for b.Len() < n {
		b.WriteString(words[rng.IntN(len(words))])
		b.WriteByte(" \n;(){}."[rng.IntN(8)])
	}
	return b.Bytes()[:n]
}

func TestInstallNamesTheFirstBadEntry(t *testing.T) {
	t.Parallel()
	// Deflated once: compressing is most of building these packages.
	type body struct {
		data, deflated []byte
	}
	squeeze := func(data []byte) body { return body{data, deflate(t, data)} }
	big, zeros, small := squeeze(text(1<<20, 1)), squeeze(make([]byte, 4<<20)), squeeze([]byte("x"))
	good := func(name string, b body) zfile {
		return rawEntry(name, zip.Deflate, b.deflated, crc32.ChecksumIEEE(b.data), uint64(len(b.data)))
	}
	// Its content is found wrong only once it is all decompressed.
	badChecksum := func(name string, b body) zfile {
		return rawEntry(name, zip.Deflate, b.deflated, crc32.ChecksumIEEE(b.data)+1, uint64(len(b.data)))
	}
	tests := []struct {
		name      string
		files     []zfile
		wantRule  string
		wantEntry string
	}{
		// The small entry fails at once, the large one only at its end.
		{name: "a large entry with a bad checksum before a small one", files: []zfile{
			badChecksum("a.js", big), badChecksum("b.js", small),
		}, wantRule: RuleCorrupt, wantEntry: "a.js"},
		// zeros is a bomb: 4 MiB from a few KiB.
		{name: "a bomb in the second of two large entries", files: []zfile{
			good("a.js", big), good("b.bin", zeros), badChecksum("c.js", small),
		}, wantRule: RuleCompression, wantEntry: "b.bin"},
		{name: "a large entry with a bad checksum before a bomb", files: []zfile{
			badChecksum("a.js", big), good("b.bin", zeros),
		}, wantRule: RuleCorrupt, wantEntry: "a.js"},
		{name: "a bomb before a large entry with a bad checksum", files: []zfile{
			good("a.bin", zeros), badChecksum("b.js", big),
		}, wantRule: RuleCompression, wantEntry: "a.bin"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			_, err := installZip(dir, buildZip(t, append(appFiles("1.0", "x"), tt.files...)...), Options{})
			var perr *PackageError
			if !errors.As(err, &perr) || perr.Rule != tt.wantRule || perr.Entry != tt.wantEntry {
				t.Fatalf("Install error = %v, want %q at %q", err, tt.wantRule, tt.wantEntry)
			}
			if got := tree(t, dir); len(got) != 0 {
				t.Errorf("a refused install left %v", keys(got))
			}
		})
	}
}

func TestInstallReportsProgressFromItsGoroutine(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	zipPath := filepath.Join(work, "mixed.zip")
	writeMixedZip(t, zipPath, 2<<20)
	data, err := os.ReadFile(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	caller := goroutineID()
	var calls [][2]int64
	var elsewhere bool
	_, err = installZip(filepath.Join(work, "webapps"), data, Options{Progress: func(done, total int64) {
		elsewhere = elsewhere || goroutineID() != caller
		calls = append(calls, [2]int64{done, total})
	}})
	if err != nil {
		t.Fatal(err)
	}
	if elsewhere {
		t.Error("Progress was called from another goroutine than Install's")
	}
	if len(calls) < 10 {
		t.Fatalf("%d progress reports for 2 MB, want one every 1%%: %v", len(calls), calls)
	}
	last := calls[len(calls)-1]
	if last[0] != last[1] {
		t.Errorf("last report %v, want done == total", last)
	}
	for i, c := range calls[1 : len(calls)-1] { // the last one may repeat the one before
		prev := calls[i]
		if step := max(min(prev[1]/100, 1<<20), 1); c[0] < prev[0]+step {
			t.Errorf("report %d: %v after %v, less than 1%% or 1 MiB later", i+1, c, prev)
		}
	}
}

// TestAPanickingProgressStopsTheWorkers: a Progress that panics ends the
// install with its panic only once the extracting goroutines have
// stopped, so none writes into the extraction directory Install's
// deferred calls remove, nor after it let go of the install lock.
func TestAPanickingProgressStopsTheWorkers(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	zipPath := filepath.Join(work, "mixed.zip")
	writeMixedZip(t, zipPath, 8<<20)
	data, err := os.ReadFile(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(work, "webapps")
	func() {
		defer func() {
			if r := recover(); r != "progress failed" {
				t.Errorf("Install's panic %v, want Progress's", r)
			}
		}()
		installZip(dir, data, Options{Progress: func(done, total int64) { panic("progress failed") }})
	}()
	stacks := make([]byte, 1<<20)
	if all := string(stacks[:runtime.Stack(stacks, true)]); strings.Contains(all, "pkginstall.(*pool).work") {
		t.Errorf("an extracting goroutine still runs after Install panicked:\n%s", all)
	}
	if got := tree(t, dir); len(got) != 0 {
		t.Errorf("the panicked install left %v", keys(got))
	}
}

// goroutineID is the number of the calling goroutine, from its stack.
func goroutineID() string {
	var b [64]byte
	s := string(b[:runtime.Stack(b[:], false)])
	id, _, _ := strings.Cut(strings.TrimPrefix(s, "goroutine "), " ")
	return fmt.Sprint(id)
}
