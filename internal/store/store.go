// Package store holds what every signature store shares: the keys under
// which names compare, the atoms of a clause a Filter matches, and the
// rule that settles a signature (Settle). The stores themselves are its
// subpackages: sqlite (an embedded file in the data directory, the
// default) and, for a plant, PostgreSQL; storetest is the contract suite
// both run unchanged.
//
// Each store implements signature.Backend (the engine's store) and the
// audit trail, with an audited variant of every method that changes a
// request, so an outcome and its audit entries are committed together or
// not at all (see storetest.Store for the whole contract). The functions
// here exist so the stores agree to the byte on what "case-insensitive",
// "the clause names this user" and "this signature counts" mean: a plant
// may mix stations of different versions, but never two meanings of a
// name or of a signature. What differs between the stores — locking, types, NOTIFY —
// stays in them.
package store

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/google/uuid"

	"loginshell/internal/signature"
)

// NameKey returns the key under which a template name is unique and
// looked up: two names have the same key exactly when strings.EqualFold
// says they are equal (each rune is replaced by the smallest rune of its
// Unicode simple-folding orbit). The key is for comparison only; stores
// keep and return the name as it was last written.
func NameKey(name string) string {
	return strings.Map(func(r rune) rune {
		least := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			least = min(least, f)
		}
		return least
	}, name)
}

// Atom is one {kind:value} term of a signature expression's clause.
type Atom struct {
	Kind  string // lower case: "username", "role", "group"
	Value string // unescaped, spaces around it trimmed, case kept
}

// AtomUserName is the Kind of {userName:X}, the atom a Filter's User
// matches (by NameKey, as signature.Clause.Admits compares user names
// with strings.EqualFold).
const AtomUserName = "username"

// ClauseAtoms returns the {kind:value} atoms of a clause in the order they
// appear, duplicates removed, reading the clause's text as
// signature.ParseExpression does: the kind in any ASCII case, "\{",
// "\}" and "\\" in the value standing for the character escaped, white
// space around the value dropped. It only scans terms — the engine parsed
// and validated the clause before it was queued (it stores Clause.String)
// — so a store can answer Filter.User from an index instead of evaluating
// every pending clause. Text that is not a term (AND, OR, parentheses, a
// brace without a colon or without its closing brace) is skipped.
func ClauseAtoms(clause string) []Atom {
	var atoms []Atom
	rest := clause
	for {
		open := strings.IndexByte(rest, '{')
		if open < 0 {
			return atoms
		}
		rest = rest[open+1:]
		body, after, ok := termBody(rest)
		if !ok {
			return atoms
		}
		rest = after
		kind, value, ok := strings.Cut(body, ":")
		if !ok {
			continue
		}
		a := Atom{Kind: strings.ToLower(strings.TrimSpace(kind)), Value: strings.TrimSpace(value)}
		if a.Kind == "" || a.Value == "" || slices.Contains(atoms, a) {
			continue
		}
		atoms = append(atoms, a)
	}
}

// termBody returns the text of a term up to its closing brace, escapes
// resolved, and what follows the brace; ok is false when no brace closes
// it.
func termBody(s string) (body, after string, ok bool) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '}':
			return b.String(), s[i+1:], true
		case c == '\\' && i+1 < len(s):
			i++
			b.WriteByte(s[i])
		default:
			b.WriteByte(c)
		}
	}
	return "", "", false
}

// Normalise fills r's defaults (pending states, the slots' request) and refuses what the schema could not
// tell apart from a bug: a nil UUID, no slots, a slot of another request.
func Normalise(r signature.Request) (signature.Request, error) {
	if r.ID == uuid.Nil {
		return r, errors.New("the request has no UUID")
	}
	if len(r.Slots) == 0 {
		return r, errors.New("the request has no slots")
	}
	if r.State == "" {
		r.State = signature.Pending
	}
	slots := make([]signature.Slot, len(r.Slots))
	for i, sl := range r.Slots {
		if sl.ID == uuid.Nil {
			return r, fmt.Errorf("slot %d has no UUID", i)
		}
		if sl.Request == uuid.Nil {
			sl.Request = r.ID
		}
		if sl.Request != r.ID {
			return r, fmt.Errorf("slot %s belongs to request %s", sl.ID, sl.Request)
		}
		if sl.State == "" {
			sl.State = signature.Pending
		}
		slots[i] = sl
	}
	r.Slots = slots
	return r, nil
}
