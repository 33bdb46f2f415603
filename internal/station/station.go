// Package station is this computer's identity in the audit trail: the
// Ed25519 key it signs checkpoints with (audit.Checkpoint), made at first
// use and kept in its data directory; the checkpoint it signs for every
// transaction it commits to a store (it is the stores'
// store.Checkpointer); its own copy of its latest checkpoint in each
// store, kept outside the store; and the fingerprints of every station
// key it has seen (trust on first use), which `audit verify` holds the
// store's registered keys against.
//
// Files, all in the data directory, all written atomically
// (internal/atomicfile):
//   - station-key: the private key, PKCS #8 in PEM ("PRIVATE KEY"), mode
//     0600. Whoever can read it can sign as this station: protecting the
//     data directory is still the caller's job.
//   - checkpoint.json: {"stores": {STORE: CHECKPOINT}, "locations":
//     {STORE: LOCATION}}, this station's newest checkpoint in each store
//     it wrote to, as the export carries checkpoints, and where that
//     store was (Options.Location). A database administrator who cuts the
//     trail and its checkpoints back cannot cut this copy, nor replace
//     the store with another one (a new identity) unnoticed: its
//     location says where this station expects the store it signed in.
//     It is written off the request's path, at most once a second
//     (writeEvery) and at Close, so it lags a commit by at most about
//     that.
//   - known-keys.json: {"stations": {NAME: [FINGERPRINT, ...]}}, the
//     fingerprints (audit.Fingerprint) of every key seen for each
//     station, its own included.
//
// Every change of checkpoint.json or known-keys.json (the station's,
// `forget-store`'s, a first use's pins, `station trust`'s) holds the lock
// of .station.lock (internal/filelock) from its read to its write, so no
// change is lost to another made at the same moment.
//
// The station does NOT decide whether a trail is intact
// (audit.CheckTrail does), and does not read the store.
package station

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"sync"
	"time"

	"loginshell/internal/atomicfile"
	"loginshell/internal/audit"
	"loginshell/internal/fault"
)

// Files of the data directory.
const (
	KeyFile        = "station-key"
	CheckpointFile = "checkpoint.json"
	PinsFile       = "known-keys.json"
	// lockFile is locked (filelock) around every read, change and write
	// of checkpoint.json and known-keys.json: without it a station's flush
	// that read checkpoint.json before a forget-store wrote it put the
	// forgotten store back, and a pin could drop a trust made meanwhile.
	lockFile = ".station.lock"
)

// Options are a Station's collaborators; all are required but Log.
type Options struct {
	// Dir is the data directory.
	Dir string
	// Name is the station's name, as the entries it writes name it
	// (signature.Options.Station): checkpoints carry it, and the store
	// registers the key under it.
	Name string
	// Now is the clock checkpoints are signed with.
	Now func() time.Time
	// Location is where the store this station signs for is (the
	// shell's storeLocation): kept in checkpoint.json beside the store's
	// checkpoint (KeptAt). "" keeps none.
	Location string
	Log      *slog.Logger
}

// Station signs checkpoints with this computer's key and keeps its latest
// one per store in checkpoint.json. Safe for concurrent use; Close it
// when done, after the store it was given to.
type Station struct {
	o   Options
	key ed25519.PrivateKey

	mu      sync.Mutex
	pending map[string]audit.Checkpoint // newest committed per store, not written yet
	closed  bool
	wake    chan struct{}
	closing chan struct{} // closed by Close: keep stops waiting out writeEvery
	done    chan struct{}

	// written is checkpoint.json as keep last wrote it, and the file's
	// os.Stat after that write; keep's own (no lock).
	written     *ownFile
	writtenStat os.FileInfo
	// merged, for tests, runs in flush between its read of the file and
	// its write.
	merged func()
}

