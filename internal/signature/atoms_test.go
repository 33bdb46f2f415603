package signature

import (
	"reflect"
	"testing"
)

func TestClauseAtoms(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		clause string
		want   []Atom
	}{
		{"one atom", "{role:Operator}", []Atom{{AtomRole, "Operator"}}},
		{"kinds fold to lower case, values keep theirs", "{userName:Bob} OR {ROLE:QA}", []Atom{{AtomUserName, "Bob"}, {AtomRole, "QA"}}},
		{"spaces around kind and value are trimmed, inside kept", "( { userName : bob } OR {role: Shift Lead })", []Atom{{AtomUserName, "bob"}, {AtomRole, "Shift Lead"}}},
		{"a colon in the value stays", "{group:cn=line:4}", []Atom{{AtomGroup, "cn=line:4"}}},
		{"duplicates once", "{userName:bob} OR {username:bob}", []Atom{{AtomUserName, "bob"}}},
		{"duplicates but for case twice", "{userName:bob} OR {userName:Bob}", []Atom{{AtomUserName, "bob"}, {AtomUserName, "Bob"}}},
		{"escapes stand for the character", `{userName:a\}b\{c\\} OR {role:\\}`, []Atom{{AtomUserName, `a}b{c\`}, {AtomRole, `\`}}},
		{"an escaped brace does not close the term", `{role:x\} OR \{userName:bob\}}`, []Atom{{AtomRole, "x} OR {userName:bob}"}}},
		{"every term of one signer, nested, in the order of the text", "({userName:alice} AND ({role:QA} OR {group:Line 4}))",
			[]Atom{{AtomUserName, "alice"}, {AtomRole, "QA"}, {AtomGroup, "Line 4"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := ParseClause(tt.clause)
			if err != nil {
				t.Fatal(err)
			}
			if got := c.Atoms(); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseClause(%q).Atoms() = %q, want %q", tt.clause, got, tt.want)
			}
		})
	}

	t.Run("the zero clause has none", func(t *testing.T) {
		t.Parallel()
		if got := (Clause{}).Atoms(); got != nil {
			t.Errorf("Clause{}.Atoms() = %q, want none", got)
		}
	})

	t.Run("each slot of an expression has the atoms of its own clause", func(t *testing.T) {
		t.Parallel()
		e, err := ParseExpression("{role:Operator} AND ({role:Supervisor} OR {userName:bob})")
		if err != nil {
			t.Fatal(err)
		}
		want := [][]Atom{{{AtomRole, "Operator"}}, {{AtomRole, "Supervisor"}, {AtomUserName, "bob"}}}
		for i, c := range e.Slots() {
			if got := c.Atoms(); !reflect.DeepEqual(got, want[i]) {
				t.Errorf("slot %d: %q, want %q", i, got, want[i])
			}
		}
	})
}
