package exepages

import (
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"unsafe"
)

func TestReleasable(t *testing.T) {
	// The shape of a cgo binary's mappings (/proc/self/smaps, trimmed):
	// code, read-only data, the RELRO page the loader relocated, data.
	const exe = `00400000-00a00000 r-xp 00000000 fd:01 1234   /opt/loginshell/loginshell
Size:               6144 kB
Rss:                5000 kB
Anonymous:             0 kB
Swap:                  0 kB
VmFlags: rd ex mr mw me dw sd
00a00000-01200000 r--p 00600000 fd:01 1234   /opt/loginshell/loginshell
Anonymous:             0 kB
Swap:                  0 kB
01200000-01201000 r--p 00e00000 fd:01 1234   /opt/loginshell/loginshell
Anonymous:             4 kB
Swap:                  0 kB
01201000-01202000 r--p 00e01000 fd:01 1234   /opt/loginshell/loginshell
Anonymous:             0 kB
Swap:                  4 kB
01202000-01300000 rw-p 00e02000 fd:01 1234   /opt/loginshell/loginshell
Anonymous:            12 kB
Swap:                  0 kB
7f0000000000-7f0000100000 r-xp 00000000 fd:01 99     /usr/lib/x86_64-linux-gnu/libc.so.6
Anonymous:             0 kB
7f0000200000-7f0000300000 r-xp 00000000 08:02 1234   /mnt/other/file with  spaces
Anonymous:             0 kB
7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0      [stack]
Anonymous:           132 kB
`
	dev := uint64(0xfd)<<8 | 0x01
	tests := []struct {
		name     string
		dev, ino uint64
		want     []span
	}{
		{"the executable's clean read-only mappings", dev, 1234, []span{{0x400000, 0xa00000}, {0xa00000, 0x1200000}}},
		{"another file, same inode, other device", uint64(0x08)<<8 | 0x02, 1234, []span{{0x7f0000200000, 0x7f0000300000}}},
		{"a file not mapped", dev, 5, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := releasable(strings.NewReader(exe), tt.dev, tt.ino)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("releasable = %x, want %x", got, tt.want)
			}
		})
	}
	if _, err := releasable(strings.NewReader("zz-00400000 r-xp 00000000 fd:01 1234 /x\n"), dev, 1234); err == nil {
		t.Error("a mapping line with a bad address: no error")
	}
}

func TestDevString(t *testing.T) {
	for _, tt := range []struct {
		dev  uint64
		want string
	}{
		{0xfd01, "fd:01"},
		{0x0802, "08:02"},
		{0, "00:00"},
		// major 259 (NVMe partitions), minor 300: both beyond a byte
		{uint64(259&0xfff)<<8 | uint64(300&0xff) | uint64(300&^0xff)<<12, "103:12c"},
	} {
		if got := devString(tt.dev); got != tt.want {
			t.Errorf("devString(%#x) = %q, want %q", tt.dev, got, tt.want)
		}
	}
}

// TestReleaseKeepsWhatTheFileDoesNot maps one file twice, as a cgo
// binary is mapped: read-only and clean, and read-only after a write
// (the loader's RELRO). Release drops the first's pages and keeps the
// written one, whose bytes are not the file's.
func TestReleaseKeepsWhatTheFileDoesNot(t *testing.T) {
	page := os.Getpagesize()
	path := filepath.Join(t.TempDir(), "exe")
	content := make([]byte, 16*page)
	for i := range content {
		content[i] = byte(i % 251)
	}
	if err := os.WriteFile(path, content, 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	clean, err := syscall.Mmap(int(f.Fd()), 0, len(content), syscall.PROT_READ, syscall.MAP_PRIVATE)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Munmap(clean)
	relro, err := syscall.Mmap(int(f.Fd()), 0, len(content), syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Munmap(relro)
	relro[0] = 0xEE // the loader's relocation
	if err := syscall.Mprotect(relro, syscall.PROT_READ); err != nil {
		t.Fatal(err)
	}
	var sum int
	for i := 0; i < len(clean); i += page {
		sum += int(clean[i])
	}
	runtime.KeepAlive(sum)
	if n := present(t, clean); n != 16 {
		t.Fatalf("%d of the clean mapping's 16 pages present after reading each, want 16", n)
	}

	var st syscall.Stat_t
	if err := syscall.Stat(path, &st); err != nil {
		t.Fatal(err)
	}
	n, err := releaseFile(uint64(st.Dev), uint64(st.Ino))
	if err != nil {
		t.Fatal(err)
	}
	if n != int64(len(content)) {
		t.Errorf("released %d bytes, want the clean mapping's %d", n, len(content))
	}
	if got := present(t, clean); got != 0 {
		t.Errorf("%d of the clean mapping's pages still present, want 0", got)
	}
	if relro[0] != 0xEE {
		t.Errorf("the written read-only page holds %#x, want the written 0xee: its private copy was dropped", relro[0])
	}
	if !slices.Equal(clean, content) {
		t.Error("the clean mapping reads other bytes than the file's after the release")
	}
}

// TestReleaseOfTheRunningBinary: the test binary (a cgo one when the
// race detector is on) releases its pages and runs on.
func TestReleaseOfTheRunningBinary(t *testing.T) {
	n, err := Release()
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("released nothing of the running binary")
	}
	runtime.GC()
	if got := strings.Repeat("ok", 2); got != "okok" {
		t.Fatalf("after the release: %q", got)
	}
}

// present counts b's pages present in this process's page tables.
func present(t *testing.T, b []byte) int {
	t.Helper()
	f, err := os.Open("/proc/self/pagemap")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	page := uintptr(os.Getpagesize())
	lo := uintptr(unsafe.Pointer(&b[0]))
	entries := make([]byte, uintptr(len(b))/page*8)
	if _, err := f.ReadAt(entries, int64(lo/page*8)); err != nil {
		t.Fatal(err)
	}
	n := 0
	for i := 0; i < len(entries); i += 8 {
		if binary.LittleEndian.Uint64(entries[i:])>>63 == 1 {
			n++
		}
	}
	return n
}

// TestReleasableAllocatesPerMatchNotPerLine: a window's smaps has tens
// of thousands of lines, and a string per line left megabytes in the Go
// heap at idle (measured: 2.1 → 4.4 MB) that the release was there to
// keep small.
func TestReleasableAllocatesPerMatchNotPerLine(t *testing.T) {
	var b strings.Builder
	for i := range 5000 {
		fmt.Fprintf(&b, "%x-%x r-xp 00000000 08:02 %d   /usr/lib/lib%d.so\nSize: 4 kB\nRss: 4 kB\nPss: 4 kB\nAnonymous: 0 kB\nSwap: 0 kB\nVmFlags: rd ex mr mw me\n",
			0x10000+i*0x1000, 0x11000+i*0x1000, i, i)
	}
	smaps := b.String()
	allocs := testing.AllocsPerRun(5, func() {
		if _, err := releasable(strings.NewReader(smaps), 0x802, 7); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > 100 {
		t.Errorf("%.0f allocations to read 35,000 lines, want a few (the scanner's buffer, the result)", allocs)
	}
}
