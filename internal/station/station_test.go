package station

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"loginshell/internal/audit"
	"loginshell/internal/logtest"
)

var clock = time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)

// checkpointBy is checkpoint seq of store, alone in its range, signed by s.
func checkpointBy(s *Station, store string, seq int64) audit.Checkpoint {
	return s.Sign(audit.Checkpoint{Store: store, Prev: seq - 1, From: seq, Seq: seq, Hash: "h"})
}

func open(t *testing.T, dir, name string) *Station {
	t.Helper()
	s, err := Open(Options{Dir: dir, Name: name, Now: func() time.Time { return clock }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestKey(t *testing.T) {
	t.Parallel()
	t.Run("The key is made at first use, private, and the same at every start.", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		a := open(t, dir, "ST-1")
		fi, err := os.Stat(filepath.Join(dir, KeyFile))
		if err != nil {
			t.Fatal(err)
		}
		if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
			t.Errorf("station-key has mode %v, want 0600", fi.Mode().Perm())
		}
		if b := open(t, dir, "ST-1"); b.PublicKey() != a.PublicKey() {
			t.Errorf("the key changed at the second start")
		}
		if len(a.Fingerprint()) != 79 {
			t.Errorf("fingerprint %q", a.Fingerprint())
		}
	})
	t.Run("Processes starting at once agree on one key.", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		keys := make([]string, 6)
		var wg sync.WaitGroup
		for i := range keys {
			wg.Go(func() { keys[i] = open(t, dir, "ST-1").PublicKey() })
		}
		wg.Wait()
		for _, k := range keys[1:] {
			if k != keys[0] {
				t.Fatalf("keys %v: want one", keys)
			}
		}
	})
	t.Run("A damaged key file is refused, not replaced.", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, KeyFile), []byte("not a key"), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := Open(Options{Dir: dir, Name: "ST-1", Now: time.Now}); err == nil {
			t.Error("Open accepted a damaged key")
		}
	})
	t.Run("A checkpoint it signs verifies under its key, with its name and clock.", func(t *testing.T) {
		t.Parallel()
		s := open(t, t.TempDir(), "ST-1")
		c := s.Sign(audit.Checkpoint{Store: "x", Prev: 0, From: 1, Seq: 1, Hash: "h"})
		if audit.VerifySignature(c) != nil || c.Station != "ST-1" || !c.Time.Equal(clock) || c.Key != s.PublicKey() {
			t.Errorf("checkpoint %+v", c)
		}
	})
}

func TestOwnCheckpoint(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := open(t, dir, "ST-1")
	cp := func(store string, seq int64) audit.Checkpoint { return checkpointBy(s, store, seq) }
	for _, c := range []audit.Checkpoint{cp("A", 3), cp("A", 5), cp("A", 4), cp("B", 2)} {
		s.Committed(c)
	}
	s.Close()
	s.Committed(cp("A", 9)) // after Close: not kept, and no panic
	for _, tt := range []struct {
		store string
		want  int64
	}{{"A", 5}, {"B", 2}, {"C", 0}} {
		got, err := ReadOwn(dir, tt.store)
		if err != nil {
			t.Fatal(err)
		}
		if (got == nil) != (tt.want == 0) || (got != nil && (got.Seq != tt.want || audit.VerifySignature(*got) != nil)) {
			t.Errorf("store %s: %+v, want checkpoint %d", tt.store, got, tt.want)
		}
	}
	// Another process of the station wrote an older one meanwhile: the
	// newest stays.
	s2 := open(t, dir, "ST-1")
	s2.Committed(cp("A", 4))
	s2.Close()
	if got, _ := ReadOwn(dir, "A"); got == nil || got.Seq != 5 {
		t.Errorf("after an older checkpoint: %+v, want #5", got)
	}
}

// TestOwnCheckpointBesideAnother: two processes of one station keep one
// checkpoint.json; each reads the file again before a write when the
// other replaced it since its own last write, so neither cuts back what
// the other kept (the cached copy of its own write is not trusted then).
func TestOwnCheckpointBesideAnother(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	a, b := open(t, dir, "ST-1"), open(t, dir, "ST-1")
	cp := func(store string, seq int64) audit.Checkpoint { return checkpointBy(a, store, seq) }
	// wait polls the file (the station writes it within writeEvery).
	wait := func(store string, seq int64) {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
			if got, _ := ReadOwn(dir, store); got != nil && got.Seq == seq {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("checkpoint %s #%d not written", store, seq)
			}
		}
	}
	a.Committed(cp("A", 5))
	wait("A", 5)
	b.Committed(cp("A", 7))
	b.Close()
	a.Committed(cp("A", 6))
	a.Committed(cp("B", 2))
	a.Close()
	for store, want := range map[string]int64{"A": 7, "B": 2} {
		if got, _ := ReadOwn(dir, store); got == nil || got.Seq != want {
			t.Errorf("store %s: %+v, want checkpoint #%d", store, got, want)
		}
	}
}

