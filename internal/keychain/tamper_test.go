package keychain

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
)

// editBody rewrites the vault body through fn; with fixSum the checksum is
// recomputed, as an attacker who knows the format would.
func editBody(fn func(body map[string]any), fixSum bool) func(t *testing.T, data []byte) []byte {
	return func(t *testing.T, data []byte) []byte {
		t.Helper()
		var f vaultFile
		if err := json.Unmarshal(data, &f); err != nil {
			t.Fatal(err)
		}
		var body map[string]any
		if err := json.Unmarshal(f.Body, &body); err != nil {
			t.Fatal(err)
		}
		fn(body)
		newBody, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		f.Body = newBody
		if fixSum {
			sum := sha256.Sum256(newBody)
			f.SHA256 = hex.EncodeToString(sum[:])
		}
		out, err := json.Marshal(f)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
}

func flipSealedByte(body map[string]any) {
	sealed, _ := base64.StdEncoding.DecodeString(body["sealed"].(string))
	sealed[len(sealed)/2] ^= 0x01
	body["sealed"] = base64.StdEncoding.EncodeToString(sealed)
}

func setParams(p Params) func(map[string]any) {
	return func(body map[string]any) {
		body["params"] = map[string]any{"time": p.Time, "memory_kib": p.MemoryKiB, "threads": p.Threads}
	}
}

func raw(fn func([]byte) []byte) func(*testing.T, []byte) []byte {
	return func(_ *testing.T, data []byte) []byte { return fn(data) }
}

func TestTamperedVault(t *testing.T) {
	t.Parallel()
	lowered := Params{Time: 1, MemoryKiB: 32, Threads: 1}
	tests := []struct {
		name string
		edit func(t *testing.T, data []byte) []byte
		// strict reopens the directory with production bounds on parameters.
		strict  bool
		wantErr error
	}{
		{"a flipped ciphertext byte fails the checksum", editBody(flipSealedByte, false), false, ErrTampered},
		{"an edited username fails the checksum", editBody(func(b map[string]any) { b["username"] = "mallory" }, false), false, ErrTampered},
		{"an edited username with the checksum redone is refused", editBody(func(b map[string]any) { b["username"] = "mallory" }, true), false, ErrTampered},
		{"lowered params fail the checksum", editBody(setParams(lowered), false), false, ErrTampered},
		{"params below the OWASP minimum are refused in production", editBody(setParams(lowered), true), true, ErrTampered},
		{"a vault written with cheap params is refused in production", raw(func(d []byte) []byte { return d }), true, ErrTampered},
		{"params above the maximum are refused before any key is derived", editBody(setParams(Params{Time: 1, MemoryKiB: 4 << 20, Threads: 1}), true), false, ErrTampered},
		{"an unknown version is refused", editBody(func(b map[string]any) { b["version"] = 2 }, true), false, ErrTampered},
		{"an unknown key derivation is refused", editBody(func(b map[string]any) { b["kdf"] = "pbkdf2" }, true), false, ErrTampered},
		{"a short salt is refused", editBody(func(b map[string]any) { b["salt"] = "AAAA" }, true), false, ErrTampered},
		{"an unknown field is refused", editBody(func(b map[string]any) { b["hash"] = "x" }, true), false, ErrTampered},
		{"a truncated file is refused", raw(func(d []byte) []byte { return d[:len(d)/2] }), false, ErrTampered},
		{"an empty file is refused", raw(func([]byte) []byte { return nil }), false, ErrTampered},
		{"an oversized file is refused", raw(func(d []byte) []byte { return append(d, bytes.Repeat([]byte(" "), maxVaultSize)...) }), false, ErrTampered},
		{"trailing data is refused", raw(func(d []byte) []byte { return append(d, "{}"...) }), false, ErrTampered},
		// With the checksum redone, only the seal is left to notice, and a
		// broken seal cannot be told from a wrong password.
		{"a flipped ciphertext byte with the checksum redone looks like a wrong password", editBody(flipSealedByte, true), false, ErrWrongPassword},
		{"lowered params with the checksum redone break the seal", editBody(setParams(lowered), true), false, ErrWrongPassword},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			k, clock, dir := newAlice(t)
			data, err := os.ReadFile(k.vaultPath("alice"))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(k.vaultPath("alice"), tt.edit(t, data), 0o600); err != nil {
				t.Fatal(err)
			}
			if tt.strict {
				k, err = Open(Options{Dir: dir, Now: clock.Now, Log: k.log})
				if err != nil {
					t.Fatal(err)
				}
			}
			_, err = k.Unlock("alice", goodPassword)
			t.Logf("Unlock: %v", err)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Unlock = %v, want %v", err, tt.wantErr)
			}
			if tt.wantErr != ErrTampered {
				return
			}
			if msg := err.Error(); !strings.Contains(msg, "modified or damaged") || !strings.Contains(msg, "online login") {
				t.Errorf("message %q does not tell the user what happened and what to do", msg)
			}
			if _, err := os.Stat(k.statePath("alice")); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("a tampered vault counted as a failed attempt (state file: %v)", err)
			}
		})
	}
}
