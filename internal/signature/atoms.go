package signature

import (
	"slices"
	"strings"
)

// Atom is one {kind:value} term of a clause, as a store indexes it: the
// engine hands each slot's atoms to the store with the request it queues
// (Slot.Atoms), so the store answers Filter.User from an index, never by
// reading clause text with a grammar of its own that could drift from
// this one.
type Atom struct {
	// Kind is AtomUserName, AtomRole or AtomGroup: the term's attribute
	// in lower case, as the stores keep it.
	Kind string
	// Value is the term's value as parsed: escapes resolved, white space
	// around it dropped, case kept.
	Value string
}

// Kinds of Atom. They are stored: never change one.
const (
	AtomUserName = "username" // {userName:X}, the kind Filter.User matches
	AtomRole     = "role"     // {role:X}
	AtomGroup    = "group"    // {group:X}
)

// Atoms returns the terms of c in the order of its text, each once
// (duplicates compared exactly, case and all). The zero Clause has none.
func (c Clause) Atoms() []Atom {
	var atoms []Atom
	var walk func(node)
	walk = func(n node) {
		switch n := n.(type) {
		case *term:
			a := Atom{Kind: strings.ToLower(n.attr), Value: n.value}
			if !slices.Contains(atoms, a) {
				atoms = append(atoms, a)
			}
		case *junction:
			for _, o := range n.operands {
				walk(o)
			}
		case *group:
			walk(n.inner)
		}
	}
	if c.root != nil {
		walk(c.root)
	}
	return atoms
}
