package keychain

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"loginshell/internal/user"
)

// These tests were written against the survivors of `make mutate`: each
// pins a behaviour that a one-token change to the code broke without any
// other test noticing. The tests run as root in CI, where file permissions
// stop nothing, so I/O failures are made with paths of the wrong kind (a
// directory where a file belongs, a symlink loop) and with a clock past
// the year 9999, which encoding/json refuses to write.

// recorder is an slog.Handler that keeps every record, to check what the
// keychain audits (Options.Log promises the events).
type recorder struct {
	mu   sync.Mutex
	recs []slog.Record
}

func (r *recorder) Enabled(context.Context, slog.Level) bool { return true }
func (r *recorder) Handle(_ context.Context, rec slog.Record) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.recs = append(r.recs, rec.Clone())
	return nil
}
func (r *recorder) WithAttrs([]slog.Attr) slog.Handler { return r }
func (r *recorder) WithGroup(string) slog.Handler      { return r }

// events returns the "event" attribute of every record at level or above,
// with the record's other attributes.
func (r *recorder) events(level slog.Level) []map[string]any {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []map[string]any
	for _, rec := range r.recs {
		if rec.Level < level {
			continue
		}
		m := map[string]any{"msg": rec.Message}
		rec.Attrs(func(a slog.Attr) bool {
			m[a.Key] = a.Value.Any()
			return true
		})
		out = append(out, m)
	}
	return out
}

// farFuture is a clock encoding/json cannot write (years past 9999).
func farFuture() *fakeClock { return &fakeClock{t: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)} }

// occupy puts a non-empty directory where a file is expected, so reading,
// replacing or removing that file fails.
func occupy(t *testing.T, path string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Join(path, "x"), 0o700); err != nil {
		t.Fatal(err)
	}
}

func TestInvalidUsernamesAreRefusedByEveryOperation(t *testing.T) {
	t.Parallel()
	k, _, _ := newAlice(t)
	for _, name := range []string{"", strings.Repeat("a", 101), "al\xffice"} {
		ops := []struct {
			op   string
			call func() error
		}{
			{"Create", func() error { return k.Create(name, goodPassword, user.Profile{}) }},
			{"Unlock", func() error { _, err := k.Unlock(name, goodPassword); return err }},
			{"ChangePassword", func() error { return k.ChangePassword(name, goodPassword, otherPassword, nil) }},
			{"Remove", func() error { return k.Remove(name) }},
		}
		for _, o := range ops {
			t.Run(o.op+" refuses the username "+printable(name), func(t *testing.T) {
				t.Parallel()
				if err := o.call(); !errors.Is(err, ErrInvalidUsername) {
					t.Errorf("%s(%q) = %v, want ErrInvalidUsername", o.op, name, err)
				}
			})
		}
	}
	if k.Exists("") {
		t.Error("Exists(\"\") = true")
	}
}

func printable(s string) string {
	switch {
	case s == "":
		return "that is empty"
	case len(s) > 100:
		return "of 101 bytes"
	}
	return "that is not UTF-8"
}

// TestUsernameLimitIsOneHundredBytes pins MaxUsernameBytes at the value
// its comment justifies (hex doubles it; the name must stay under 255).
func TestUsernameLimitIsOneHundredBytes(t *testing.T) {
	t.Parallel()
	k := openTest(t, t.TempDir(), newClock(), nil)
	if err := k.Create(strings.Repeat("a", 100), goodPassword, user.Profile{}); err != nil {
		t.Errorf("a 100-byte username: %v", err)
	}
	if err := k.Create(strings.Repeat("b", 101), goodPassword, user.Profile{}); !errors.Is(err, ErrInvalidUsername) {
		t.Errorf("a 101-byte username: %v, want ErrInvalidUsername", err)
	}
}

// TestFileModes: the directory is 0700 and every file 0600, so other local
// users cannot read a vault or reset a lockout.
func TestFileModes(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "keychain")
	k := openTest(t, dir, newClock(), nil)
	if err := k.Create("alice", goodPassword, aliceProfile()); err != nil {
		t.Fatal(err)
	}
	k.Unlock("alice", otherPassword) // writes the state file
	for path, want := range map[string]os.FileMode{
		dir:                  os.ModeDir | 0o700,
		k.vaultPath("alice"): 0o600,
		k.statePath("alice"): 0o600,
	} {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode() != want {
			t.Errorf("%s: mode %v, want %v", filepath.Base(path), fi.Mode(), want)
		}
	}
}

