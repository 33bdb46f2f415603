// Package settings holds the user settings dictionary of the container
// (/pmapi/usersettings): login_url and the rest. It is persisted as one
// JSON file written atomically, so a crash never leaves half a file.
package settings

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"loginshell/internal/atomicfile"
	"loginshell/internal/fault"
)

// Keys the shell itself reads. Others are stored for pages and left alone.
const (
	LoginURL     = "login_url"
	ClientID     = "client_id"
	ClientSecret = "client_secret"
	Scopes       = "scopes"
	RolesClaim   = "roles_claim"
	// GroupsClaim names the provider's claim holding the person's
	// groups, kept apart from their roles (RolesClaim); absent means
	// "groups".
	GroupsClaim          = "groups_claim"
	LoginBrowser         = "login_browser"
	LoginTimeout         = "login_timeout"
	Prompt               = "prompt"
	MaxAge               = "max_age"
	AllowOfflineFallback = "allow_offline_fallback"
	// RedirectPort fixes the loopback port of the sign-in redirect
	// (http://127.0.0.1:<port>/callback) for identity providers that
	// compare redirect URIs exactly; absent or 0 means a port the system
	// picks at each sign-in (RFC 8252 §7.3). Merge refuses anything but a
	// whole number from 0 to 65535.
	RedirectPort = "redirect_port"
	// SignatureStore is where signature requests and the audit trail are
	// kept: "" (absent) for the SQLite file in the data directory, or a
	// PostgreSQL DSN (postgres://USER@HOST/DATABASE?sslmode=verify-full)
	// the plant's stations share. It is read at start. Merge refuses a
	// DSN that holds a password: settings.json is readable by pages
	// (/pmapi/usersettings), so the password goes into ~/.pgpass or
	// PGPASSWORD of the account the shell runs as.
	SignatureStore = "signature_store"
	// AlertCommand is a program the station runs for each signature
	// alert it raises (internal/alert.Command): the value split at white
	// space into the program and its arguments, run without a shell, the
	// alert as JSON on its stdin, killed after 10 s. "" (absent) runs
	// nothing. It is read at each alert. A shell key: a page that could
	// set it would run a program of its choosing on the station.
	AlertCommand = "alert_command"
	// InstallerRole restricts installing packages from the window and the
	// browser (Install package…, Install folder…, a drop) to the people
	// whose roles include it (compared as signature clauses compare
	// roles, strings.EqualFold); "" (absent) lets every signed-in person
	// install. Nobody installs before signing in, whatever it holds. A
	// shell key: a page that could clear it would lift the restriction.
	// `loginshell install` on the command line is the plant's and is not
	// restricted.
	InstallerRole = "installer_role"
)

// shellKeys are the settings the shell itself reads: how and where people
// sign in, and where signatures are kept. They are the chrome's and the
// plant's (command line, Settings), never a hosted page's: a page that set
// login_url could point signatures at a provider it controls.
var shellKeys = []string{LoginURL, ClientID, ClientSecret, Scopes, RolesClaim, GroupsClaim, LoginBrowser, LoginTimeout, Prompt, MaxAge,
	AllowOfflineFallback, RedirectPort, SignatureStore, AlertCommand, InstallerRole}

// IsShellKey reports whether key (in any letter case, around any spaces,
// or under an alias such as server_url) names a setting the shell itself
// reads. Every key the shell reads is one, so a key added later is
// protected by being added to the list of keys above.
func IsShellKey(key string) bool {
	k := strings.ToLower(strings.TrimSpace(key))
	if a, ok := aliases[k]; ok {
		k = a
	}
	return slices.Contains(shellKeys, k)
}

// Canonical is the shell's own name of key: its alias resolved
// (server_url is login_url), else key as given.
func Canonical(key string) string {
	if a, ok := aliases[strings.ToLower(strings.TrimSpace(key))]; ok {
		return a
	}
	return key
}

// aliases maps keys written by pages for the mobile container to the
// shell's own names.
var aliases = map[string]string{"server_url": LoginURL}

// ErrNotFound is returned by Get for a key that holds no value.
var ErrNotFound = fault.New(fault.NotFound, "no such setting")

// Store is the persisted settings dictionary. Safe for concurrent use.
type Store struct {
	writeMu sync.Mutex // one writer at a time, held across the file write
	mu      sync.Mutex // guards data; never held across I/O
	path    string     // "" keeps settings in memory only
	data    map[string]any

	evidence evidence // guarded by writeMu

	notedMu sync.Mutex        // guards noted, held across its file write
	noted   map[string]string // the Recorded values the trail last took (Noted)
}

// Open loads the settings file at path (absent means empty). An empty path
// gives an in-memory store.
func Open(path string) (*Store, error) {
	s := &Store{path: path, data: map[string]any{}}
	if path == "" {
		return s, nil
	}
	b, err := os.ReadFile(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		// Empty; if the trail had a login server, its removal is found below.
	case err != nil:
		return nil, fmt.Errorf("read settings: %w", err)
	default:
		if err := json.Unmarshal(b, &s.data); err != nil {
			return nil, fmt.Errorf("settings file %s is not a JSON object (%v); fix or delete it", path, err)
		}
		if s.data == nil {
			s.data = map[string]any{}
		}
	}
	n := readNoted(path)
	s.noted = n.values
	s.evidence.pending = n.found(s.data)
	return s, nil
}

