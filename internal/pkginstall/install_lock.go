package pkginstall

import (
	"errors"
	"log/slog"
	"path/filepath"
	"time"

	"loginshell/internal/fault"
	"loginshell/internal/filelock"
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

// lockFileName is the file in the webapps folder whose OS lock
// (filelock) serialises installs and recovery across processes. It is
// never deleted (filelock says why). The catalog skips it (a dot name) and
// RecoverInstalls leaves it alone.
const lockFileName = ".install.lock"

// installLock is a held install lock of one webapps folder.
type installLock struct{ l *filelock.Lock }

// tryLockInstalls takes dir's install lock if nobody holds it; ok is false
// (and the lock nil) when another install holds it.
func tryLockInstalls(dir string) (*installLock, bool, error) {
	l, ok, err := filelock.TryLock(filepath.Join(dir, lockFileName))
	if err != nil || !ok {
		return nil, false, err
	}
	return &installLock{l: l}, true, nil
}

// lockInstalls takes dir's install lock, waiting up to wait for another
// install to release it, and fails with ErrInstallBusy after that.
//
// It waits rather than refusing at once because the two installs do not
// know of each other: a person installing from the window while a script
// runs `loginshell install`, or a CI job starting two installs, wants both
// to succeed one after the other, as they would have run in sequence. The
// bound turns a hung install in another process into a clear refusal
// instead of a hang.
func lockInstalls(dir string, wait time.Duration, log *slog.Logger) (*installLock, error) {
	l, err := filelock.Wait(filepath.Join(dir, lockFileName), wait, func() {
		log.Info("waiting for another install into the same folder", "dir", dir, "max_wait", wait)
	})
	if errors.Is(err, filelock.ErrBusy) {
		return nil, fault.Explain(ErrInstallBusy, "another install into %s is still running after %s of waiting; try again when it has finished", dir, wait.Round(time.Second))
	}
	if err != nil {
		return nil, err
	}
	return &installLock{l: l}, nil
}

// unlock releases the lock.
func (l *installLock) unlock() { l.l.Unlock() }
