package settings

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"loginshell/internal/atomicfile"
)

// The trail sees every change the shell makes to a Recorded setting
// (Record). Two more must not pass unseen: settings.json edited by hand
// between two starts, and a change whose trail write failed (the file
// keeps it, the trail does not). Both leave the file's values different
// from the last values the trail took, which are kept beside the file
// (notedPath) once the trail has them (Noted). At Open, a difference is a
// Change like any other, through ViaOutside (or ViaFound when nothing was
// ever noted: an installation from before this record), written first.

// Ways a change is found rather than made (see Via).
const (
	ViaOutside Via = "the settings file, edited outside the shell or not yet in the audit trail"
	ViaFound   Via = "the settings file as the shell found it, with no record of it before"
)

// notedPath is where the values the trail last took are kept:
// settings.json's sibling settings.noted.json.
func notedPath(path string) string {
	return strings.TrimSuffix(path, ".json") + ".noted.json"
}

// notedState is what Open read of the noted values: ok is false when
// there is no readable record (a first start, an older installation).
type notedState struct {
	values map[string]string
	ok     bool
}

// readNoted reads the noted values of the settings file at path. A file
// that cannot be read or parsed counts as no record: the values it would
// have vouched for are written to the trail again, which loses nothing.
func readNoted(path string) notedState {
	b, err := os.ReadFile(notedPath(path))
	if err != nil {
		return notedState{values: map[string]string{}}
	}
	var v map[string]string
	if json.Unmarshal(b, &v) != nil || v == nil {
		return notedState{values: map[string]string{}}
	}
	return notedState{values: v, ok: true}
}

// found returns the changes of Recorded keys between what the trail last
// took (n) and the file as loaded (data), in Recorded's order.
func (n notedState) found(data map[string]any) []Change {
	via := ViaOutside
	if !n.ok {
		via = ViaFound
	}
	var out []Change
	for _, k := range Recorded {
		old, now := n.values[k], text(data[k])
		if !n.ok && now == "" {
			continue // nothing to vouch for
		}
		if old != now {
			out = append(out, Change{Key: k, Old: old, New: now, Via: via})
		}
	}
	return out
}

// Noted says that the trail holds c: its new value becomes the one the
// next start compares the file with. The recorder calls it after each
// change it wrote, in order; a change it could not write is not noted, so
// the next start finds it again. An in-memory Store keeps no record.
func (s *Store) Noted(c Change) error {
	if s.path == "" {
		return nil
	}
	s.notedMu.Lock()
	defer s.notedMu.Unlock()
	if s.noted == nil {
		s.noted = map[string]string{}
	}
	if c.New == "" {
		delete(s.noted, c.Key)
	} else {
		s.noted[c.Key] = c.New
	}
	b, err := json.MarshalIndent(s.noted, "", "  ")
	if err != nil {
		return err
	}
	if err := atomicfile.Write(notedPath(s.path), append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("keep the login server's last recorded values (%s): %w", notedPath(s.path), err)
	}
	return nil
}
