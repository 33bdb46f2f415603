package station

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"loginshell/internal/atomicfile"
	"loginshell/internal/audit"
)

// pinsFile is known-keys.json.
type pinsFile struct {
	Stations map[string][]string `json:"stations"`
}

// ReadPins returns the fingerprints this station (data directory dir)
// has seen for each station; an empty map, not nil, when it has seen
// none, so that every key it is shown is new (audit.Expect.Pins).
func ReadPins(dir string) (map[string][]string, error) {
	var f pinsFile
	if err := readJSON(filepath.Join(dir, PinsFile), &f); err != nil {
		return nil, err
	}
	if f.Stations == nil {
		f.Stations = map[string][]string{}
	}
	return f.Stations, nil
}

// Pin adds the fingerprints of keys to known-keys.json, for stations not
// pinned yet only: trust on first use. A station already pinned keeps
// what it had (a new key of it is for a person to check, then Trust).
func Pin(dir string, keys []audit.StationKey) error {
	return updatePins(dir, func(m map[string][]string) bool {
		changed := false
		added := map[string]bool{}
		for _, k := range keys {
			fp := audit.Fingerprint(k.Key)
			if _, seen := m[k.Station]; seen && !added[k.Station] {
				continue
			}
			if !slices.Contains(m[k.Station], fp) {
				m[k.Station] = append(m[k.Station], fp)
				added[k.Station], changed = true, true
			}
		}
		return changed
	})
}

// Trust pins fingerprint for station, as a person does after comparing
// it with the station's validation record (a station set up again with a
// new key). The fingerprint is read as audit.NormalFingerprint reads it.
func Trust(dir, station, fingerprint string) error {
	fp, err := audit.NormalFingerprint(fingerprint)
	if err != nil {
		return err
	}
	if station == "" {
		return errors.New("name the station")
	}
	return updatePins(dir, func(m map[string][]string) bool {
		if slices.Contains(m[station], fp) {
			return false
		}
		m[station] = append(m[station], fp)
		return true
	})
}

// updatePins reads known-keys.json, lets change edit it and writes it
// back when change says it changed. change is asked first without the
// station's files' lock: when nothing changes nothing is locked or
// written (a verify reads a data directory it may not write to); else it
// is asked again under the lock, over the file read again, and the write
// is made before the lock is let go (a pin and a trust at the same
// moment both stay).
func updatePins(dir string, change func(map[string][]string) bool) error {
	if m, err := ReadPins(dir); err != nil || !change(m) {
		return err
	}
	lock, err := lockFiles(dir, PinsFile)
	if err != nil {
		return err
	}
	defer lock.Unlock()
	m, err := ReadPins(dir)
	if err != nil || !change(m) {
		return err
	}
	return writeJSON(filepath.Join(dir, PinsFile), pinsFile{Stations: m})
}

// readJSON reads the JSON file at path into v; a missing file leaves v
// as it is.
func readJSON(path string, v any) error {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// writeJSON writes v to path, atomically, readable by this account only.
func writeJSON(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "\t")
	if err != nil {
		return err
	}
	return atomicfile.Write(path, append(data, '\n'), 0o600)
}