// writeEvery is the least time between two writes of checkpoint.json:
// a station commits a transaction (a checkpoint) for each audited change,
// several a signature, and each write is a temporary file, an fsync, a
// rename and the directory's fsync. Commits meanwhile wait in pending,
// the newest of each store winning; Close writes them at once.
const writeEvery = time.Second

// Open loads the station's key from DIR/station-key, making it (0600)
// when there is none, trusts it in known-keys.json, and starts the
// goroutine that keeps checkpoint.json.
func Open(o Options) (*Station, error) {
	if o.Dir == "" || o.Name == "" || o.Now == nil {
		return nil, errors.New("station: Dir, Name and Now are required")
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	key, err := loadOrMake(filepath.Join(o.Dir, KeyFile))
	if err != nil {
		return nil, err
	}
	s := &Station{o: o, key: key, pending: map[string]audit.Checkpoint{}, wake: make(chan struct{}, 1), closing: make(chan struct{}), done: make(chan struct{})}
	// Its own key is trusted whatever was pinned for its name before (a
	// data directory whose key was made again).
	if err := Trust(o.Dir, o.Name, s.Fingerprint()); err != nil {
		return nil, err
	}
	go s.keep()
	return s, nil
}

// Name is the station's name.
func (s *Station) Name() string { return s.o.Name }

// PublicKey is the station's public key, lowercase hex.
func (s *Station) PublicKey() string {
	return hex.EncodeToString(s.key.Public().(ed25519.PublicKey))
}

// Fingerprint is the station's key as people compare it
// (audit.Fingerprint): what the validation record notes.
func (s *Station) Fingerprint() string { return audit.Fingerprint(s.PublicKey()) }

// Sign signs c as this station, now (store.Checkpointer).
func (s *Station) Sign(c audit.Checkpoint) audit.Checkpoint {
	c.Station, c.Time = s.o.Name, s.o.Now()
	return audit.SignCheckpoint(s.key, c)
}

// Committed takes note of c, committed to its store, for checkpoint.json
// (store.Checkpointer). It never waits: the file is written by the
// station's own goroutine within writeEvery, the newest checkpoint of
// each store winning, so no request waits on an fsync.
func (s *Station) Committed(c audit.Checkpoint) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	if old, ok := s.pending[c.Store]; !ok || c.Seq > old.Seq {
		s.pending[c.Store] = c
	}
	select {
	case s.wake <- struct{}{}:
	default: // the goroutine is awake already, and will see c
	}
}

// Close writes the checkpoints still pending and stops the goroutine.
// Checkpoints committed after Close are not kept in the file (the store
// has them). A second Close does nothing.
func (s *Station) Close() error {
	s.mu.Lock()
	if !s.closed {
		s.closed = true
		close(s.closing)
		close(s.wake)
	}
	s.mu.Unlock()
	<-s.done
	return nil
}

// keep writes checkpoint.json whenever Committed wakes it, at most once
// every writeEvery, and once more at Close.
func (s *Station) keep() {
	defer close(s.done)
	for {
		_, open := <-s.wake
		s.flush()
		if !open {
			return
		}
		select {
		case <-time.After(writeEvery):
		case <-s.closing:
		}
	}
}

