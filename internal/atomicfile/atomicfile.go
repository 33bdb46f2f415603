// Package atomicfile writes files so that a crash or kill -9 at any moment
// leaves either the old content or the new one, never a torn mix: the data
// goes to a temporary file in the same directory, is fsynced, renamed over
// the target, and the directory is fsynced so the rename itself survives.
package atomicfile

import (
	"fmt"
	"os"
	"path/filepath"

	"loginshell/internal/fault"
)

// ErrDiskFull: the disk has no room for the new content; the old file is
// as it was.
var ErrDiskFull = fault.New(fault.Unavailable, "the disk is full: nothing was changed; free some space on it and try again")

// Write replaces path with data, creating parent directories as needed.
// perm applies to a new file; the temporary file never outlives a failure.
// A disk without room for data is ErrDiskFull, naming the directory.
func Write(path string, data []byte, perm os.FileMode) error {
	_, err := WriteInfo(path, data, perm)
	return err
}

// WriteInfo is Write, and returns what os.Stat said of the new file
// before it replaced path: a caller that keeps what it wrote can tell,
// by os.SameFile, size and modification time, whether path is still its
// file, even when another process replaced it at once.
func WriteInfo(path string, data []byte, perm os.FileMode) (os.FileInfo, error) {
	fi, err := write(path, data, perm)
	if err != nil && diskFull(err) {
		return nil, fault.Explain(ErrDiskFull, "the disk holding %s is full: nothing was changed; free some space on it and try again", filepath.Dir(path))
	}
	return fi, err
}

func write(path string, data []byte, perm os.FileMode) (os.FileInfo, error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create directory: %w", err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("create temporary file: %w", err)
	}
	name := tmp.Name()
	committed := false
	defer func() {
		if !committed {
			tmp.Close()
			os.Remove(name)
		}
	}()
	if err := tmp.Chmod(perm); err != nil {
		return nil, fmt.Errorf("set permissions: %w", err)
	}
	if _, err := tmp.Write(data); err != nil {
		return nil, fmt.Errorf("write temporary file: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		return nil, fmt.Errorf("sync temporary file: %w", err)
	}
	fi, err := tmp.Stat()
	if err != nil {
		return nil, fmt.Errorf("stat temporary file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return nil, fmt.Errorf("close temporary file: %w", err)
	}
	if err := os.Rename(name, path); err != nil {
		return nil, fmt.Errorf("replace %s: %w", filepath.Base(path), err)
	}
	committed = true
	return fi, syncDir(dir)
}
