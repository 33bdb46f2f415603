package signature

import (
	"slices"
	"strings"
	"unicode"

	"github.com/google/uuid"
	"loginshell/internal/fault"
)

// Ordered reports whether r's slots sign in the order of the expression:
// the template it was queued under (Rules) says ordered. A request queued
// before the store kept its template was queued before templates could
// be ordered, so it is not; today's template never decides it.
func (r Request) Ordered() bool { return r.Rules != nil && r.Rules.Ordered }

// CheckOrder refuses a signature of slot id of r that comes too early:
// when r is Ordered and a slot before it in the expression is still
// pending. The refusal matches ErrNotPosted (the seed's "Could not post
// authorization challenge") and says which signature must come first, in
// words: "signature 1 of 2 (an operator) must be given first".
//
// The engine asks it before it raises a challenge, and store.Settle asks
// it again in the transaction that would record the signature, so a
// dialog raised before the rule applied, or at a station that does not
// know it, still cannot sign out of order. CheckOrder does NOT check that
// id is a slot of r or that it is pending; a slot r does not have is
// never too early.
func (r Request) CheckOrder(id uuid.UUID) error {
	if !r.Ordered() {
		return nil
	}
	i := slices.IndexFunc(r.Slots, func(s Slot) bool { return s.ID == id })
	if i < 0 {
		return nil
	}
	index := r.Slots[i].Index
	var first *Slot
	for k, s := range r.Slots {
		if s.Index < index && s.State == Pending && (first == nil || s.Index < first.Index) {
			first = &r.Slots[k]
		}
	}
	if first == nil {
		return nil
	}
	return fault.Detail(ErrNotPosted, "signature %d of %d (%s) must be given first", first.Index+1, len(r.Slots), ClauseWords(first.Clause))
}

// ClauseWords says who may sign a slot of clause text in words, for
// messages a person reads: {role:Operator} is "an operator", {group:Line
// 1} "a member of Line 1", {userName:bob} "bob", and AND and OR inside one
// slot "and" and "or". Text that does not parse as a clause is returned
// as it is.
func ClauseWords(clause string) string {
	c, err := ParseClause(clause)
	if err != nil || c.root == nil {
		return clause
	}
	var b strings.Builder
	words(&b, c.root)
	return b.String()
}

// words writes n in words.
func words(b *strings.Builder, n node) {
	switch n := n.(type) {
	case *term:
		switch n.attr {
		case attrRole:
			role := lowerPlainWords(n.value)
			b.WriteString(article(role))
			b.WriteByte(' ')
			b.WriteString(role)
		case attrGroup:
			b.WriteString("a member of ")
			b.WriteString(n.value)
		default:
			b.WriteString(n.value)
		}
	case *junction:
		for i, o := range n.operands {
			if i > 0 {
				b.WriteByte(' ')
				b.WriteString(strings.ToLower(n.op.String()))
				b.WriteByte(' ')
			}
			if _, ok := o.(*junction); ok {
				b.WriteByte('(')
				words(b, o)
				b.WriteByte(')')
				continue
			}
			words(b, o)
		}
	case *group:
		words(b, n.inner)
	}
}

// lowerPlainWords lowers the words of a role name that are merely
// capitalised ("Line Supervisor" is "line supervisor") and keeps the
// others as they are ("QA", "McKinley").
func lowerPlainWords(s string) string {
	fields := strings.Split(s, " ")
	for i, w := range fields {
		upper := 0
		for _, r := range w {
			if unicode.IsUpper(r) {
				upper++
			}
		}
		first := []rune(w)
		if upper == 1 && len(first) > 1 && unicode.IsUpper(first[0]) {
			fields[i] = strings.ToLower(w)
		}
	}
	return strings.Join(fields, " ")
}

// article is "an" before a word that begins with a vowel letter, else
// "a": a plain rule, right for the role names of a plant's floor.
func article(word string) string {
	if word != "" && strings.ContainsRune("aeiouAEIOU", []rune(word)[0]) {
		return "an"
	}
	return "a"
}
