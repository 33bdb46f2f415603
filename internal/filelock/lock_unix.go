//go:build unix

package filelock

import (
	"errors"
	"os"
	"syscall"
)

// tryLock takes an exclusive flock on f without blocking and reports
// false when another open file (in this process or another) holds it.
// flock, not fcntl: fcntl locks belong to the process, so two holders in
// one process (the window and a test, two goroutines) would not exclude
// each other, and closing any descriptor of the file would drop the lock.
// flock locks belong to the open file and go away when the process dies,
// so a crashed holder never leaves the file locked.
func tryLock(f *os.File) (bool, error) {
	return control(f, func(fd uintptr) (bool, error) {
		for {
			err := syscall.Flock(int(fd), syscall.LOCK_EX|syscall.LOCK_NB)
			switch {
			case err == nil:
				return true, nil
			case errors.Is(err, syscall.EINTR):
				continue
			case errors.Is(err, syscall.EWOULDBLOCK), errors.Is(err, syscall.EAGAIN):
				return false, nil
			}
			return false, err
		}
	})
}

// unlock drops the lock tryLock took. Closing f would too; the
// explicit unlock keeps the order obvious: unlock, then close.
func unlock(f *os.File) error {
	_, err := control(f, func(fd uintptr) (bool, error) {
		return true, syscall.Flock(int(fd), syscall.LOCK_UN)
	})
	return err
}

// control runs op on f's descriptor without f.Fd, which would switch the
// file to blocking mode for the rest of its life.
func control(f *os.File, op func(fd uintptr) (bool, error)) (bool, error) {
	rc, err := f.SyscallConn()
	if err != nil {
		return false, err
	}
	var ok bool
	var opErr error
	if err := rc.Control(func(fd uintptr) { ok, opErr = op(fd) }); err != nil {
		return false, err
	}
	return ok, opErr
}
