package atomicfile

import (
	"errors"
	"syscall"
)

// syncDir is a no-op on Windows: directories cannot be opened for syncing
// there, and NTFS journals the rename (MoveFileEx) itself.
func syncDir(string) error { return nil }

// diskFull says whether err is the file system's "no space left":
// ERROR_HANDLE_DISK_FULL or ERROR_DISK_FULL.
func diskFull(err error) bool {
	return errors.Is(err, syscall.Errno(39)) || errors.Is(err, syscall.Errno(112))
}