// TestForgetWhileTheStationWrites: a forget-store that comes while the
// station has read checkpoint.json and not yet written its merge back
// waits for that write (the file's lock), so the store stays forgotten;
// without the lock the station's write put it back.
func TestForgetWhileTheStationWrites(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := open(t, dir, "ST-1")
	cp := func(store string, seq int64) audit.Checkpoint { return checkpointBy(s, store, seq) }
	s.Committed(cp("OLD", 3))
	s.Close()
	s = open(t, dir, "ST-1")
	var forgetErr error
	forgot := make(chan struct{})
	s.merged = func() {
		go func() {
			defer close(forgot)
			if _, ok, err := Forget(dir, "OLD"); err != nil || !ok {
				forgetErr = fmt.Errorf("Forget = %v, %v", ok, err)
			}
		}()
		// A forget that does not wait for this write ends well within
		// this; one that waits cannot end before it.
		select {
		case <-forgot:
		case <-time.After(300 * time.Millisecond):
		}
	}
	s.Committed(cp("NEW", 2))
	s.Close()
	<-forgot
	if forgetErr != nil {
		t.Fatal(forgetErr)
	}
	if got, _ := ReadOwn(dir, "OLD"); got != nil {
		t.Errorf("the forgotten store's checkpoint #%d is back: the station's write undid the forget", got.Seq)
	}
	if got, _ := ReadOwn(dir, "NEW"); got == nil || got.Seq != 2 {
		t.Errorf("store NEW: %+v, want checkpoint #2", got)
	}
}

