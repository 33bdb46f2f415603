package keychain

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestOpenRemovesUnfinishedWrites: a crash during offline setup (or a
// lockout count update) leaves atomicfile's temporary copy behind; the
// next Open removes it, and nothing else.
func TestOpenRemovesUnfinishedWrites(t *testing.T) {
	t.Parallel()
	alice := fileStem("alice")
	tests := []struct {
		name     string
		file     string
		age      time.Duration // before the clock's now
		dir      bool
		wantGone bool
	}{
		{name: "a vault write cut short by a crash is removed", file: "." + alice + ".vault.tmp-3141592653", age: time.Hour, wantGone: true},
		{name: "a lockout state write cut short is removed", file: "." + alice + ".state.tmp-42", age: 2 * staleTempAge, wantGone: true},
		{name: "a write another shell may be doing right now is kept", file: "." + alice + ".vault.tmp-77", age: staleTempAge / 2},
		{name: "a vault is kept", file: alice + ".vault", age: time.Hour},
		{name: "a state file is kept", file: alice + ".state", age: time.Hour},
		{name: "a name without the random part is kept", file: "." + alice + ".vault.tmp-", age: time.Hour},
		{name: "a name whose stem is not hex is kept", file: ".alice.vault.tmp-1", age: time.Hour},
		{name: "another temporary file is kept", file: "." + alice + ".json.tmp-1", age: time.Hour},
		{name: "a folder with the shape of the name is kept", file: "." + alice + ".vault.tmp-5", age: time.Hour, dir: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			k, clock, dir := newAlice(t)
			p := filepath.Join(dir, tt.file)
			var err error
			switch tt.file {
			case alice + ".vault": // newAlice wrote it
			case alice + ".state":
				_, err = k.Unlock("alice", otherPassword) // one wrong password writes it
				if !errors.Is(err, ErrWrongPassword) {
					t.Fatalf("Unlock with a wrong password = %v", err)
				}
				err = nil
			default:
				if tt.dir {
					err = os.Mkdir(p, 0o700)
				} else {
					err = os.WriteFile(p, []byte("half a vault"), 0o600)
				}
			}
			if err != nil {
				t.Fatal(err)
			}
			then := clock.Now().Add(-tt.age)
			if err := os.Chtimes(p, then, then); err != nil {
				t.Fatal(err)
			}
			k = openTest(t, dir, clock, nil)
			_, err = os.Stat(p)
			if gone := os.IsNotExist(err); gone != tt.wantGone {
				t.Errorf("after Open %s exists = %v, want %v (%v)", tt.file, !gone, !tt.wantGone, err)
			}
			if _, err := k.Unlock("alice", goodPassword); err != nil {
				t.Errorf("alice's vault no longer opens: %v", err)
			}
		})
	}
}
