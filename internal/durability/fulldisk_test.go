package durability_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"loginshell/internal/atomicfile"
	"loginshell/internal/audit"
	"loginshell/internal/fault"
	"loginshell/internal/keychain"
	"loginshell/internal/settings"
	"loginshell/internal/store/sqlite"
	"loginshell/internal/user"
)

// smallDisk mounts a tmpfs of size bytes for the test, or skips it with
// the reason where the test may not mount one (not root, a container
// without the capability).
func smallDisk(t *testing.T, size int) string {
	t.Helper()
	dir := t.TempDir()
	out, err := exec.Command("mount", "-t", "tmpfs", "-o", fmt.Sprintf("size=%d,mode=0700", size), "tmpfs", dir).CombinedOutput()
	if err != nil {
		t.Skipf("cannot mount a size-limited filesystem here (%v: %s); the full-disk checks need root and mount", err, strings.TrimSpace(string(out)))
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v %s", dir, err, out)
		}
	})
	return dir
}

// fill writes to dir until the disk is full and returns a function that
// frees the space again.
func fill(t *testing.T, dir string) (free func()) {
	t.Helper()
	f, err := os.Create(filepath.Join(dir, "filler"))
	if err != nil {
		t.Fatal(err)
	}
	chunk := make([]byte, 4096)
	for {
		if _, err := f.Write(chunk); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatalf("filling the disk: %v", err)
			}
			break
		}
	}
	f.Close()
	return func() { os.Remove(filepath.Join(dir, "filler")) }
}

var cheap = keychain.Params{Time: 1, MemoryKiB: 64, Threads: 1}

func openKeychain(t *testing.T, dir string) *keychain.Keychain {
	t.Helper()
	k, err := keychain.Open(keychain.Options{Dir: dir, Now: time.Now, Log: slog.New(slog.DiscardHandler), Params: cheap, InsecureAllowWeakParams: true})
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestFullDiskKeepsTheOldFile(t *testing.T) {
	t.Run("an offline password change", func(t *testing.T) {
		dir := smallDisk(t, 256<<10)
		k := openKeychain(t, filepath.Join(dir, "keychain"))
		profile := user.Profile{Username: "alice", Name: "Alice", Roles: []string{"Operator"}}
		if err := k.Create("alice", "old-pass-1", profile); err != nil {
			t.Fatal(err)
		}
		free := fill(t, dir)
		err := k.ChangePassword("alice", "old-pass-1", "new-pass-2", nil)
		if !errors.Is(err, atomicfile.ErrDiskFull) || !strings.Contains(fault.Text(err), "free some space") {
			t.Fatalf("ChangePassword on a full disk = %v, want ErrDiskFull saying what to do", err)
		}
		free()
		if _, err := openKeychain(t, filepath.Join(dir, "keychain")).Unlock("alice", "old-pass-1"); err != nil {
			t.Errorf("the old password no longer unlocks after a failed change: %v", err)
		}
	})

	t.Run("a settings write", func(t *testing.T) {
		dir := smallDisk(t, 128<<10)
		path := filepath.Join(dir, "settings.json")
		st, err := settings.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.Set(settings.LoginURL, "https://login.example.com"); err != nil {
			t.Fatal(err)
		}
		free := fill(t, dir)
		if err := st.Set(settings.LoginURL, "https://other.example.com"); !errors.Is(err, atomicfile.ErrDiskFull) {
			t.Fatalf("a settings write on a full disk = %v, want ErrDiskFull", err)
		}
		free()
		again, err := settings.Open(path)
		if err != nil {
			t.Fatalf("the settings no longer open after a failed write: %v", err)
		}
		if got := again.String(settings.LoginURL); got != "https://login.example.com" {
			t.Errorf("login_url after a failed write = %q, want the old one", got)
		}
	})

	t.Run("the audit trail", func(t *testing.T) {
		dir := smallDisk(t, 2<<20)
		path := filepath.Join(dir, "signatures.db")
		db, err := sqlite.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		committed := 0
		for i := 0; ; i++ {
			if i == 20 {
				fill(t, dir) // a trail with entries in it, then no room
			}
			_, err := db.AppendAudit(ctx, audit.Entry{Time: time.Now().UTC(), Station: "ST-1", Event: audit.EventQueue,
				Request: fmt.Sprint("r-", i), Detail: strings.Repeat("x", 2000)})
			if err != nil {
				if i < 20 {
					t.Fatalf("entry %d, before the disk was full: %v", i+1, err)
				}
				t.Logf("refused after %d entries: %v", committed, err)
				break
			}
			committed++
			if i > 100_000 {
				t.Fatal("the disk never filled")
			}
		}
		db.Close()
		// Reopened (the space still taken): every committed entry, the chain intact.
		db, err = sqlite.Open(path)
		if err != nil {
			t.Fatalf("the store no longer opens after the disk filled: %v", err)
		}
		defer db.Close()
		var entries []audit.Entry
		if err := db.AuditEntries(ctx, func(e audit.Entry) error { entries = append(entries, e); return nil }); err != nil {
			t.Fatal(err)
		}
		if len(entries) != committed {
			t.Errorf("%d entries after reopening, %d were committed", len(entries), committed)
		}
		if err := audit.Verify(func(yield func(audit.Entry, error) bool) {
			for _, e := range entries {
				if !yield(e, nil) {
					return
				}
			}
		}); err != nil {
			t.Errorf("the chain is broken: %v", err)
		}
	})
}
