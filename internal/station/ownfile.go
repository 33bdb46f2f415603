package station

import (
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"time"

	"loginshell/internal/audit"
	"loginshell/internal/filelock"
)

// This file is this station's copy of its latest checkpoints
// (checkpoint.json) as others read and change it: `audit verify`
// (ReadOwn, KeptAt, Replaced) and `loginshell station forget-store`
// (Forget). The station itself writes it in flush.

// lockWait is how long a change of the station's files waits for
// another process's: each holds the lock for a read and an atomic write.
const lockWait = 10 * time.Second

// lockFiles takes the lock of dir's checkpoint.json and known-keys.json,
// for a change of file.
func lockFiles(dir, file string) (*filelock.Lock, error) {
	l, err := filelock.Wait(filepath.Join(dir, lockFile), lockWait, nil)
	if errors.Is(err, filelock.ErrBusy) {
		return nil, fmt.Errorf("another process of this station kept %s locked for %s: %w", filepath.Join(dir, file), lockWait, err)
	}
	return l, err
}

// ownFile is checkpoint.json. Locations is absent from a file an older
// version wrote, and then holds no store's location.
type ownFile struct {
	Stores    map[string]audit.Checkpoint `json:"stores"`
	Locations map[string]string           `json:"locations,omitempty"`
}

// ReadOwn returns the latest checkpoint this station (data directory
// dir) kept for store, nil when it kept none.
func ReadOwn(dir, store string) (*audit.Checkpoint, error) {
	var f ownFile
	if err := readJSON(filepath.Join(dir, CheckpointFile), &f); err != nil {
		return nil, err
	}
	c, ok := f.Stores[store]
	if !ok {
		return nil, nil
	}
	return &c, nil
}

// KeptAt returns the latest checkpoint this station (data directory dir)
// kept for each store it signed in at location, by store identity: the
// store there now should be one of them (a station that never signed
// there has none). Another identity there, or none at all, means the
// store this station signed in was replaced or removed.
func KeptAt(dir, location string) (map[string]audit.Checkpoint, error) {
	var f ownFile
	if err := readJSON(filepath.Join(dir, CheckpointFile), &f); err != nil {
		return nil, err
	}
	kept := map[string]audit.Checkpoint{}
	for store, loc := range f.Locations {
		if c, ok := f.Stores[store]; ok && loc == location && location != "" {
			kept[store] = c
		}
	}
	return kept, nil
}

// Replaced names, in a sentence each, every store this station (data
// directory dir) signed a checkpoint in at location that is not the store
// there now, current ("" for none): the store it signed in was removed,
// or replaced by another (its trail deleted, or its identity changed),
// which the store's own checkpoints cannot show, being gone with it. A
// store replaced on purpose is forgotten with Forget (`loginshell station
// forget-store`).
func Replaced(dir, location, current string) ([]string, error) {
	kept, err := KeptAt(dir, location)
	if err != nil {
		return nil, fmt.Errorf("read this station's latest checkpoints: %w", err)
	}
	var out []string
	for _, store := range slices.Sorted(maps.Keys(kept)) {
		if store == current {
			continue
		}
		c := kept[store]
		signed := fmt.Sprintf("station %s signed checkpoint #%d of store %s there at %s", c.Station, c.Seq, store, c.Time.UTC().Format(time.RFC3339))
		forget := fmt.Sprintf("(if it was archived on purpose, keep its export and run `loginshell station forget-store %s`)", store)
		if current == "" {
			out = append(out, fmt.Sprintf("there is no signature store at %s, but %s: the store was removed or moved away %s", location, signed, forget))
			continue
		}
		out = append(out, fmt.Sprintf("the signature store at %s is store %s, but %s: that store was replaced, its trail deleted or its identity changed %s",
			location, current, signed, forget))
	}
	return out, nil
}

// Forget removes from checkpoint.json this station's copy of its latest
// checkpoint in store, and returns it: for a store replaced on purpose
// (archived, its export kept), so that `audit verify` stops naming it.
// ok is false when the file holds none for store.
func Forget(dir, store string) (c audit.Checkpoint, ok bool, err error) {
	path := filepath.Join(dir, CheckpointFile)
	lock, err := lockFiles(dir, CheckpointFile)
	if err != nil {
		return c, false, err
	}
	defer lock.Unlock()
	var f ownFile
	if err := readJSON(path, &f); err != nil {
		return c, false, err
	}
	if c, ok = f.Stores[store]; !ok {
		return c, false, nil
	}
	delete(f.Stores, store)
	delete(f.Locations, store)
	if err := writeJSON(path, f); err != nil {
		return c, false, err
	}
	return c, true, nil
}