// canonical returns the shell's name for key.
func canonical(key string) string {
	if c, ok := aliases[key]; ok {
		return c
	}
	return key
}

// All returns a copy of every setting.
func (s *Store) All() map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.data)
}

// Get returns one setting, or ErrNotFound.
func (s *Store) Get(key string) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.data[canonical(key)]
	if !ok {
		return nil, fault.Detail(ErrNotFound, "%q", key)
	}
	return v, nil
}

// MaxBytes bounds the settings file: a page cannot fill the disk or make
// every start slow through /pmapi/usersettings.
const MaxBytes = 64 << 10

// ErrTooLarge refuses a change that would take the settings past
// MaxBytes; nothing is stored.
var ErrTooLarge = fault.New(fault.TooLarge, "the settings would be larger than 64 KiB; store less")

// Set stores one setting and persists the file. login_url (and its alias
// server_url) must pass loginurl.Parse, as on every other path that sets
// it, and is stored as Parse cleans it; "" clears it.
func (s *Store) Set(key string, v any) error {
	return s.Merge(map[string]any{key: v})
}

// Merge stores every key of d and persists the file once, or nothing when
// one value is refused (Check). A change of login_url or client_id through
// Merge is recorded as ViaUnnamed: the shell's own paths use MergeVia.
func (s *Store) Merge(d map[string]any) error {
	return s.MergeVia(d, ViaUnnamed)
}

// MergeVia is Merge saying the way the change came in: every value of a
// key in Recorded that really changes is handed to the recorder (Record)
// once the file is written, so the trail says when the login server
// changed, from what to what, and through what.
func (s *Store) MergeVia(d map[string]any, via Via) error {
	clean := make(map[string]any, len(d))
	for k, v := range d {
		k = canonical(k)
		v, err := Check(k, v)
		if err != nil {
			return err
		}
		clean[k] = v
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	var changes []Change
	err := s.update(func(cur map[string]any) {
		changes = diff(cur, clean, via)
		maps.Copy(cur, clean)
	})
	if err != nil {
		return err
	}
	s.evidence.add(changes)
	return nil
}

// Delete removes one setting; ErrNotFound if it had no value.
func (s *Store) Delete(key string) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	s.mu.Lock()
	_, ok := s.data[canonical(key)]
	s.mu.Unlock()
	if !ok {
		return fault.Detail(ErrNotFound, "%q", key)
	}
	var changes []Change
	err := s.update(func(d map[string]any) {
		changes = diff(d, map[string]any{canonical(key): ""}, ViaUnnamed)
		delete(d, canonical(key))
	})
	if err != nil {
		return err
	}
	s.evidence.add(changes)
	return nil
}

// update applies f to a copy and commits it only once it is on disk, so a
// failed write leaves memory and file in agreement. Callers hold writeMu
// (writers take turns); readers wait on mu only for the pointer swap,
// never for the file's fsync.
func (s *Store) update(f func(map[string]any)) error {
	s.mu.Lock()
	next := maps.Clone(s.data)
	s.mu.Unlock()
	f(next)
	b, err := json.MarshalIndent(next, "", "  ")
	if err != nil {
		return fault.Detail(ErrInvalid, "a value is not something JSON can hold")
	}
	if len(b) > MaxBytes {
		return ErrTooLarge
	}
	if s.path != "" {
		if err := atomicfile.Write(s.path, append(b, '\n'), 0o600); err != nil {
			return fmt.Errorf("save settings: %w", err)
		}
	}
	s.mu.Lock()
	s.data = next
	s.mu.Unlock()
	return nil
}

// Port reads a port setting (redirect_port): 0 when absent or not a port,
// which Merge never stores but a hand-edited file may hold.
func (s *Store) Port(key string) int {
	n, err := strconv.Atoi(s.String(key))
	if err != nil || n < 0 || n > 65535 {
		return 0
	}
	return n
}

// String returns a setting as text ("" when absent). Numbers and booleans
// are formatted, so "login_timeout": 300 and "300" read the same.
func (s *Store) String(key string) string {
	v, err := s.Get(key)
	if err != nil || v == nil {
		return ""
	}
	switch x := v.(type) {
	case string:
		return strings.TrimSpace(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	}
	return fmt.Sprint(v)
}

// Bool reads a setting as a boolean: true, "true", "1", "yes" are true.
func (s *Store) Bool(key string) bool {
	switch strings.ToLower(s.String(key)) {
	case "true", "1", "yes", "on":
		return true
	}
	return false
}

// List reads a setting given as a JSON array or a space/comma separated string.
func (s *Store) List(key string) []string {
	v, err := s.Get(key)
	if err != nil {
		return nil
	}
	var out []string
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			if str, ok := e.(string); ok && str != "" {
				out = append(out, str)
			}
		}
	case string:
		out = strings.FieldsFunc(x, func(r rune) bool { return r == ' ' || r == ',' })
	}
	return out
}

// Duration reads a setting as a duration: a Go duration string ("90s") or a
// number of seconds. Zero when absent or unreadable.
func (s *Store) Duration(key string) time.Duration {
	str := s.String(key)
	if str == "" {
		return 0
	}
	if d, err := time.ParseDuration(str); err == nil {
		return d
	}
	if n, err := strconv.ParseFloat(str, 64); err == nil && n > 0 {
		return time.Duration(n * float64(time.Second))
	}
	return 0
}
