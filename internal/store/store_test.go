package store

import (
	"reflect"
	"strings"
	"testing"

	"loginshell/internal/signature"
)

func TestNameKey(t *testing.T) {
	t.Parallel()
	names := []string{"Line Release", "line release", "LINE RELEASE", "Grüße", "GRÜSSE", "grüße", "ǅemal", "ǆemal", "Σίσυφος", "ΣΊΣΥΦΟΣ", "σίσυφος", "K", "k", "\u212a", "", "a\x00b", "\xff"}
	for _, a := range names {
		for _, b := range names {
			if got, want := NameKey(a) == NameKey(b), strings.EqualFold(a, b); got != want {
				t.Errorf("NameKey(%q) == NameKey(%q) is %v, strings.EqualFold says %v", a, b, got, want)
			}
		}
	}
}

func FuzzNameKey(f *testing.F) {
	for _, s := range []string{"Line Release", "ß", "ſ", "\u212a", "İ", "ı"} {
		f.Add(s, strings.ToUpper(s))
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		if got, want := NameKey(a) == NameKey(b), strings.EqualFold(a, b); got != want {
			t.Errorf("NameKey(%q) == NameKey(%q) is %v, strings.EqualFold says %v", a, b, got, want)
		}
	})
}

func TestClauseAtoms(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		clause string
		want   []Atom
	}{
		{"one atom", "{role:Operator}", []Atom{{"role", "Operator"}}},
		{"kinds fold to lower case, values keep theirs", "{userName:Bob} OR {ROLE:QA}", []Atom{{AtomUserName, "Bob"}, {"role", "QA"}}},
		{"spaces around kind and value are trimmed, inside kept", "( { userName : bob } OR {role: Shift Lead })", []Atom{{AtomUserName, "bob"}, {"role", "Shift Lead"}}},
		{"a colon in the value stays", "{group:cn=line:4}", []Atom{{"group", "cn=line:4"}}},
		{"duplicates once", "{userName:bob} OR {username:bob}", []Atom{{AtomUserName, "bob"}}},
		{"no atoms", "AND OR ()", nil},
		{"an empty clause", "", nil},
		{"braces without a colon, an empty kind or value are skipped", "{bob} OR {:x} OR {role:} OR {role:A}", []Atom{{"role", "A"}}},
		{"an unclosed brace ends the scan", "{role:A} OR {userName:bob", []Atom{{"role", "A"}}},
		{"escapes stand for the character", `{userName:a\}b\{c\\} OR {role:\\}`, []Atom{{AtomUserName, `a}b{c\`}, {"role", `\`}}},
		{"an escaped brace does not close the term", `{role:x\} OR {userName:bob}`, []Atom{{"role", "x} OR {userName:bob"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := ClauseAtoms(tt.clause); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ClauseAtoms(%q) = %q, want %q", tt.clause, got, tt.want)
			}
		})
	}
}

// FuzzClauseAtomsAgreesWithTheEngine checks ClauseAtoms against the
// engine's parser on every clause the parser accepts: each user name atom
// admits its user, and a user is admitted by a clause without AND exactly
// when an atom names them (NameKey), so Filter.User lists what the engine
// would let that user sign by name.
func FuzzClauseAtomsAgreesWithTheEngine(f *testing.F) {
	for _, s := range []string{
		"{role:Operator} AND ({role:Supervisor} OR {userName:bob})",
		`{ USERNAME : d\{a\}ve\\ } OR {group:Line 4}`,
		"({userName:alice} AND {role:QA}) AND {userName:Bob}",
		"{userName:Grüße} OR {userName:ǅemal}",
	} {
		f.Add(s, "bob")
	}
	f.Fuzz(func(t *testing.T, expr, user string) {
		e, err := signature.ParseExpression(expr)
		if err != nil {
			return
		}
		for _, c := range e.Slots() {
			text := c.String()
			again, err := signature.ParseClause(text)
			if err != nil || again.String() != text {
				t.Fatalf("the engine does not read back its own clause %q: %v", text, err)
			}
			named := false
			for _, a := range ClauseAtoms(text) {
				if a.Kind == AtomUserName {
					if NameKey(a.Value) == NameKey(user) {
						named = true
					}
					if !strings.Contains(text, "AND") && !c.Admits(signature.Signer{UserID: a.Value}) {
						t.Errorf("clause %q: atom %q does not admit its user", text, a.Value)
					}
				}
			}
			if strings.Contains(text, "AND") {
				continue // a user named there may need a role too
			}
			if admits := c.Admits(signature.Signer{UserID: user}); admits != named {
				t.Errorf("clause %q, user %q: the engine admits %v, the atoms name %v (%q)", text, user, admits, named, ClauseAtoms(text))
			}
		}
	})
}
