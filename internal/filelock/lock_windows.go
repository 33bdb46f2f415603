package filelock

import (
	"errors"
	"os"

	"golang.org/x/sys/windows"
)

// tryLock takes an exclusive LockFileEx lock on the first byte of f
// without blocking and reports false when another handle (in this process
// or another) holds it. Windows drops the lock when the process ends, so a
// crashed holder never leaves the file locked. The lock is mandatory on
// Windows, which is harmless: nobody reads or writes the lock file.
func tryLock(f *os.File) (bool, error) {
	return control(f, func(h windows.Handle) (bool, error) {
		var ol windows.Overlapped
		err := windows.LockFileEx(h, windows.LOCKFILE_EXCLUSIVE_LOCK|windows.LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0, &ol)
		switch {
		case err == nil:
			return true, nil
		case errors.Is(err, windows.ERROR_LOCK_VIOLATION), errors.Is(err, windows.ERROR_IO_PENDING):
			return false, nil
		}
		return false, err
	})
}

// unlock drops the lock tryLock took.
func unlock(f *os.File) error {
	_, err := control(f, func(h windows.Handle) (bool, error) {
		var ol windows.Overlapped
		return true, windows.UnlockFileEx(h, 0, 1, 0, &ol)
	})
	return err
}

func control(f *os.File, op func(h windows.Handle) (bool, error)) (bool, error) {
	rc, err := f.SyscallConn()
	if err != nil {
		return false, err
	}
	var ok bool
	var opErr error
	if err := rc.Control(func(fd uintptr) { ok, opErr = op(windows.Handle(fd)) }); err != nil {
		return false, err
	}
	return ok, opErr
}