// flush writes the pending checkpoints into checkpoint.json, merged with
// what the file holds (another process of this station may have written
// it): the newest of each store wins. The file is read again only when it
// is no longer the one flush last wrote (another file, size or
// modification time): the station's own writes are not parsed back.
func (s *Station) flush() {
	s.mu.Lock()
	pending := s.pending
	s.pending = map[string]audit.Checkpoint{}
	s.mu.Unlock()
	if len(pending) == 0 {
		return
	}
	path := filepath.Join(s.o.Dir, CheckpointFile)
	lock, err := lockFiles(s.o.Dir, CheckpointFile)
	if err != nil {
		s.o.Log.Error("this station's copy of its latest checkpoint was not written (the store has it); it is tried again at the next commit", "file", path, "err", err)
		s.requeue(pending)
		return
	}
	defer lock.Unlock()
	f := ownFile{}
	if fi, err := os.Stat(path); s.written != nil && err == nil && sameWrite(s.writtenStat, fi) {
		f.Stores, f.Locations = maps.Clone(s.written.Stores), maps.Clone(s.written.Locations)
	} else if err := readJSON(path, &f); err != nil {
		s.o.Log.Warn("this station's copy of its checkpoints was not read; it is written anew", "file", path, "err", err)
	}
	if f.Stores == nil {
		f.Stores = map[string]audit.Checkpoint{}
	}
	if f.Locations == nil {
		f.Locations = map[string]string{}
	}
	changed := false
	for store, c := range pending {
		if old, ok := f.Stores[store]; !ok || c.Seq > old.Seq {
			f.Stores[store] = c
			changed = true
		}
		if loc := s.o.Location; loc != "" && f.Locations[store] != loc {
			f.Locations[store] = loc
			changed = true
		}
	}
	if !changed {
		return
	}
	if s.merged != nil {
		s.merged()
	}
	s.written, s.writtenStat = nil, nil
	data, err := json.MarshalIndent(f, "", "\t")
	if err == nil {
		var fi os.FileInfo
		if fi, err = atomicfile.WriteInfo(path, append(data, '\n'), 0o600); err == nil {
			s.written, s.writtenStat = &f, fi
		}
	}
	if err != nil {
		s.o.Log.Error("this station's copy of its latest checkpoint was not written (the store has it)", "file", path, "err", err)
	}
}

// requeue puts back the checkpoints flush took and could not write,
// unless a newer one of the same store came meanwhile.
func (s *Station) requeue(pending map[string]audit.Checkpoint) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for store, c := range pending {
		if old, ok := s.pending[store]; !ok || c.Seq > old.Seq {
			s.pending[store] = c
		}
	}
}

// sameWrite says whether b is still the file a was: the same file (a
// rename over it by another process makes another), size and
// modification time.
func sameWrite(a, b os.FileInfo) bool {
	return os.SameFile(a, b) && a.Size() == b.Size() && a.ModTime().Equal(b.ModTime())
}

// loadOrMake reads the key at path, or makes one there when there is
// none. Two processes starting at once agree on one key: the new key is
// written to a file of its own and linked to path only if path does not
// exist yet; the loser reads the winner's.
func loadOrMake(path string) (ed25519.PrivateKey, error) {
	key, err := load(path)
	if !errors.Is(err, fs.ErrNotExist) {
		return key, err
	}
	_, key, err = ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("make the station key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("make the station key: %w", err)
	}
	data := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	var r [8]byte
	_, _ = rand.Read(r[:])
	tmp := path + ".new-" + hex.EncodeToString(r[:])
	if err := atomicfile.Write(tmp, data, 0o600); err != nil {
		return nil, fmt.Errorf("write the station key: %w", err)
	}
	defer os.Remove(tmp)
	if err := os.Link(tmp, path); errors.Is(err, fs.ErrExist) {
		return load(path)
	} else if err != nil {
		return nil, fmt.Errorf("write the station key: %w", err)
	}
	// Written once more in place, so the directory entry is synced too.
	if err := atomicfile.Write(path, data, 0o600); err != nil {
		return nil, fmt.Errorf("write the station key: %w", err)
	}
	return key, nil
}

// ErrBadKey is a station-key file that does not hold an Ed25519 key.
var ErrBadKey = fault.New(fault.Invalid, "the station key file does not hold an Ed25519 private key (PKCS #8, PEM)")

func load(path string) (ed25519.PrivateKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	b, _ := pem.Decode(data)
	if b == nil || b.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("%s: %w", path, ErrBadKey)
	}
	k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
	key, ok := k.(ed25519.PrivateKey)
	if err != nil || !ok {
		return nil, fmt.Errorf("%s: %w", path, ErrBadKey)
	}
	return key, nil
}
