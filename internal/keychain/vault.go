package keychain

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/chacha20poly1305"
	"loginshell/internal/atomicfile"
	"loginshell/internal/user"
)

// The vault file is JSON:
//
//	{"body":{"version":1,"username":"alice","kdf":"argon2id",
//	         "params":{"time":3,"memory_kib":65536,"threads":2},
//	         "salt":"<base64>","nonce":"<base64>","sealed":"<base64>"},
//	 "sha256":"<hex of the exact body bytes>"}
//
// sealed is XChaCha20-Poly1305 over the profile JSON, keyed by
// argon2id(NFKC(password), salt, params), with additionalData binding the
// version, username, params and salt.
const (
	vaultVersion = 1
	kdfName      = "argon2id"
	saltLen      = 32
	keyLen       = chacha20poly1305.KeySize
	adLabel      = "loginshell keychain vault\x00"
	maxVaultSize = 1 << 20 // a profile is a few hundred bytes
)

type vaultFile struct {
	Body   json.RawMessage `json:"body"`
	SHA256 string          `json:"sha256"`
}

type vaultBody struct {
	Version  int    `json:"version"`
	Username string `json:"username"`
	KDF      string `json:"kdf"`
	Params   Params `json:"params"`
	Salt     []byte `json:"salt"`
	Nonce    []byte `json:"nonce"`
	Sealed   []byte `json:"sealed"`
}

// additionalData binds the header to the seal, so changing the username,
// params or salt in the file breaks the seal even with the checksum redone.
func (b *vaultBody) additionalData() []byte {
	ad := []byte(adLabel)
	ad = append(ad, byte(b.Version))
	ad = binary.BigEndian.AppendUint16(ad, uint16(len(b.Username)))
	ad = append(ad, b.Username...)
	ad = binary.BigEndian.AppendUint32(ad, b.Params.Time)
	ad = binary.BigEndian.AppendUint32(ad, b.Params.MemoryKiB)
	ad = append(ad, b.Params.Threads)
	return append(ad, b.Salt...)
}

func deriveKey(password string, salt []byte, p Params) []byte {
	return argon2.IDKey([]byte(normalize(password)), salt, p.Time, p.MemoryKiB, p.Threads, keyLen)
}

// seal builds a vault file for username with a fresh salt and nonce.
func seal(username, password string, profile user.Profile, p Params) ([]byte, error) {
	plain, err := json.Marshal(profile)
	if err != nil {
		return nil, fmt.Errorf("encode profile: %w", err)
	}
	b := vaultBody{
		Version:  vaultVersion,
		Username: username,
		KDF:      kdfName,
		Params:   p,
		Salt:     make([]byte, saltLen),
		Nonce:    make([]byte, chacha20poly1305.NonceSizeX),
	}
	rand.Read(b.Salt)
	rand.Read(b.Nonce)
	key := deriveKey(password, b.Salt, p)
	defer clear(key)
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return nil, fmt.Errorf("seal profile: %w", err)
	}
	b.Sealed = aead.Seal(nil, b.Nonce, plain, b.additionalData())
	body, err := json.Marshal(&b)
	if err != nil {
		return nil, fmt.Errorf("encode vault: %w", err)
	}
	sum := sha256.Sum256(body)
	return json.Marshal(vaultFile{Body: body, SHA256: hex.EncodeToString(sum[:])})
}

// parse runs every check that needs no password: size, JSON, checksum,
// version, username, parameter bounds and field lengths. Any failure wraps
// ErrTampered, and none of them runs argon2id.
func parse(data []byte, username string, minimum Params) (*vaultBody, error) {
	if len(data) > maxVaultSize {
		return nil, fmt.Errorf("%w: file is %d bytes", ErrTampered, len(data))
	}
	var f vaultFile
	if err := strictUnmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("%w: not a vault file: %v", ErrTampered, err)
	}
	want, err := hex.DecodeString(f.SHA256)
	got := sha256.Sum256(f.Body)
	if err != nil || subtle.ConstantTimeCompare(want, got[:]) != 1 {
		return nil, fmt.Errorf("%w: checksum mismatch", ErrTampered)
	}
	var b vaultBody
	if err := strictUnmarshal(f.Body, &b); err != nil {
		return nil, fmt.Errorf("%w: malformed body: %v", ErrTampered, err)
	}
	switch {
	case b.Version != vaultVersion:
		return nil, fmt.Errorf("%w: unknown version %d", ErrTampered, b.Version)
	case b.Username != username:
		return nil, fmt.Errorf("%w: file belongs to another username", ErrTampered)
	case b.KDF != kdfName:
		return nil, fmt.Errorf("%w: unknown key derivation %q", ErrTampered, b.KDF)
	case len(b.Salt) != saltLen:
		return nil, fmt.Errorf("%w: salt is %d bytes", ErrTampered, len(b.Salt))
	case len(b.Nonce) != chacha20poly1305.NonceSizeX:
		return nil, fmt.Errorf("%w: nonce is %d bytes", ErrTampered, len(b.Nonce))
	case len(b.Sealed) < chacha20poly1305.Overhead:
		return nil, fmt.Errorf("%w: sealed profile is %d bytes", ErrTampered, len(b.Sealed))
	}
	if err := b.Params.check(minimum); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrTampered, err)
	}
	return &b, nil
}

// open derives the key and opens the seal. A seal that does not open is a
// wrong password: after parse, nothing else can tell the two apart.
func (b *vaultBody) open(password string) (user.Profile, error) {
	key := deriveKey(password, b.Salt, b.Params)
	defer clear(key)
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return user.Profile{}, fmt.Errorf("open seal: %w", err)
	}
	plain, err := aead.Open(nil, b.Nonce, b.Sealed, b.additionalData())
	if err != nil {
		return user.Profile{}, ErrWrongPassword
	}
	var p user.Profile
	if err := json.Unmarshal(plain, &p); err != nil || p.Username != b.Username {
		// Only reachable through a bug: the seal authenticated this content.
		return user.Profile{}, fmt.Errorf("%w: sealed profile does not match", ErrTampered)
	}
	return p, nil
}

// readVault loads and checks username's vault without a password.
func (k *Keychain) readVault(username string) (*vaultBody, error) {
	f, err := os.Open(k.vaultPath(username))
	if errors.Is(err, os.ErrNotExist) {
		return nil, ErrNoVault
	}
	if err != nil {
		return nil, fmt.Errorf("read vault: %w", err)
	}
	defer f.Close()
	// One byte past the limit is enough for parse to refuse an oversized file.
	data, err := io.ReadAll(io.LimitReader(f, maxVaultSize+1))
	if err != nil {
		return nil, fmt.Errorf("read vault: %w", err)
	}
	b, err := parse(data, username, k.minimum)
	if err != nil {
		k.log.Warn("keychain vault refused", "event", "tampered", "user", username, "reason", err)
	}
	return b, err
}

func (k *Keychain) writeVault(username, password string, p user.Profile) error {
	data, err := seal(username, password, p, k.params)
	if err != nil {
		return err
	}
	if err := atomicfile.Write(k.vaultPath(username), data, 0o600); err != nil {
		return fmt.Errorf("write vault: %w", err)
	}
	return nil
}

func strictUnmarshal(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if err := dec.Decode(&json.RawMessage{}); err != io.EOF {
		return errors.New("trailing data after the JSON value")
	}
	return nil
}
