// Package keychain is the offline credential vault: one file per user whose
// profile (cached from the last online login) is sealed with a key derived
// from the user's offline password, so that an offline login can restore the
// same user service an online login produced.
//
// There is no stored password hash. argon2id turns the password and a random
// per-vault salt into a key; the key opens an XChaCha20-Poly1305 sealed JSON
// profile whose header (version, username, argon2id parameters, salt) is bound
// as additional data. A wrong password simply fails to open the seal.
//
// A vault file also carries an unkeyed SHA-256 checksum of its content, and
// its structure and parameters are checked before any key is derived, so an
// edited or damaged file is told apart from a wrong password ([ErrTampered]).
// The checksum is not a signature: someone who can write the directory and
// recomputes it makes an edit look like a wrong password at worst, and can
// always replace a vault with one of their own. Protecting the directory (a
// per-user profile directory, mode 0700) is the caller's job.
//
// Consecutive wrong passwords are counted per user in a small state file next
// to the vault, so the vault is never rewritten on failure and the count
// survives restarts; see [LockoutThreshold] for the policy.
//
// The package does NOT decide who may set up or remove a vault: the shell
// requires a fresh online login for that user (internal/auth, Setup and
// Update) before [Keychain.Create] or
// [Keychain.Remove], and callers enforce it.
package keychain

import (
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"loginshell/internal/fault"
)

// MaxUsernameBytes bounds a username so that its file name (hex, plus an
// extension) stays under the 255-byte name limit of common file systems.
const MaxUsernameBytes = 100

// Options configures [Open].
type Options struct {
	// Dir holds the vault and state files; it is created (mode 0700) if missing.
	Dir string
	// Now is the clock used for lockout; required.
	Now func() time.Time
	// Params are the argon2id parameters for vaults written from now on
	// (Create, ChangePassword). Zero means [DefaultParams]. Vaults already on
	// disk keep the parameters stored in them until their password changes.
	Params Params
	// Log receives the events failure, lockout, locked (an attempt refused
	// during a lockout), created, changed, removed, tampered and cleanup (an
	// unfinished write removed by Open), keyed "event", with the username
	// and failure count; never a password.
	// Required, because every failure and lockout must leave a trace.
	Log *slog.Logger
	// InsecureAllowWeakParams accepts argon2id parameters below the OWASP
	// minimum ([MinParams]), both in Params and in vault files read back.
	// It exists so tests can use cheap parameters. Production code MUST NOT
	// set it: with it on, a vault file whose parameters were lowered is no
	// longer refused as tampered.
	InsecureAllowWeakParams bool
}

// Keychain opens, creates and updates the vaults in one directory. It is safe
// for concurrent use; operations run one at a time, which also keeps at most
// one argon2id computation (tens of MiB) in memory and makes the lockout
// check and the failure count atomic. It does not coordinate with other
// processes using the same directory.
type Keychain struct {
	dir     string
	now     func() time.Time
	params  Params
	minimum Params
	log     *slog.Logger

	mu sync.Mutex
}

// Open returns a Keychain over opts.Dir. It refuses a missing clock or
// logger, and parameters below the OWASP minimum unless
// opts.InsecureAllowWeakParams is set. It removes the temporary files of
// vault and state writes a crash cut short (see removeStaleTemps).
func Open(opts Options) (*Keychain, error) {
	if opts.Dir == "" {
		return nil, errors.New("open keychain: no directory")
	}
	if opts.Now == nil {
		return nil, errors.New("open keychain: no clock")
	}
	if opts.Log == nil {
		return nil, errors.New("open keychain: no logger")
	}
	minimum := MinParams()
	if opts.InsecureAllowWeakParams {
		minimum = insecureMinParams()
	}
	params := opts.Params
	if params == (Params{}) {
		params = DefaultParams()
	}
	if err := params.check(minimum); err != nil {
		return nil, fmt.Errorf("open keychain: %w", err)
	}
	if err := os.MkdirAll(opts.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("open keychain: %w", err)
	}
	removeStaleTemps(opts.Dir, opts.Now(), opts.Log)
	return &Keychain{
		dir:     opts.Dir,
		now:     opts.Now,
		params:  params,
		minimum: minimum,
		log:     opts.Log,
	}, nil
}

// Exists reports whether username has a vault. An invalid username has none.
func (k *Keychain) Exists(username string) bool {
	if checkUsername(username) != nil {
		return false
	}
	_, err := os.Stat(k.vaultPath(username))
	return err == nil
}

// Users lists the users who have an offline password on this computer,
// sorted: the people who may sign in offline at a station a shift shares.
// It reads only file names (no vault is opened), so it says nothing about
// whether a vault is intact. Callers decide who may see the list: it names
// people, but holds no secret.
func (k *Keychain) Users() ([]string, error) {
	entries, err := os.ReadDir(k.dir)
	if err != nil {
		return nil, fmt.Errorf("list vaults: %w", err)
	}
	var users []string
	for _, e := range entries {
		stem, ok := strings.CutSuffix(e.Name(), ".vault")
		if !ok || !e.Type().IsRegular() {
			continue
		}
		b, err := hex.DecodeString(stem)
		if err != nil || checkUsername(string(b)) != nil || fileStem(string(b)) != stem {
			continue // not a name fileStem wrote
		}
		users = append(users, string(b))
	}
	sort.Strings(users)
	return users, nil
}

// Remove deletes the user's vault and lockout state, so a new offline
// password can be set up. It returns [ErrNoVault] (after clearing any
// lockout state) when there was no vault. Callers must have seen a fresh
// online login for username first: Remove also lifts a lockout.
func (k *Keychain) Remove(username string) error {
	if err := checkUsername(username); err != nil {
		return fmt.Errorf("remove vault: %w", err)
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if err := k.clearFailures(username); err != nil {
		return fmt.Errorf("remove vault: %w", err)
	}
	err := os.Remove(k.vaultPath(username))
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove vault: %w", ErrNoVault)
	}
	if err != nil {
		return fmt.Errorf("remove vault: %w", err)
	}
	k.log.Info("keychain vault removed", "event", "removed", "user", username)
	return nil
}

// fileStem maps any valid username to a file name safe on every platform:
// lowercase hex cannot collide on case-insensitive file systems, cannot hold
// a path separator and cannot spell a reserved Windows device name.
func fileStem(username string) string {
	return hex.EncodeToString([]byte(username))
}

func (k *Keychain) vaultPath(username string) string {
	return filepath.Join(k.dir, fileStem(username)+".vault")
}

func (k *Keychain) statePath(username string) string {
	return filepath.Join(k.dir, fileStem(username)+".state")
}

// checkUsername keeps usernames that survive a JSON round trip unchanged
// (valid UTF-8) and fit in a file name. Usernames are compared byte for byte:
// callers that treat "Alice" and "alice" as one person must normalise first.
func checkUsername(username string) error {
	switch {
	case username == "":
		return fault.Detail(ErrInvalidUsername, "empty")
	case len(username) > MaxUsernameBytes:
		return fault.Detail(ErrInvalidUsername, "longer than %d bytes", MaxUsernameBytes)
	case !utf8.ValidString(username):
		return fault.Detail(ErrInvalidUsername, "not valid UTF-8")
	}
	return nil
}
