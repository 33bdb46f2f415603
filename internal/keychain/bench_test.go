package keychain

import (
	"log/slog"
	"testing"
	"time"
)

// BenchmarkUnlock measures one offline login with DefaultParams: the time a
// person waits at the prompt, and the cost of one guess for an attacker who
// copied the vault.
func BenchmarkUnlock(b *testing.B) {
	k, err := Open(Options{Dir: b.TempDir(), Now: time.Now, Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	if err := k.Create("alice", goodPassword, aliceProfile()); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := k.Unlock("alice", goodPassword); err != nil {
			b.Fatal(err)
		}
	}
}
