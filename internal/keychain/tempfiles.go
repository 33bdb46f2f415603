package keychain

import (
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// staleTempAge is how old an unfinished write must be before Open removes
// it. A vault or state file is written in well under a second; the margin
// keeps Open in one shell from deleting the temporary file a second shell
// on the same data folder is writing right now (that write would then fail
// at its rename, and the setup with it).
const staleTempAge = time.Minute

// removeStaleTemps deletes the temporary files atomicfile.Write leaves
// when the process dies between creating and renaming them:
// ".<stem>.vault.tmp-<n>" and ".<stem>.state.tmp-<n>", older than
// staleTempAge by now. A crash during offline setup otherwise leaves a
// sealed copy of a profile (never a password) in the folder for ever, one
// more per crash. Only regular files with exactly that shape of name go;
// a failure to remove one is logged, not fatal: it harms nothing but space.
func removeStaleTemps(dir string, now time.Time, log *slog.Logger) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		log.Warn("list the keychain for unfinished writes", "event", "cleanup", "err", err)
		return
	}
	for _, e := range entries {
		if !e.Type().IsRegular() || !isTempName(e.Name()) {
			continue
		}
		info, err := e.Info()
		if err != nil || now.Sub(info.ModTime()) < staleTempAge {
			continue
		}
		err = os.Remove(filepath.Join(dir, e.Name()))
		switch {
		case errors.Is(err, os.ErrNotExist):
		case err != nil:
			log.Warn("remove an unfinished keychain write", "event", "cleanup", "file", e.Name(), "err", err)
		default:
			log.Info("removed an unfinished keychain write", "event", "cleanup", "file", e.Name())
		}
	}
}

// isTempName reports whether name is one atomicfile.Write gives the
// temporary copy of a vault or state file: "." + fileStem + ".vault" or
// ".state" + ".tmp-" + decimal digits (os.CreateTemp's random part).
func isTempName(name string) bool {
	rest, ok := strings.CutPrefix(name, ".")
	if !ok {
		return false
	}
	stem, rest, ok := strings.Cut(rest, ".")
	if !ok || stem == "" || strings.Trim(stem, "0123456789abcdef") != "" {
		return false
	}
	for _, kind := range []string{"vault", "state"} {
		if n, ok := strings.CutPrefix(rest, kind+".tmp-"); ok && n != "" && strings.Trim(n, "0123456789") == "" {
			return true
		}
	}
	return false
}
