// The engine's words for people: who may give a signature, and why one
// was refused. Every sentence a signer or a page reads about slots and
// signers is made here, from facts (the clause, the slot's place, the
// signer's printed name), so the dialog, REST and the trail say the same
// thing the same way. Texts name people and rules in words, never slot
// UUIDs or clause syntax.

package signature

import (
	"fmt"
	"strings"
	"unicode"
)

// Namer is an Identity that knows a user's printed name from the user ID
// alone (the demo's users): the dialog then says "Sam Supervisor" where a
// clause names {userName:supervisor}. An identity that cannot tell without
// the password (the keychain's sealed profiles) is not one, and the user
// ID stands for the person.
type Namer interface {
	// PrintedName returns userID's printed name, "" when it is unknown.
	PrintedName(userID string) string
}

// ClauseWords says who may sign a slot of clause text in words, for
// messages a person reads: {role:Operator} is "an operator", {group:Line
// 1} "a member of Line 1", {userName:bob} "bob", and AND and OR inside one
// slot "and" and "or". Text that does not parse as a clause is returned
// as it is.
func ClauseWords(clause string) string { return WhoWords(clause, nil) }

// WhoWords is ClauseWords naming each {userName:X} by name(X) when that
// is not "" (a Namer's PrintedName): "Sam Supervisor" rather than
// "supervisor". name may be nil.
func WhoWords(clause string, name func(string) string) string {
	c, err := ParseClause(clause)
	if err != nil || c.root == nil {
		return clause
	}
	var b strings.Builder
	words(&b, c.root, name)
	return b.String()
}

// words writes n in words.
func words(b *strings.Builder, n node, name func(string) string) {
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
			who := n.value
			if name != nil {
				if printed := name(n.value); printed != "" {
					who = printed
				}
			}
			b.WriteString(who)
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
				words(b, o, name)
				b.WriteByte(')')
				continue
			}
			words(b, o, name)
		}
	case *group:
		words(b, n.inner, name)
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

// anotherOf says who else may give a slot of clause, once who may not:
// "a different supervisor" for a clause of one role or group, "someone
// other than Sam Supervisor (a supervisor or bob)" otherwise.
func anotherOf(clause, who string, name func(string) string) string {
	said := WhoWords(clause, name)
	if c, err := ParseClause(clause); err == nil {
		if t, ok := c.root.(*term); ok && t.attr != attrUserName {
			_, rest, _ := strings.Cut(said, " ") // "an operator" is "a different operator"
			return "a different " + rest
		}
	}
	return fmt.Sprintf("someone other than %s (%s)", who, said)
}

// printed is how a signer is named to people: the printed name, else the
// user ID.
func printed(s Signer) string {
	if s.PrintedName != "" {
		return s.PrintedName
	}
	return s.UserID
}

// slotWords names slot index (from 0) of a request of n slots: "signature
// 2 of 2".
func slotWords(index, n int) string { return fmt.Sprintf("signature %d of %d", index+1, n) }

// notEntitledWords refuses s at slot index of n: "Olivia Operator may not
// give signature 2 of 2; it must be given by a supervisor."
func notEntitledWords(s Signer, index, n int, who string) string {
	return fmt.Sprintf("%s may not give %s; it must be given by %s.", printed(s), slotWords(index, n), who)
}

// sameSignerWords refuses s, who gave signature signed (from 0) of the
// request, at a slot of clause under forceUniqueUser: "Sam Supervisor
// already signed signature 1; a different supervisor must sign."
func sameSignerWords(s Signer, signed int, clause string, name func(string) string) string {
	return fmt.Sprintf("%s already signed signature %d; %s must sign.", printed(s), signed+1, anotherOf(clause, printed(s), name))
}

// otherSlotWords warns s, who is about to give slot index of n and could
// also give the pending slot other of clause, that under forceUniqueUser
// that one then needs someone else: "Sam Supervisor could also give
// signature 2 of 2 (a supervisor). If Sam Supervisor signs signature 1, a
// different supervisor must give signature 2, or the request cannot be
// completed. To sign signature 1 anyway, type your password again."
func otherSlotWords(s Signer, index, other, n int, clause string, name func(string) string) string {
	who := printed(s)
	return fmt.Sprintf("%s could also give %s (%s). If %s signs signature %d, %s must give signature %d, "+
		"or the request cannot be completed. To sign signature %d anyway, type your password again.",
		who, slotWords(other, n), WhoWords(clause, name), who, index+1, anotherOf(clause, who, name), other+1, index+1)
}

// unsignableWords refuses s at slot this of a request of n slots, since
// nobody else could then give slot stuck: "Sam Supervisor may not give
// signature 1 of 2: nobody else could then give signature 2 (a
// supervisor), and each signature needs a different person. Sign signature
// 2 instead, and let a different operator give signature 1." (the last
// sentence when instead: s can give stuck and the request still finish).
func unsignableWords(s Signer, this, stuck Slot, n int, instead bool, name func(string) string) string {
	who := printed(s)
	text := fmt.Sprintf("%s may not give %s: nobody else could then give signature %d (%s), and each signature needs a different person.",
		who, slotWords(this.Index, n), stuck.Index+1, WhoWords(stuck.Clause, name))
	if instead {
		text += fmt.Sprintf(" Sign signature %d instead, and let %s give signature %d.", stuck.Index+1, anotherOf(this.Clause, who, name), this.Index+1)
	}
	return text
}

// needsServerWords refuses a challenge of template whose identity
// provider idp this shell has no way to reach now: the demo's users (a
// shell started without --demo) or the organisation's login server
// (offline).
func needsServerWords(template, idp string) string {
	return fmt.Sprintf("signatures with template %q need the login server (identity provider %q), which this shell cannot reach now; "+
		"sign when it is back, or at a station that reaches it", template, idp)
}
