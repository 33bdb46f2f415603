package keychain

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"loginshell/internal/user"
)

// The vault keeps the provider's groups apart from its roles, and a vault
// sealed before groups were kept still opens (issue 21.9).
func TestVaultKeepsGroups(t *testing.T) {
	t.Parallel()

	t.Run("roles and groups come back as sealed", func(t *testing.T) {
		t.Parallel()
		k := openTest(t, t.TempDir(), newClock(), nil)
		p := aliceProfile()
		p.Roles, p.Groups = []string{"Operator"}, []string{"Line 4", "Shift B"}
		if err := k.Create("alice", goodPassword, p); err != nil {
			t.Fatal(err)
		}
		got, err := k.Unlock("alice", goodPassword)
		if err != nil || !reflect.DeepEqual(got, p) {
			t.Errorf("Unlock = %+v, %v; want %+v", got, err, p)
		}
	})

	// testdata/vault-before-groups holds olga's vault as the keychain
	// wrote it before user.Profile had Groups (password olga-offline-1,
	// the tests' cheap argon2id parameters).
	t.Run("a vault sealed before groups opens, with roles and no groups, and takes groups at the next change", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		old, err := os.ReadFile(filepath.Join("testdata", "vault-before-groups", "6f6c6761.vault"))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "6f6c6761.vault"), old, 0o600); err != nil {
			t.Fatal(err)
		}
		k := openTest(t, dir, newClock(), nil)
		got, err := k.Unlock("olga", "olga-offline-1")
		want := user.Profile{Username: "olga", Name: "Olga Operator", Email: "olga@example.com", Roles: []string{"Operator", "Line 4"},
			IdP: "https://idp.example.com", AuthenticatedAt: time.Date(2026, 5, 4, 7, 0, 0, 0, time.UTC)}
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("Unlock of the old vault = %+v, %v; want %+v", got, err, want)
		}
		// The next online sign-in's profile, with groups, replaces it.
		fresh := want
		fresh.Groups = []string{"Line 4"}
		if err := k.ChangePassword("olga", "olga-offline-1", "olga-offline-2", &fresh); err != nil {
			t.Fatal(err)
		}
		if got, err := k.Unlock("olga", "olga-offline-2"); err != nil || !reflect.DeepEqual(got.Groups, []string{"Line 4"}) {
			t.Errorf("Unlock after the change = %+v, %v; want groups [Line 4]", got, err)
		}
	})
}
