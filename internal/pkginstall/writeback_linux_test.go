package pkginstall

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// TestSyncTreeSyncsEveryFile: extraction leaves the files' fsync to
// syncTree (startWriteback only starts the writing), so syncTree must open
// every file to sync it, not only the directories, or a crash after the
// switch could leave the new version's files empty. A file it cannot open
// for writing (immutable for root, read-only for anyone else) shows that
// it tries.
func TestSyncTreeSyncsEveryFile(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"webapp.json": "{}", "js/": "", "js/app.js": "abc"})
	locked := filepath.Join(dir, "js", "app.js")
	if err := forbidWriting(locked); err != nil {
		t.Skipf("cannot make a file unwritable here: %v", err)
	}
	t.Cleanup(func() { allowWriting(locked) })
	err := syncTree(dir, map[string]int64{"webapp.json": 2, "js": -1, "js/app.js": 3})
	if err == nil || !strings.Contains(err.Error(), "app.js") {
		t.Errorf("syncTree = %v, want the error of opening js/app.js to sync it", err)
	}
}

// forbidWriting makes path unwritable even to root (the immutable flag)
// or, for anyone else, read-only.
func forbidWriting(path string) error {
	if os.Geteuid() != 0 {
		return os.Chmod(path, 0o444)
	}
	return setImmutable(path, true)
}

func allowWriting(path string) {
	if os.Geteuid() == 0 {
		_ = setImmutable(path, false)
	}
	_ = os.Chmod(path, 0o644)
}

// fsImmutable is FS_IMMUTABLE_FL of linux/fs.h (chattr +i), which
// x/sys/unix does not name.
const fsImmutable = 0x10

func setImmutable(path string, on bool) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	flags, err := unix.IoctlGetInt(int(f.Fd()), unix.FS_IOC_GETFLAGS)
	if err != nil {
		return err
	}
	if on {
		flags |= fsImmutable
	} else {
		flags &^= fsImmutable
	}
	if err := unix.IoctlSetPointerInt(int(f.Fd()), unix.FS_IOC_SETFLAGS, flags); err != nil {
		return err
	}
	if on { // the flag is honoured: writing is refused
		g, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err == nil {
			g.Close()
			return errors.New("the immutable flag is not honoured")
		}
		if !errors.Is(err, syscall.EPERM) {
			return err
		}
	}
	return nil
}
