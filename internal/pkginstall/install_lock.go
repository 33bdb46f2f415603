package pkginstall

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"loginshell/internal/fault"
)

// ErrInstallBusy means another install into the same webapps folder, in
// this process or another (the window and `loginshell install`, two CLI
// runs), held the folder for longer than Options.LockWait. Nothing
// was written; the other install goes on. Install refines it with the
// folder and the time waited.
var ErrInstallBusy = fault.New(fault.Conflict, "another install into this folder is still running; try again when it has finished")

// DefaultLockWait is how long Install and InstallDir wait for another
// install into the same folder when Options.LockWait is zero: far
// longer than installing the largest package the limits allow takes on a
// slow laptop disk, so a wait only runs out when the other install hangs.
const DefaultLockWait = 2 * time.Minute

// lockFileName is the file in the webapps folder whose OS lock (flock,
// LockFileEx) serialises installs and recovery across processes. It is
// never deleted: removing it while another process has it open would let a
// third create and lock a new file of the same name, and two installs
// would run at once. The catalog skips it (a dot name) and RecoverInstalls
// leaves it alone.
const lockFileName = ".install.lock"

// installLock is a held install lock of one webapps folder.
type installLock struct{ f *os.File }

func openLockFile(dir string) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(dir, lockFileName), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open the install lock: %w", err)
	}
	return f, nil
}

// tryLockInstalls takes dir's install lock if nobody holds it; ok is false
// (and the lock nil) when another install holds it.
func tryLockInstalls(dir string) (l *installLock, ok bool, err error) {
	f, err := openLockFile(dir)
	if err != nil {
		return nil, false, err
	}
	ok, err = tryLockFile(f)
	if err != nil || !ok {
		f.Close()
		if err != nil {
			return nil, false, fmt.Errorf("lock %s: %w", f.Name(), err)
		}
		return nil, false, nil
	}
	return &installLock{f: f}, true, nil
}

// lockInstalls takes dir's install lock, waiting up to wait for another
// install to release it, and fails with ErrInstallBusy after that.
//
// It waits rather than refusing at once because the two installs do not
// know of each other: a person installing from the window while a script
// runs `loginshell install`, or a CI job starting two installs, wants both
// to succeed one after the other, as they would have run in sequence. The
// bound turns a hung install in another process into a clear refusal
// instead of a hang. The lock is polled (a non-blocking try with growing
// pauses) because neither flock nor LockFileEx can block with a timeout.
func lockInstalls(dir string, wait time.Duration, log *slog.Logger) (*installLock, error) {
	deadline := time.Now().Add(wait)
	pause := 10 * time.Millisecond
	for logged := false; ; {
		l, ok, err := tryLockInstalls(dir)
		if err != nil || ok {
			return l, err
		}
		left := time.Until(deadline)
		if left <= 0 {
			return nil, fault.Explain(ErrInstallBusy, "another install into %s is still running after %s of waiting; try again when it has finished", dir, wait.Round(time.Second))
		}
		if !logged {
			log.Info("waiting for another install into the same folder", "dir", dir, "max_wait", wait)
			logged = true
		}
		time.Sleep(min(pause, left))
		pause = min(2*pause, 500*time.Millisecond)
	}
}

// unlock releases the lock. Closing the file releases it too; an unlock
// error is therefore harmless and only closes.
func (l *installLock) unlock() {
	unlockFile(l.f)
	l.f.Close()
}
