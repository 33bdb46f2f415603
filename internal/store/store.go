// Package store holds what every signature store shares: the keys under
// which names and the atoms of clauses compare, and the rule that settles
// a signature (Settle). The stores themselves are its
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
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/google/uuid"
	"loginshell/internal/fault"
	"loginshell/internal/signature"
)

// NameKey returns the key under which a template name is unique and
// looked up, and under which the stores index the value of a clause's
// atom (signature.Atom) for Filter.User: two names have the same key
// exactly when strings.EqualFold says they are equal (each rune is
// replaced by the smallest rune of its Unicode simple-folding orbit), as
// signature.Clause.Admits compares. The key is for comparison only;
// stores keep and return the name as it was last written.
func NameKey(name string) string {
	return strings.Map(func(r rune) rune {
		least := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			least = min(least, f)
		}
		return least
	}, name)
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

// Wrap is how both stores report an error of op, a short lowercase phrase
// naming the operation and what it was on ("sign <slot>", "pending"): the
// engine's own errors (those with a fault.Kind: ErrSlotTaken,
// ErrNoRequest, ErrNoTemplate, ...) as they are, since their text is
// already what a person is shown, and anything else as "op: err" for the
// log. nil stays nil. A store may first turn what it knows better into a
// kinded error (PostgreSQL: a database that did not answer).
func Wrap(op string, err error) error {
	if err == nil || fault.KindOf(err) != fault.Internal {
		return err
	}
	return fmt.Errorf("%s: %w", op, err)
}

// RulesText is how both stores keep signature.Request.Rules: the bytes
// the engine made when it queued the request (RulesJSON), kept as they
// are, since the request's content hash covers them; "" for none.
func RulesText(r signature.Request) (string, error) {
	if r.RulesJSON != "" || r.Rules == nil {
		return r.RulesJSON, nil
	}
	b, err := json.Marshal(r.Rules)
	if err != nil {
		return "", fmt.Errorf("rules: %w", err)
	}
	return string(b), nil
}

// ParseRules reads what RulesText wrote into r.
func ParseRules(r *signature.Request, text string) error {
	r.RulesJSON, r.Rules = text, nil
	if text == "" {
		return nil
	}
	var t signature.Template
	if err := json.Unmarshal([]byte(text), &t); err != nil {
		return fmt.Errorf("rules: %w", err)
	}
	r.Rules = &t
	return nil
}
