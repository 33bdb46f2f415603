// Package filelock serialises processes that share a data directory
// around one piece of work (an install into a webapps folder, a rewrite
// of a station's checkpoint file) with the operating system's lock on a
// lock file: flock on Unix, LockFileEx on Windows. The lock belongs to
// the open file and goes away with the process, so a crash never leaves
// it held. A lock file is never deleted: removing it while another process
// has it open would let a third create and lock a new file of the same
// name, and two would work at once.
package filelock

import (
	"fmt"
	"os"
	"time"

	"loginshell/internal/fault"
)

// ErrBusy is Wait's error when another holder kept the lock for all of
// the wait: a conflict, which its callers name.
var ErrBusy = fault.New(fault.Conflict, "another process is still at this work; try again when it has finished")

// Lock is a held lock.
type Lock struct{ f *os.File }

// TryLock takes the lock of the file at path (created if missing) if
// nobody holds it; ok is false, and the lock nil, when somebody does (in
// this process or another).
func TryLock(path string) (l *Lock, ok bool, err error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, false, fmt.Errorf("open the lock file: %w", err)
	}
	ok, err = tryLock(f)
	if err != nil || !ok {
		f.Close()
		if err != nil {
			return nil, false, fmt.Errorf("lock %s: %w", path, err)
		}
		return nil, false, nil
	}
	return &Lock{f: f}, true, nil
}

// Wait takes the lock of the file at path, trying again with growing
// pauses until wait has passed (neither flock nor LockFileEx can block
// with a timeout), then fails with ErrBusy. waiting, if not nil, is
// called once, the first time the lock is found held.
func Wait(path string, wait time.Duration, waiting func()) (*Lock, error) {
	deadline := time.Now().Add(wait)
	pause := 10 * time.Millisecond
	for {
		l, ok, err := TryLock(path)
		if err != nil || ok {
			return l, err
		}
		left := time.Until(deadline)
		if left <= 0 {
			return nil, ErrBusy
		}
		if waiting != nil {
			waiting()
			waiting = nil
		}
		time.Sleep(min(pause, left))
		pause = min(2*pause, 500*time.Millisecond)
	}
}

// Unlock releases the lock. Closing the file releases it too, so an
// unlock error is harmless and only closes.
func (l *Lock) Unlock() {
	unlock(l.f)
	l.f.Close()
}
