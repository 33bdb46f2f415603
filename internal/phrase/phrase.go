// Package phrase keeps the station's signing phrase: words a person chose
// at the first signature on this station, which every genuine signature
// dialog shows and no hosted page can know, so a look-alike a page draws
// is told apart by what it lacks.
//
// The phrase is the chrome's alone. It lives in a file of its own in the
// data directory (DATA/signing-phrase, 0600), never in the settings, which
// pages read (/pmapi/usersettings); it reaches the chrome in the view of a
// signature dialog (internal/screen) and nothing else. It is not a secret
// from the person at the station, nor from anyone who can read the data
// directory: it guards against pages, not against the account the shell
// runs as.
package phrase

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"
	"unicode/utf8"

	"loginshell/internal/atomicfile"
	"loginshell/internal/fault"
)

// FileName is the phrase's file in the data directory.
const FileName = "signing-phrase"

// MinLen and MaxLen bound a phrase, in characters: long enough that a page
// cannot guess it, short enough to read at a glance in the dialog.
const (
	MinLen = 4
	MaxLen = 80
)

// ErrChosen refuses a second phrase: the dialog asks for one once, so a
// dialog that asks again is not the station's. A person who wants another
// removes the file while the shell is stopped.
var ErrChosen = fault.New(fault.Conflict, "this station has its signing phrase already; to choose another, stop loginshell, delete signing-phrase in its data directory and sign again")

// ErrInvalid refuses a phrase the rules do not allow; the detail says which.
var ErrInvalid = fault.New(fault.Invalid, "the signing phrase is not allowed")

// Store is the station's signing phrase, read once at Open and kept in
// memory: Phrase never waits on the disk, a lock or Set.
type Store struct {
	path string
	mu   sync.Mutex // one Set at a time
	cur  atomic.Pointer[string]
}

// Open reads the phrase in path, if the file exists. A missing file is a
// station without a phrase yet; a file that is not one (empty, too long,
// control characters) is an error naming it, so a damaged phrase is
// noticed rather than silently asked for again.
func Open(path string) (*Store, error) {
	if path == "" {
		return nil, errors.New("phrase: a path is required")
	}
	s := &Store{path: path}
	b, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return s, nil
	case err != nil:
		return nil, fmt.Errorf("read the signing phrase: %w", err)
	}
	p, err := Clean(strings.TrimSuffix(string(b), "\n"))
	if err != nil {
		return nil, fmt.Errorf("%s holds no signing phrase (%w): delete it and sign again to choose one", path, err)
	}
	s.cur.Store(&p)
	return s, nil
}

// Phrase is the station's phrase, "" before one is chosen.
func (s *Store) Phrase() string {
	if p := s.cur.Load(); p != nil {
		return *p
	}
	return ""
}

// Set stores p (cleaned by Clean) as the station's phrase, written
// atomically with mode 0600. It refuses with ErrChosen once a phrase is
// set, and with ErrInvalid a phrase Clean refuses.
//
// Set does NOT check who asks: only the chrome may call it (the window's
// bindings, the browser mode's key-guarded endpoint), never a page.
func (s *Store) Set(p string) error {
	p, err := Clean(p)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cur.Load() != nil {
		return ErrChosen
	}
	if err := atomicfile.Write(s.path, []byte(p+"\n"), 0o600); err != nil {
		return fmt.Errorf("store the signing phrase: %w", err)
	}
	s.cur.Store(&p)
	return nil
}

// Clean returns p with the spaces around it trimmed and runs of white
// space made one space, or ErrInvalid: not UTF-8, a control or format
// character (which could hide text or reorder it), fewer than MinLen or
// more than MaxLen characters.
func Clean(p string) (string, error) {
	if !utf8.ValidString(p) {
		return "", fault.Detail(ErrInvalid, "it is not text")
	}
	p = strings.Join(strings.Fields(p), " ")
	for _, r := range p {
		if unicode.IsControl(r) || unicode.In(r, unicode.Cf) {
			return "", fault.Detail(ErrInvalid, "it holds an invisible character (U+%04X)", r)
		}
	}
	switch n := utf8.RuneCountInString(p); {
	case n < MinLen:
		return "", fault.Detail(ErrInvalid, "choose at least %d characters", MinLen)
	case n > MaxLen:
		return "", fault.Detail(ErrInvalid, "choose at most %d characters", MaxLen)
	}
	return p, nil
}