func TestOpenFailsWhenItCannotMakeTheDirectory(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	k, err := Open(Options{Dir: filepath.Join(file, "keychain"), Now: time.Now, Log: slog.New(slog.DiscardHandler)})
	if err == nil || k != nil {
		t.Errorf("Open under a regular file = %v, %v; want an error", k, err)
	}
}

// TestInsecureFloorAndMaximum pins the bounds around the OWASP minimum:
// the floor under InsecureAllowWeakParams (what argon2 itself needs: one
// pass, one lane, 8 KiB per lane) and the maximum a vault may ask for
// (16 passes, 1 GiB, 16 lanes).
func TestInsecureFloorAndMaximum(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		params   Params
		insecure bool
		ok       bool
	}{
		{"the insecure floor takes one pass, 8 KiB, one lane", Params{Time: 1, MemoryKiB: 8, Threads: 1}, true, true},
		{"no passes are refused even when insecure", Params{Time: 0, MemoryKiB: 64, Threads: 1}, true, false},
		{"7 KiB are refused even when insecure", Params{Time: 1, MemoryKiB: 7, Threads: 1}, true, false},
		{"no lanes are refused even when insecure", Params{Time: 1, MemoryKiB: 64, Threads: 0}, true, false},
		{"two lanes need 16 KiB", Params{Time: 1, MemoryKiB: 16, Threads: 2}, true, true},
		{"two lanes in 15 KiB are refused", Params{Time: 1, MemoryKiB: 15, Threads: 2}, true, false},
		{"two lanes in 8 KiB are refused", Params{Time: 1, MemoryKiB: 8, Threads: 2}, true, false},
		{"the maximum is accepted", Params{Time: 16, MemoryKiB: 1 << 20, Threads: 16}, false, true},
		{"17 passes are refused", Params{Time: 17, MemoryKiB: 1 << 20, Threads: 16}, false, false},
		{"1 GiB and 1 KiB are refused", Params{Time: 16, MemoryKiB: 1<<20 + 1, Threads: 16}, false, false},
		{"17 lanes are refused", Params{Time: 16, MemoryKiB: 1 << 20, Threads: 17}, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// Open only checks the parameters; no key is derived here.
			_, err := Open(Options{Dir: t.TempDir(), Now: time.Now, Log: slog.New(slog.DiscardHandler),
				Params: tt.params, InsecureAllowWeakParams: tt.insecure})
			if (err == nil) != tt.ok {
				t.Errorf("Open with %v (insecure %v): %v, want accepted = %v", tt.params, tt.insecure, err, tt.ok)
			}
		})
	}
}

// TestVaultFileFormat pins the documented format: version 1, argon2id, a
// 32-byte salt and a 24-byte XChaCha20 nonce.
func TestVaultFileFormat(t *testing.T) {
	t.Parallel()
	k, _, _ := newAlice(t)
	data, err := os.ReadFile(k.vaultPath("alice"))
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Body struct {
			Version int    `json:"version"`
			KDF     string `json:"kdf"`
			Salt    []byte `json:"salt"`
			Nonce   []byte `json:"nonce"`
		} `json:"body"`
	}
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	if f.Body.Version != 1 || f.Body.KDF != "argon2id" || len(f.Body.Salt) != 32 || len(f.Body.Nonce) != 24 {
		t.Errorf("vault body = version %d, kdf %q, %d-byte salt, %d-byte nonce; want 1, argon2id, 32, 24",
			f.Body.Version, f.Body.KDF, len(f.Body.Salt), len(f.Body.Nonce))
	}
}

// TestVaultSizeLimitIsOneMiB: a vault file of exactly 1 MiB is read (JSON
// allows the padding), one byte more is refused before parsing.
func TestVaultSizeLimitIsOneMiB(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name    string
		size    int
		wantErr error
	}{
		{"a file of exactly 1 MiB is read", 1 << 20, nil},
		{"a file of 1 MiB and one byte is refused", 1<<20 + 1, ErrTampered},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			k, _, _ := newAlice(t)
			data, err := os.ReadFile(k.vaultPath("alice"))
			if err != nil {
				t.Fatal(err)
			}
			padded := append(data, strings.Repeat(" ", tt.size-len(data))...)
			if err := os.WriteFile(k.vaultPath("alice"), padded, 0o600); err != nil {
				t.Fatal(err)
			}
			if _, err := k.Unlock("alice", goodPassword); !errors.Is(err, tt.wantErr) {
				t.Errorf("Unlock of a %d-byte vault = %v, want %v", tt.size, err, tt.wantErr)
			}
		})
	}
}