// TestKeptAtTheirLocation: each store's checkpoint is kept with where the
// store was (Options.Location), and KeptAt finds them by it; a file an
// older version wrote, without locations, has none there; Forget takes a
// store's out.
func TestKeptAtTheirLocation(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, c := range []struct{ store, location string }{{"A", "file /data/signatures.db"}, {"B", "file /data/signatures.db"}, {"C", `postgres database "mes" on db:5432`}} {
		s, err := Open(Options{Dir: dir, Name: "ST-1", Now: func() time.Time { return clock }, Location: c.location})
		if err != nil {
			t.Fatal(err)
		}
		s.Committed(audit.Checkpoint{Store: c.store, Seq: 7})
		s.Close()
	}
	got, err := KeptAt(dir, "file /data/signatures.db")
	if err != nil || len(got) != 2 || got["A"].Seq != 7 || got["B"].Seq != 7 {
		t.Errorf("KeptAt the file = %v, %v; want A and B", got, err)
	}
	if got, _ := KeptAt(dir, "file /elsewhere/signatures.db"); len(got) != 0 {
		t.Errorf("KeptAt another file = %v, want none", got)
	}
	if c, ok, err := Forget(dir, "A"); !ok || err != nil || c.Seq != 7 {
		t.Errorf("Forget(A) = %v, %v, %v", c, ok, err)
	}
	if got, _ := KeptAt(dir, "file /data/signatures.db"); len(got) != 1 || got["B"].Seq != 7 {
		t.Errorf("KeptAt after Forget(A) = %v, want B", got)
	}
	if got, _ := ReadOwn(dir, "A"); got != nil {
		t.Errorf("A's checkpoint kept after Forget: %v", got)
	}
	if _, ok, err := Forget(dir, "A"); ok || err != nil {
		t.Errorf("Forget(A) again = %v, %v; want nothing forgotten", ok, err)
	}

	older := t.TempDir()
	if err := os.WriteFile(filepath.Join(older, CheckpointFile), []byte(`{"stores": {"A": {"store": "A", "seq": 3}}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if got, err := KeptAt(older, "file /data/signatures.db"); len(got) != 0 || err != nil {
		t.Errorf("KeptAt of an older file = %v, %v; want none", got, err)
	}
}

func TestPins(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	own := open(t, dir, "ST-1")
	key := func(station string, b byte) audit.StationKey {
		return audit.StationKey{Station: station, Key: string(append([]byte{}, make([]byte, 63)...)) + string(rune('0'+b))}
	}
	if err := Pin(dir, []audit.StationKey{key("ST-2", 1), key("ST-2", 2), key("ST-1", 3)}); err != nil {
		t.Fatal(err)
	}
	if err := Pin(dir, []audit.StationKey{key("ST-2", 4)}); err != nil {
		t.Fatal(err)
	}
	got, err := ReadPins(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"ST-1": {own.Fingerprint()},
		"ST-2": {audit.Fingerprint(key("ST-2", 1).Key), audit.Fingerprint(key("ST-2", 2).Key)},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("pins %v\nwant %v: a new station's keys pinned on first sight, a pinned station's new key not", got, want)
	}
	if err := Trust(dir, "ST-2", audit.Fingerprint(key("ST-2", 4).Key)); err != nil {
		t.Fatal(err)
	}
	if got, _ := ReadPins(dir); len(got["ST-2"]) != 3 {
		t.Errorf("after Trust: %v", got)
	}
	if err := Trust(dir, "ST-2", "12 34"); err == nil {
		t.Error("Trust took a fingerprint of 4 digits")
	}
}

// TestPinWhileTrusting: a trust that comes while a pin has read
// known-keys.json and not yet written it back waits for that write (the
// station's files' lock), so both stay; without the lock the pin's write
// dropped the trust.
func TestPinWhileTrusting(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	trusted := audit.Fingerprint("a key a person compared with ST-3's validation record")
	var trustErr error
	done := make(chan struct{})
	asked := 0
	err := updatePins(dir, func(m map[string][]string) bool {
		// Asked once to see whether anything changes, then again over the
		// file read under the lock, before its write: the trust comes then.
		if asked++; asked == 2 {
			go func() {
				defer close(done)
				trustErr = Trust(dir, "ST-3", trusted)
			}()
			// A trust that does not wait for this write ends well within
			// this; one that waits cannot end before it.
			select {
			case <-done:
			case <-time.After(300 * time.Millisecond):
			}
		}
		m["ST-2"] = append(m["ST-2"], audit.Fingerprint("ST-2's key, seen first"))
		return true
	})
	<-done
	if err != nil || trustErr != nil {
		t.Fatalf("pin: %v; trust: %v", err, trustErr)
	}
	got, err := ReadPins(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(got["ST-2"]) != 1 || !slices.Contains(got["ST-3"], trusted) {
		t.Errorf("pins %v: want ST-2's first key and ST-3's trusted one", got)
	}
}

// TestPinThatChangesNothingLocksNothing: a pin of keys already pinned
// takes no lock and writes nothing, so a verify over a data directory it
// cannot write (here: the lock file cannot be opened, as in a read-only
// directory, which a test run as root cannot make) still pins; a pin that
// changes something needs the lock and says so.
func TestPinThatChangesNothingLocksNothing(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	key := audit.StationKey{Station: "ST-2", Key: "ST-2's key"}
	if err := Pin(dir, []audit.StationKey{key}); err != nil {
		t.Fatal(err)
	}
	// The first pin made the lock file; a directory in its place is one
	// no file can be opened as.
	lock := filepath.Join(dir, lockFile)
	if err := os.Remove(lock); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(lock, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := Pin(dir, []audit.StationKey{key}); err != nil {
		t.Errorf("a pin that changes nothing: %v", err)
	}
	if err := Pin(dir, []audit.StationKey{{Station: "ST-3", Key: "ST-3's key"}}); err == nil {
		t.Error("a pin that changes the file went ahead without the lock")
	}
}

// TestAFlushWithoutTheLockKeepsItsCheckpoints: a flush that cannot take
// the station's files' lock writes nothing and keeps what it had for the
// next flush, which writes it beside what came meanwhile.
func TestAFlushWithoutTheLockKeepsItsCheckpoints(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	logged := &logtest.Buffer{}
	s, err := Open(Options{Dir: dir, Name: "ST-1", Now: func() time.Time { return clock }, Log: slog.New(slog.NewTextHandler(logged, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	// Open made the lock file (it pinned its own key); a directory in its
	// place is one no file can be opened as.
	lock := filepath.Join(dir, lockFile)
	if err := os.Remove(lock); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(lock, 0o700); err != nil {
		t.Fatal(err)
	}
	s.Committed(checkpointBy(s, "A", 3))
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(logged.String(), "tried again at the next commit"); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no flush failed for want of the lock; the log:\n%s", logged.String())
		}
	}
	if got, _ := ReadOwn(dir, "A"); got != nil {
		t.Fatalf("written without the lock: %+v", got)
	}
	if err := os.Remove(lock); err != nil {
		t.Fatal(err)
	}
	s.Committed(checkpointBy(s, "B", 2))
	s.Close()
	for store, want := range map[string]int64{"A": 3, "B": 2} {
		if got, _ := ReadOwn(dir, store); got == nil || got.Seq != want {
			t.Errorf("store %s: %+v, want checkpoint #%d: the one the failed flush had was not kept", store, got, want)
		}
	}
}
