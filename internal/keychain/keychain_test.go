package keychain

import (
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"loginshell/internal/user"
)

func TestOpen(t *testing.T) {
	t.Parallel()
	log := slog.New(slog.DiscardHandler)
	now := time.Now
	tests := []struct {
		name    string
		opts    func(dir string) Options
		wantErr string
	}{
		{"a complete configuration opens and creates the directory", func(dir string) Options {
			return Options{Dir: filepath.Join(dir, "vaults"), Now: now, Log: log}
		}, ""},
		{"a missing directory is refused", func(string) Options { return Options{Now: now, Log: log} }, "no directory"},
		{"a missing clock is refused", func(dir string) Options { return Options{Dir: dir, Log: log} }, "no clock"},
		{"a missing logger is refused", func(dir string) Options { return Options{Dir: dir, Now: now} }, "no logger"},
		{"parameters below the OWASP minimum are refused", func(dir string) Options {
			return Options{Dir: dir, Now: now, Log: log, Params: Params{Time: 1, MemoryKiB: 19 * 1024, Threads: 1}}
		}, "below the minimum"},
		{"parameters above the maximum are refused", func(dir string) Options {
			return Options{Dir: dir, Now: now, Log: log, Params: Params{Time: 3, MemoryKiB: 4 << 20, Threads: 1}}
		}, "above the maximum"},
		{"cheap parameters pass only with the insecure switch", func(dir string) Options {
			return Options{Dir: dir, Now: now, Log: log, Params: cheapParams, InsecureAllowWeakParams: true}
		}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			opts := tt.opts(t.TempDir())
			k, err := Open(opts)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Open error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			if _, err := os.Stat(opts.Dir); err != nil {
				t.Errorf("directory not created: %v", err)
			}
			if opts.Params == (Params{}) && k.params != DefaultParams() {
				t.Errorf("params = %v, want DefaultParams", k.params)
			}
		})
	}
}

func TestCreateAndUnlock(t *testing.T) {
	t.Parallel()
	withoutName := aliceProfile()
	withoutName.Username = ""
	bob := aliceProfile()
	bob.Username = "bob"
	tests := []struct {
		name     string
		username string
		password string
		profile  user.Profile
		unlockAs string // password given to Unlock
		wantErr  error  // from Create, or else from Unlock
	}{
		{"the right password returns the cached profile", "alice", goodPassword, aliceProfile(), goodPassword, nil},
		{"a wrong password is refused", "alice", goodPassword, aliceProfile(), otherPassword, ErrWrongPassword},
		{"an empty password is refused at unlock", "alice", goodPassword, aliceProfile(), "", ErrWrongPassword},
		{"an empty profile username is filled in", "alice", goodPassword, withoutName, goodPassword, nil},
		{"a username that is not a file name works", "../../etc/PASS wd:*?", goodPassword, user.Profile{}, goodPassword, nil},
		{"a composed and a decomposed password are the same (NFKC)", "alice", "p\u00e4ssw\u00f6rd-1", aliceProfile(), "pa\u0308sswo\u0308rd-1", nil},
		{"a profile for another user is refused", "alice", goodPassword, bob, goodPassword, ErrProfileMismatch},
		{"a weak password is refused at setup", "alice", "short", aliceProfile(), "short", ErrWeakPassword},
		{"an empty username is refused", "", goodPassword, user.Profile{}, goodPassword, ErrInvalidUsername},
		{"an overlong username is refused", strings.Repeat("a", MaxUsernameBytes+1), goodPassword, user.Profile{}, goodPassword, ErrInvalidUsername},
		{"a username that is not UTF-8 is refused", "al\xffice", goodPassword, user.Profile{}, goodPassword, ErrInvalidUsername},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			k := openTest(t, t.TempDir(), newClock(), nil)
			err := k.Create(tt.username, tt.password, tt.profile)
			if err == nil {
				var got user.Profile
				got, err = k.Unlock(tt.username, tt.unlockAs)
				if err == nil {
					want := tt.profile
					want.Username = tt.username
					if !reflect.DeepEqual(got, want) {
						t.Errorf("Unlock = %+v, want %+v", got, want)
					}
				}
			}
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("error = %v, want %v", err, tt.wantErr)
			}
		})
	}
}

func TestCreateRefusesAnExistingVault(t *testing.T) {
	t.Parallel()
	k, _, _ := newAlice(t)
	if err := k.Create("alice", otherPassword, aliceProfile()); !errors.Is(err, ErrExists) {
		t.Fatalf("second Create = %v, want ErrExists", err)
	}
	if _, err := k.Unlock("alice", goodPassword); err != nil {
		t.Fatalf("the first password no longer unlocks: %v", err)
	}
}

func TestVaultFileMode(t *testing.T) {
	t.Parallel()
	k, _, _ := newAlice(t)
	fi, err := os.Stat(k.vaultPath("alice"))
	if err != nil {
		t.Fatal(err)
	}
	if mode := fi.Mode().Perm(); mode&0o077 != 0 && os.PathSeparator == '/' {
		t.Errorf("vault mode = %v, want no group or other access", mode)
	}
}

func TestExistsAndRemove(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		create     bool
		wantExists bool
		wantErr    error
	}{
		{"a created vault exists and can be removed", true, true, nil},
		{"a missing vault does not exist and Remove says so", false, false, ErrNoVault},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			k := openTest(t, t.TempDir(), newClock(), nil)
			if tt.create {
				if err := k.Create("alice", goodPassword, aliceProfile()); err != nil {
					t.Fatal(err)
				}
			}
			if got := k.Exists("alice"); got != tt.wantExists {
				t.Errorf("Exists before Remove = %v, want %v", got, tt.wantExists)
			}
			if err := k.Remove("alice"); !errors.Is(err, tt.wantErr) {
				t.Errorf("Remove = %v, want %v", err, tt.wantErr)
			}
			if k.Exists("alice") {
				t.Error("Exists after Remove = true")
			}
			if _, err := k.Unlock("alice", goodPassword); !errors.Is(err, ErrNoVault) {
				t.Errorf("Unlock after Remove = %v, want ErrNoVault", err)
			}
			if err := k.Create("alice", otherPassword, aliceProfile()); err != nil {
				t.Errorf("Create after Remove: %v", err)
			}
		})
	}
	t.Run("an invalid username never exists", func(t *testing.T) {
		t.Parallel()
		k := openTest(t, t.TempDir(), newClock(), nil)
		if k.Exists("") {
			t.Error(`Exists("") = true`)
		}
	})
}

func TestConcurrentFailuresAreAllCounted(t *testing.T) {
	t.Parallel()
	k, _, _ := newAlice(t)
	const n = LockoutThreshold - 1
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			if _, err := k.Unlock("alice", otherPassword); !errors.Is(err, ErrWrongPassword) {
				t.Errorf("Unlock = %v, want ErrWrongPassword", err)
			}
		})
	}
	wg.Wait()
	s, err := k.loadState("alice")
	if err != nil {
		t.Fatal(err)
	}
	if s.Failures != n {
		t.Errorf("failures on disk = %d, want %d", s.Failures, n)
	}
}