// TestVaultFieldLengths: a nonce of the wrong length and a sealed profile
// too short to hold the Poly1305 tag (16 bytes) are refused as tampered
// with the checksum redone; a 16-byte one passes the structure checks and
// fails the seal like a wrong password.
func TestVaultFieldLengths(t *testing.T) {
	t.Parallel()
	set := func(field string, n int) func(map[string]any) {
		return func(b map[string]any) { b[field] = make([]byte, n) }
	}
	tests := []struct {
		name    string
		edit    func(map[string]any)
		wantErr error
	}{
		{"a 23-byte nonce is refused", set("nonce", 23), ErrTampered},
		{"a 12-byte (non-X) nonce is refused", set("nonce", 12), ErrTampered},
		{"a 15-byte sealed profile is refused", set("sealed", 15), ErrTampered},
		{"a 16-byte sealed profile fails as a wrong password", set("sealed", 16), ErrWrongPassword},
		{"a 33-byte salt is refused", set("salt", 33), ErrTampered},
		{"a 31-byte salt is refused", set("salt", 31), ErrTampered},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			k, _, _ := newAlice(t)
			data, err := os.ReadFile(k.vaultPath("alice"))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(k.vaultPath("alice"), editBody(tt.edit, true)(t, data), 0o600); err != nil {
				t.Fatal(err)
			}
			if _, err := k.Unlock("alice", goodPassword); !errors.Is(err, tt.wantErr) {
				t.Errorf("Unlock = %v, want %v", err, tt.wantErr)
			}
		})
	}
}

// TestSealedProfileForAnotherUserIsTampered: a vault sealed with the right
// password but holding another user's profile is refused, not opened as
// that other user.
func TestSealedProfileForAnotherUserIsTampered(t *testing.T) {
	t.Parallel()
	k, _, _ := newAlice(t)
	data, err := seal("alice", goodPassword, aliceProfileAs("mallory"), cheapParams)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(k.vaultPath("alice"), data, 0o600); err != nil {
		t.Fatal(err)
	}
	p, err := k.Unlock("alice", goodPassword)
	if !errors.Is(err, ErrTampered) {
		t.Errorf("Unlock = %+v, %v; want ErrTampered", p, err)
	}
}

// TestUnreadableVaultIsAnErrorNotNoVault: a vault that exists but cannot
// be read is an error of its own, never "no vault" and never a success.
func TestUnreadableVaultIsAnErrorNotNoVault(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		spoil func(t *testing.T, path string)
	}{
		{"a symlink loop cannot be opened", func(t *testing.T, path string) {
			if err := os.Symlink(filepath.Base(path), path); err != nil {
				t.Skip("cannot make symlinks here:", err)
			}
		}},
		{"a directory cannot be read", func(t *testing.T, path string) { occupy(t, path) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			k, _, _ := newAlice(t)
			if err := os.Remove(k.vaultPath("alice")); err != nil {
				t.Fatal(err)
			}
			tt.spoil(t, k.vaultPath("alice"))
			_, err := k.Unlock("alice", goodPassword)
			if err == nil || errors.Is(err, ErrNoVault) {
				t.Errorf("Unlock = %v, want an error other than ErrNoVault", err)
			}
		})
	}
}

// TestUnreadableStateFailsClosed: when the lockout state cannot be read,
// not even the right password opens the vault.
func TestUnreadableStateFailsClosed(t *testing.T) {
	t.Parallel()
	k, _, _ := newAlice(t)
	occupy(t, k.statePath("alice"))
	if _, err := k.Unlock("alice", goodPassword); err == nil {
		t.Error("Unlock with an unreadable lockout state succeeded")
	}
}

