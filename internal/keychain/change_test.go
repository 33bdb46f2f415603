package keychain

import (
	"errors"
	"reflect"
	"testing"

	"loginshell/internal/user"
)

func TestChangePassword(t *testing.T) {
	t.Parallel()
	const newPassword = "a brand new password"
	updated := aliceProfile()
	updated.Roles = []string{"supervisor"}
	mallory := aliceProfile()
	mallory.Username = "mallory"
	tests := []struct {
		name        string
		old, new    string
		profile     *user.Profile
		wantErr     error
		wantProfile user.Profile // after a successful change
	}{
		{"the right old password changes it and keeps the profile", goodPassword, newPassword, nil, nil, aliceProfile()},
		{"a new profile replaces the cached one", goodPassword, newPassword, &updated, nil, updated},
		{"a wrong old password is refused", otherPassword, newPassword, nil, ErrWrongPassword, user.Profile{}},
		{"a weak new password is refused", goodPassword, "1234567", nil, ErrWeakPassword, user.Profile{}},
		{"a profile for another user is refused", goodPassword, newPassword, &mallory, ErrProfileMismatch, user.Profile{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			k, _, _ := newAlice(t)
			err := k.ChangePassword("alice", tt.old, tt.new, tt.profile)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("ChangePassword = %v, want %v", err, tt.wantErr)
			}
			if tt.wantErr != nil {
				if _, err := k.Unlock("alice", goodPassword); err != nil {
					t.Errorf("a refused change broke the old password: %v", err)
				}
				return
			}
			if _, err := k.Unlock("alice", goodPassword); !errors.Is(err, ErrWrongPassword) {
				t.Errorf("old password after the change = %v, want ErrWrongPassword", err)
			}
			got, err := k.Unlock("alice", newPassword)
			if err != nil {
				t.Fatalf("new password after the change: %v", err)
			}
			if !reflect.DeepEqual(got, tt.wantProfile) {
				t.Errorf("profile = %+v, want %+v", got, tt.wantProfile)
			}
		})
	}
}

func TestChangePasswordCountsWrongOldPasswords(t *testing.T) {
	t.Parallel()
	k, _, _ := newAlice(t)
	for range LockoutThreshold {
		k.ChangePassword("alice", otherPassword, "a brand new password", nil)
	}
	if _, err := k.Unlock("alice", goodPassword); !errors.Is(err, ErrLocked) {
		t.Fatalf("Unlock after %d wrong old passwords = %v, want ErrLocked", LockoutThreshold, err)
	}
}

func TestChangePasswordUpgradesParams(t *testing.T) {
	t.Parallel()
	k, clock, dir := newAlice(t)
	stronger := Params{Time: 2, MemoryKiB: 128, Threads: 2}
	k2, err := Open(Options{Dir: dir, Now: clock.Now, Params: stronger, Log: k.log, InsecureAllowWeakParams: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := k2.ChangePassword("alice", goodPassword, otherPassword, nil); err != nil {
		t.Fatal(err)
	}
	b, err := k2.readVault("alice")
	if err != nil {
		t.Fatal(err)
	}
	if b.Params != stronger {
		t.Errorf("params after the change = %v, want %v", b.Params, stronger)
	}
}

func TestChangePasswordWithoutVault(t *testing.T) {
	t.Parallel()
	k := openTest(t, t.TempDir(), newClock(), nil)
	if err := k.ChangePassword("alice", goodPassword, otherPassword, nil); !errors.Is(err, ErrNoVault) {
		t.Fatalf("ChangePassword = %v, want ErrNoVault", err)
	}
}
