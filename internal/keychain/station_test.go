package keychain

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"loginshell/internal/fault"
	"loginshell/internal/user"
)

func TestWrongPasswordSaysTheTriesLeft(t *testing.T) {
	t.Parallel()
	k, _, _ := newAlice(t)
	for i := 1; i < LockoutThreshold; i++ {
		_, err := k.Unlock("alice", otherPassword)
		if !errors.Is(err, ErrWrongPassword) {
			t.Fatalf("failure %d: %v, want ErrWrongPassword", i, err)
		}
		left := LockoutThreshold - i
		want := fmt.Sprintf("; %d tries left", left)
		if left == 1 {
			want = "; 1 try left"
		}
		if got := fault.Text(err); !strings.HasPrefix(got, "wrong offline password") || !strings.Contains(got, want) {
			t.Errorf("failure %d says %q, want the tries left (%q)", i, got, want)
		}
	}
}

func TestUsersListsTheStationsOfflineUsers(t *testing.T) {
	t.Parallel()
	k, _, dir := newAlice(t)
	for _, u := range []string{"zoë", "Bob"} {
		if err := k.Create(u, goodPassword, stationProfile(u)); err != nil {
			t.Fatal(err)
		}
	}
	// Neither a stray file nor a lockout state is a user.
	for _, name := range []string{"notes.txt", "zz.vault", fileStem("carol") + ".state"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	got, err := k.Users()
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"Bob", "alice", "zoë"}; !slices.Equal(got, want) {
		t.Errorf("Users() = %q, want %q", got, want)
	}
}

func stationProfile(username string) user.Profile {
	p := aliceProfile()
	p.Username, p.Name, p.Email = username, username, ""
	return p
}
