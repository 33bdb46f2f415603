package pkginstall

import (
	"os"

	"golang.org/x/sys/unix"
)

// startWriteback asks the kernel to start writing f's data to disk now,
// without waiting for it: the disk writes one file while the next is
// decompressed, and the fsync of each file at the end (syncTree) finds
// little left to wait for. An error only means the writing starts later.
func startWriteback(f *os.File) {
	_ = unix.SyncFileRange(int(f.Fd()), 0, 0, unix.SYNC_FILE_RANGE_WRITE)
}
