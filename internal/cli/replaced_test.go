package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestVerifyNamesAStoreRemovedOrReplaced: a station's store deleted, or
// deleted and made again (the next start does), is named by `audit
// verify` from the station's own copy of its checkpoints, with the
// command that forgets a store replaced on purpose; once forgotten, the
// new store verifies and a missing one is one that never signed. A store
// elsewhere (a station moved to the plant's database) is not named.
func TestVerifyNamesAStoreRemovedOrReplaced(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name            string
		again           bool // a new store made where the old one was
		want, forgotten string
	}{
		{"deleted", false, "there is no signature store at file {dir}/signatures.db, but station ST-1 signed checkpoint #{n} of store {store} there at",
			"no signature has been recorded"},
		{"deleted and made again", true, "the signature store at file {dir}/signatures.db is store {new}, but station ST-1 signed checkpoint #{n} of store {store} there at",
			""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			signRequests(t, dir, "", 2)
			es, p := trailOf(t, dir, "")
			old := p.Checkpoints[0].Store
			for _, f := range []string{"signatures.db", "signatures.db-wal", "signatures.db-shm"} {
				if err := os.Remove(filepath.Join(dir, f)); err != nil && !os.IsNotExist(err) {
					t.Fatal(err)
				}
			}
			newStore := ""
			if tt.again {
				signRequests(t, dir, "", 1)
				_, p := trailOf(t, dir, "")
				newStore = p.Checkpoints[0].Store
			}
			code, _, stderr := runCLI(dir, "audit", "verify", "--data", dir)
			want := strings.NewReplacer("{dir}", dir, "{n}", fmt.Sprint(len(es)), "{store}", old, "{new}", newStore).Replace(tt.want)
			if code != 1 || !strings.Contains(stderr, want) || !strings.Contains(stderr, "loginshell station forget-store "+old) {
				t.Fatalf("exit %d, stderr:\n%s\nwant 1 naming %q and the command that forgets it", code, stderr, want)
			}
			if code, stdout, stderr := runCLI(dir, "station", "forget-store", "--data", dir, old); code != 0 || !strings.Contains(stdout, "no longer checks for store "+old) {
				t.Fatalf("forget-store: exit %d\n%s%s", code, stdout, stderr)
			}
			code, stdout, stderr := runCLI(dir, "audit", "verify", "--data", dir)
			if tt.forgotten == "" && (code != 0 || !strings.Contains(stdout, "intact")) || tt.forgotten != "" && !strings.Contains(stderr, tt.forgotten) {
				t.Errorf("after forget-store: exit %d\n%s%s", code, stdout, stderr)
			}
		})
	}
	t.Run("a store elsewhere", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		signRequests(t, dir, "", 1)
		// The station moves to the plant's database: the copy of its
		// checkpoint in signatures.db stays, under another location.
		flag, _ := plantStores[1].open(t, dir)
		signRequests(t, dir, flag, 1)
		if code, stdout, stderr := runCLI(dir, withStore(flag, "audit", "verify", "--data", dir)...); code != 0 || !strings.Contains(stdout, "intact") {
			t.Errorf("the plant's store: exit %d\n%s%s", code, stdout, stderr)
		}
		if code, stdout, stderr := runCLI(dir, "audit", "verify", "--data", dir); code != 0 || !strings.Contains(stdout, "intact") {
			t.Errorf("the file left behind: exit %d\n%s%s", code, stdout, stderr)
		}
	})
}
