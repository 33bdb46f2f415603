package keychain

import (
	"crypto/rand"
	"log/slog"
	"testing"
	"time"

	"golang.org/x/crypto/argon2"
)

// BenchmarkUnlock measures one offline login with DefaultParams: the time a
// person waits at the prompt, and the cost of one guess for an attacker who
// copied the vault. Its floor is argon2.IDKey alone with the same
// parameters (sub-benchmark "floor"): what any offline login must pay. The
// two run in one binary, one after the other, so `make bench` can
// interleave them and report the ratio.
func BenchmarkUnlock(b *testing.B) {
	b.Run("floor=argon2.IDKey", func(b *testing.B) {
		p := DefaultParams()
		salt := make([]byte, 16)
		rand.Read(salt)
		// Warm: the first call maps its 64 MiB fresh; the shell's
		// sub-benchmark gets that memory back from the runtime.
		argon2.IDKey([]byte(goodPassword), salt, p.Time, p.MemoryKiB, p.Threads, keyLen)
		for b.Loop() {
			argon2.IDKey([]byte(goodPassword), salt, p.Time, p.MemoryKiB, p.Threads, keyLen)
		}
	})
	b.Run("loginshell=Unlock", func(b *testing.B) {
		k, err := Open(Options{Dir: b.TempDir(), Now: time.Now, Log: slog.New(slog.DiscardHandler)})
		if err != nil {
			b.Fatal(err)
		}
		if err := k.Create("alice", goodPassword, aliceProfile()); err != nil {
			b.Fatal(err)
		}
		if _, err := k.Unlock("alice", goodPassword); err != nil { // warm, as the floor
			b.Fatal(err)
		}
		for b.Loop() {
			if _, err := k.Unlock("alice", goodPassword); err != nil {
				b.Fatal(err)
			}
		}
	})
}