// TestZeroFailuresIsAValidState: a state file saying 0 failures is not
// damaged (only a negative count is).
func TestZeroFailuresIsAValidState(t *testing.T) {
	t.Parallel()
	k, _, _ := newAlice(t)
	if err := os.WriteFile(k.statePath("alice"), []byte(`{"failures":0,"last_failure":"2025-03-04T08:00:00Z"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := k.Unlock("alice", goodPassword); err != nil {
		t.Errorf("Unlock with zero failures on file: %v", err)
	}
}

// TestFailuresThatCannotBeRecordedFailClosed: a wrong password whose
// failure cannot be written is still an error (never a success with an
// empty profile), carrying the write error; a damaged state that cannot
// be replaced by a lockout refuses even the right password.
func TestFailuresThatCannotBeRecordedFailClosed(t *testing.T) {
	t.Parallel()
	t.Run("a wrong password whose failure cannot be saved is refused, with the cause", func(t *testing.T) {
		t.Parallel()
		k := openTest(t, t.TempDir(), farFuture(), nil)
		if err := k.Create("alice", goodPassword, aliceProfile()); err != nil {
			t.Fatal(err)
		}
		_, err := k.Unlock("alice", otherPassword)
		var enc *json.MarshalerError
		if !errors.Is(err, ErrWrongPassword) || !errors.As(err, &enc) {
			t.Errorf("Unlock = %v, want ErrWrongPassword with the encoding error", err)
		}
	})
	t.Run("a damaged state that cannot be replaced refuses the right password", func(t *testing.T) {
		t.Parallel()
		k := openTest(t, t.TempDir(), farFuture(), nil)
		if err := k.Create("alice", goodPassword, aliceProfile()); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(k.statePath("alice"), []byte("{"), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := k.Unlock("alice", goodPassword); err == nil {
			t.Error("Unlock succeeded")
		}
	})
}

// TestProfilesThatCannotBeSealedAreRefused: a profile encoding/json
// cannot write fails Create and ChangePassword, and leaves no new vault.
func TestProfilesThatCannotBeSealedAreRefused(t *testing.T) {
	t.Parallel()
	bad := aliceProfile()
	bad.AuthenticatedAt = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	t.Run("Create refuses it and writes nothing", func(t *testing.T) {
		t.Parallel()
		k := openTest(t, t.TempDir(), newClock(), nil)
		if err := k.Create("alice", goodPassword, bad); err == nil {
			t.Error("Create succeeded")
		}
		if k.Exists("alice") {
			t.Error("a vault was written")
		}
	})
	t.Run("ChangePassword refuses it and keeps the old password", func(t *testing.T) {
		t.Parallel()
		k, _, _ := newAlice(t)
		if err := k.ChangePassword("alice", goodPassword, otherPassword, &bad); err == nil {
			t.Error("ChangePassword succeeded")
		}
		if _, err := k.Unlock("alice", goodPassword); err != nil {
			t.Errorf("the old password no longer opens the vault: %v", err)
		}
	})
}

// TestStateThatCannotBeClearedIsAnError: Create and Remove must clear the
// lockout state; when they cannot, they say so instead of leaving a
// lockout behind a fresh password.
func TestStateThatCannotBeClearedIsAnError(t *testing.T) {
	t.Parallel()
	t.Run("Create", func(t *testing.T) {
		t.Parallel()
		k := openTest(t, t.TempDir(), newClock(), nil)
		occupy(t, k.statePath("alice"))
		if err := k.Create("alice", goodPassword, aliceProfile()); err == nil {
			t.Error("Create succeeded")
		}
	})
	t.Run("Remove", func(t *testing.T) {
		t.Parallel()
		k, _, _ := newAlice(t)
		occupy(t, k.statePath("alice"))
		if err := k.Remove("alice"); err == nil || errors.Is(err, ErrNoVault) {
			t.Errorf("Remove = %v, want an I/O error", err)
		}
	})
	t.Run("Remove of a vault that cannot be deleted", func(t *testing.T) {
		t.Parallel()
		k := openTest(t, t.TempDir(), newClock(), nil)
		occupy(t, k.vaultPath("alice"))
		if err := k.Remove("alice"); err == nil || errors.Is(err, ErrNoVault) {
			t.Errorf("Remove = %v, want an I/O error", err)
		}
	})
}

// TestAuditEvents checks what the log says about successes: no error and
// no tampered event after a clean unlock, and whether a change replaced
// the cached profile.
func TestAuditEvents(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	k := openTest(t, t.TempDir(), newClock(), slog.New(rec))
	if err := k.Create("alice", goodPassword, aliceProfile()); err != nil {
		t.Fatal(err)
	}
	k.Unlock("alice", otherPassword)
	if _, err := k.Unlock("alice", goodPassword); err != nil {
		t.Fatal(err)
	}
	if warnings := rec.events(slog.LevelWarn); len(warnings) != 1 || warnings[0]["event"] != "failure" {
		t.Errorf("warnings and errors = %v, want only the one failure", warnings)
	}
	if err := k.ChangePassword("alice", goodPassword, otherPassword, nil); err != nil {
		t.Fatal(err)
	}
	p := aliceProfile()
	if err := k.ChangePassword("alice", otherPassword, goodPassword, &p); err != nil {
		t.Fatal(err)
	}
	var replaced []any
	for _, e := range rec.events(slog.LevelInfo) {
		if e["event"] == "changed" {
			replaced = append(replaced, e["profile_replaced"])
		}
	}
	if len(replaced) != 2 || replaced[0] != false || replaced[1] != true {
		t.Errorf("profile_replaced of the two changes = %v, want [false true]", replaced)
	}
}
