package exepages

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"strconv"
	"syscall"
)

// Release drops the executable's clean read-only pages from this
// process's page tables (madvise MADV_DONTNEED) and returns the size of
// the mappings it covered.
func Release() (int64, error) {
	var st syscall.Stat_t
	if err := syscall.Stat("/proc/self/exe", &st); err != nil {
		return 0, fmt.Errorf("exepages: %w", err)
	}
	return releaseFile(uint64(st.Dev), uint64(st.Ino)) // uint32 on some Linux ports
}

// releaseFile is Release for any file mapped in this process (tests map
// one of their own).
func releaseFile(dev, ino uint64) (int64, error) {
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		return 0, fmt.Errorf("exepages: %w", err)
	}
	spans, err := releasable(f, dev, ino)
	f.Close()
	if err != nil {
		return 0, err
	}
	var n int64
	for _, s := range spans {
		if _, _, e := syscall.Syscall(syscall.SYS_MADVISE, uintptr(s.lo), uintptr(s.hi-s.lo), syscall.MADV_DONTNEED); e != 0 {
			return n, fmt.Errorf("exepages: madvise %#x-%#x: %w", s.lo, s.hi, e)
		}
		n += int64(s.hi - s.lo)
	}
	return n, nil
}

// span is a mapping's address range.
type span struct{ lo, hi uint64 }

// releasable reads smaps and returns the mappings of the file dev:ino
// that may be dropped: not writable, no anonymous (copied) page, in
// memory or in swap. A window process's smaps runs to tens of thousands
// of lines; they are read in place (bytes, no string per line), so the
// release does not leave megabytes of garbage in the heap it is there to
// keep small.
func releasable(smaps io.Reader, dev, ino uint64) ([]span, error) {
	devField := []byte(devString(dev))
	inoField := strconv.AppendUint(nil, ino, 10)
	var out []span
	take := false // the mapping being read so far qualifies
	var cur span
	flush := func() {
		if take {
			out = append(out, cur)
		}
		take = false
	}
	sc := bufio.NewScanner(smaps)
	for sc.Scan() {
		line := sc.Bytes()
		first, rest := field(line)
		if lo, hi, ok := bytes.Cut(first, []byte("-")); ok && !bytes.HasSuffix(first, []byte(":")) {
			// address perms offset dev inode [path]
			flush()
			perms, rest := field(rest)
			_, rest = field(rest)
			d, rest := field(rest)
			i, _ := field(rest)
			l, err1 := strconv.ParseUint(string(lo), 16, 64)
			h, err2 := strconv.ParseUint(string(hi), 16, 64)
			if err1 != nil || err2 != nil || len(perms) < 2 || len(i) == 0 {
				return nil, fmt.Errorf("exepages: a mapping line smaps does not write: %q", line)
			}
			cur = span{l, h}
			take = perms[1] != 'w' && bytes.Equal(d, devField) && bytes.Equal(i, inoField)
			continue
		}
		if take && (bytes.Equal(first, []byte("Anonymous:")) || bytes.Equal(first, []byte("Swap:"))) {
			if n, _ := field(rest); !bytes.Equal(n, []byte("0")) {
				take = false
			}
		}
	}
	flush()
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("exepages: reading smaps: %w", err)
	}
	return out, nil
}

// field splits off b's first space-separated field.
func field(b []byte) (first, rest []byte) {
	b = bytes.TrimLeft(b, " \t")
	if i := bytes.IndexAny(b, " \t"); i >= 0 {
		return b[:i], b[i:]
	}
	return b, nil
}

// devString is dev as /proc's maps write it: major:minor in hex, two
// digits at least (the kernel's new_encode_dev, undone).
func devString(dev uint64) string {
	major := (dev>>8)&0xfff | (dev>>32)&^0xfff
	minor := dev&0xff | (dev>>12)&^0xff
	return fmt.Sprintf("%02x:%02x", major, minor)
}
