package signature_test

import (
	"errors"
	"strings"
	"testing"

	"loginshell/internal/fault"
	"loginshell/internal/signature"
)

const exprIssueExample = "{role:Operator} AND ({role:Supervisor} OR {userName:bob})"

func TestParseExpressionSlots(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		in        string
		wantText  string   // Expression.String
		wantSlots []string // Clause.String of each slot
	}{
		{"a role term is one slot", "{role:Operator}", "{role:Operator}", []string{"{role:Operator}"}},
		{"a user name term is one slot", "{userName:bob}", "{userName:bob}", []string{"{userName:bob}"}},
		{"a group term is one slot", "{group:QA}", "{group:QA}", []string{"{group:QA}"}},
		{"the issue's example needs two signers", exprIssueExample, exprIssueExample,
			[]string{"{role:Operator}", "{role:Supervisor} OR {userName:bob}"}},
		{"a top-level OR is one slot even with an AND inside", "({role:A} AND {role:B}) OR {role:C}",
			"({role:A} AND {role:B}) OR {role:C}", []string{"({role:A} AND {role:B}) OR {role:C}"}},
		{"three top-level ANDs are three slots", "{role:A} AND {role:B} AND {group:C}",
			"{role:A} AND {role:B} AND {group:C}", []string{"{role:A}", "{role:B}", "{group:C}"}},
		{"parentheses around an AND make it one slot", "({role:A} AND {role:B})",
			"({role:A} AND {role:B})", []string{"({role:A} AND {role:B})"}},
		{"a parenthesised AND beside another slot stays one slot", "({role:A} AND {role:B}) AND {role:C}",
			"({role:A} AND {role:B}) AND {role:C}", []string{"({role:A} AND {role:B})", "{role:C}"}},
		{"nested ANDs inside one slot are merged", "(({role:A} AND {role:B}) AND {role:C})",
			"({role:A} AND {role:B} AND {role:C})", []string{"({role:A} AND {role:B} AND {role:C})"}},
		{"parentheses around a term change nothing", "(({role:A})) AND ({role:B})",
			"{role:A} AND {role:B}", []string{"{role:A}", "{role:B}"}},
		{"parentheses around a whole OR are dropped", "({role:A} OR {role:B})",
			"{role:A} OR {role:B}", []string{"{role:A} OR {role:B}"}},
		{"nested ORs are merged", "({role:A} OR {role:B}) OR ({role:C} OR {role:D})",
			"{role:A} OR {role:B} OR {role:C} OR {role:D}", []string{"{role:A} OR {role:B} OR {role:C} OR {role:D}"}},
		{"two OR slots keep their parentheses", "({role:A} OR {role:B}) AND ({role:C} OR {role:D})",
			"({role:A} OR {role:B}) AND ({role:C} OR {role:D})", []string{"{role:A} OR {role:B}", "{role:C} OR {role:D}"}},
		{"a slot nests as deep as written", "{role:A} AND ({role:B} OR ({role:C} AND {group:D}))",
			"{role:A} AND ({role:B} OR ({role:C} AND {group:D}))",
			[]string{"{role:A}", "{role:B} OR ({role:C} AND {group:D})"}},
		{"an OR inside a one-signer AND keeps its parentheses", "(({role:A} OR {role:B}) AND {role:C}) AND {role:D}",
			"(({role:A} OR {role:B}) AND {role:C}) AND {role:D}",
			[]string{"(({role:A} OR {role:B}) AND {role:C})", "{role:D}"}},
		{"keywords are accepted in any case", "{role:A} and ({role:B} oR {role:C}) And {role:D}",
			"{role:A} AND ({role:B} OR {role:C}) AND {role:D}", []string{"{role:A}", "{role:B} OR {role:C}", "{role:D}"}},
		{"attribute names are accepted in any case", "{ROLE:A} AND {username:bob} AND {Group:QA}",
			"{role:A} AND {userName:bob} AND {group:QA}", []string{"{role:A}", "{userName:bob}", "{group:QA}"}},
		{"any white space may stand between tokens", "\t{ role : Line Supervisor }\nAND\r\n(\u00a0{group:QA} OR{role:B} )",
			"{role:Line Supervisor} AND ({group:QA} OR {role:B})", []string{"{role:Line Supervisor}", "{group:QA} OR {role:B}"}},
		{"no space is needed next to braces and parentheses", "{role:A}AND({role:B}OR{role:C})",
			"{role:A} AND ({role:B} OR {role:C})", []string{"{role:A}", "{role:B} OR {role:C}"}},
		{"space around a value is dropped and inside it kept", "{role:  Line  Supervisor  }",
			"{role:Line  Supervisor}", []string{"{role:Line  Supervisor}"}},
		{"line breaks and tabs around a value are dropped", "{role:\n\tLine Supervisor\t\r\n}",
			"{role:Line Supervisor}", []string{"{role:Line Supervisor}"}},
		{"a value may hold colons, parentheses and keywords", "{role:QA: Lead (night) AND OR & <x>}",
			"{role:QA: Lead (night) AND OR & <x>}", []string{"{role:QA: Lead (night) AND OR & <x>}"}},
		{"braces and backslashes in a value are escaped", `{group:a\}b\{c\\d}`,
			`{group:a\}b\{c\\d}`, []string{`{group:a\}b\{c\\d}`}},
		{"a value may be any language", "{role:Qualitätssicherung} AND {userName:山田}",
			"{role:Qualitätssicherung} AND {userName:山田}", []string{"{role:Qualitätssicherung}", "{userName:山田}"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e, err := signature.ParseExpression(tt.in)
			if err != nil {
				t.Fatalf("ParseExpression(%q): %v", tt.in, err)
			}
			if got := e.String(); got != tt.wantText {
				t.Errorf("String = %q, want %q", got, tt.wantText)
			}
			var got []string
			for _, c := range e.Slots() {
				got = append(got, c.String())
			}
			if strings.Join(got, "\n") != strings.Join(tt.wantSlots, "\n") {
				t.Errorf("slots = %q, want %q", got, tt.wantSlots)
			}
			again, err := signature.ParseExpression(e.String())
			if err != nil || again.String() != e.String() {
				t.Errorf("String %q does not round-trip: %q, %v", e.String(), again.String(), err)
			}
			for _, c := range e.Slots() {
				back, err := signature.ParseClause(c.String())
				if err != nil || back.String() != c.String() {
					t.Errorf("clause %q does not round-trip through ParseClause: %q, %v", c.String(), back.String(), err)
				}
				if one, err := signature.ParseExpression(c.String()); err != nil || len(one.Slots()) != 1 {
					t.Errorf("clause %q parses as %d slots, %v; want one", c.String(), len(one.Slots()), err)
				}
			}
		})
	}
}

func TestExpressionZeroAndCopies(t *testing.T) {
	t.Parallel()
	t.Run("the zero expression has no slots and no text", func(t *testing.T) {
		t.Parallel()
		var e signature.Expression
		if len(e.Slots()) != 0 || e.String() != "" {
			t.Errorf("zero Expression: %d slots, %q", len(e.Slots()), e.String())
		}
	})
	t.Run("the zero clause admits nobody and has no text", func(t *testing.T) {
		t.Parallel()
		var c signature.Clause
		if c.Admits(signature.Signer{UserID: "bob", Roles: []string{"Operator"}}) || c.String() != "" {
			t.Errorf("zero Clause admits or has text %q", c.String())
		}
	})
	t.Run("changing the slots returned changes nothing in the expression", func(t *testing.T) {
		t.Parallel()
		e, err := signature.ParseExpression(exprIssueExample)
		if err != nil {
			t.Fatal(err)
		}
		e.Slots()[0] = signature.Clause{}
		if got := e.Slots()[0].String(); got != "{role:Operator}" {
			t.Errorf("first slot became %q", got)
		}
	})
}

func TestClauseAdmits(t *testing.T) {
	t.Parallel()
	operator := signature.Signer{UserID: "alice", Roles: []string{"Operator"}, Groups: []string{"Line 1"}}
	supervisor := signature.Signer{UserID: "carol", Roles: []string{"Operator", "Supervisor"}}
	bob := signature.Signer{UserID: "bob", Groups: []string{"QA"}}
	tests := []struct {
		name   string
		clause string
		signer signature.Signer
		want   bool
	}{
		{"a role term admits a signer with that role", "{role:Operator}", operator, true},
		{"a role term compares without regard to case", "{role:OPERATOR}", operator, true},
		{"a role term refuses a signer without the role", "{role:Supervisor}", operator, false},
		{"a role term refuses a user named like the role", "{role:bob}", bob, false},
		{"a user name term admits that user", "{userName:bob}", bob, true},
		{"a user name term compares without regard to case", "{userName:BoB}", bob, true},
		{"a user name term refuses another user", "{userName:bob}", operator, false},
		{"a user name term refuses a signer with a role of that name", "{userName:Operator}", operator, false},
		{"a group term admits a member", "{group:qa}", bob, true},
		{"a group term refuses a non-member", "{group:QA}", operator, false},
		{"a group term refuses a signer with a role of that name", "{group:Operator}", operator, false},
		{"spaces inside a value must match", "{group:Line  1}", operator, false},
		{"a value with spaces matches", "{group:line 1}", operator, true},
		{"case folding is Unicode's", "{role:ÄRZTE}", signature.Signer{Roles: []string{"ärzte"}}, true},
		{"an empty signer is refused", "{userName:bob} OR {role:Operator} OR {group:QA}", signature.Signer{}, false},
		{"an OR admits a signer meeting its first operand", "{role:Supervisor} OR {userName:bob}", supervisor, true},
		{"an OR admits a signer meeting its last operand", "{role:Supervisor} OR {userName:bob}", bob, true},
		{"an OR refuses a signer meeting no operand", "{role:Supervisor} OR {userName:bob}", operator, false},
		{"a one-slot AND admits a signer meeting both", "({role:Operator} AND {role:Supervisor})", supervisor, true},
		{"a one-slot AND refuses a signer meeting one", "({role:Operator} AND {role:Supervisor})", operator, false},
		{"a nested clause admits through its inner AND", "{userName:bob} OR ({role:Operator} AND {group:Line 1})", operator, true},
		{"a nested clause refuses when the inner AND fails", "{userName:bob} OR ({role:Supervisor} AND {group:Line 1})", operator, false},
		{"an AND of ORs admits when each OR is met", "(({role:X} OR {group:QA}) AND ({userName:bob} OR {role:Y}))", bob, true},
		{"an AND of ORs refuses when one OR fails", "(({role:X} OR {group:QA}) AND ({userName:al} OR {role:Y}))", bob, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := signature.ParseClause(tt.clause)
			if err != nil {
				t.Fatalf("ParseClause(%q): %v", tt.clause, err)
			}
			if got := c.Admits(tt.signer); got != tt.want {
				t.Errorf("Admits(%+v) = %v, want %v", tt.signer, got, tt.want)
			}
		})
	}

	t.Run("each slot of the issue's example has its own signer", func(t *testing.T) {
		t.Parallel()
		e, err := signature.ParseExpression(exprIssueExample)
		if err != nil {
			t.Fatal(err)
		}
		slots := e.Slots()
		for _, c := range []struct {
			slot   int
			signer signature.Signer
			want   bool
		}{
			{0, operator, true}, {0, bob, false}, {0, supervisor, true},
			{1, operator, false}, {1, bob, true}, {1, supervisor, true},
		} {
			if got := slots[c.slot].Admits(c.signer); got != c.want {
				t.Errorf("slot %d Admits(%s) = %v, want %v", c.slot, c.signer.UserID, got, c.want)
			}
		}
	})
}

func TestParseExpressionErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want string // the detail after the sentinel's text
	}{
		{"an empty expression is refused", "",
			"the expression is empty; expected a term like {role:Supervisor}"},
		{"an expression of spaces is refused", " \t\n",
			"the expression is empty; expected a term like {role:Supervisor}"},
		{"a byte that is not UTF-8 is named by its position", "{role:Ä\xffx}",
			"expected UTF-8 text at position 8, found a byte that is not"},
		{"an expression over the length limit is refused", "{role:" + strings.Repeat("x", signature.MaxExpressionLength) + "}",
			"the expression is 4103 characters long; at most 4096 are allowed"},
		{"parentheses nested too deep are refused", strings.Repeat("(", 33) + "{role:A}" + strings.Repeat(")", 33),
			"expected at most 32 nested parentheses, found another at position 33"},
		{"a keyword cannot start the expression", "AND {role:A}",
			`expected a term like {role:X} or "(" at position 1, found "AND"`},
		{"a keyword cannot end the expression", "{role:A} AND ",
			`expected a term like {role:X} or "(" at position 14, found the end of the expression`},
		{"two keywords in a row are refused", "{role:A} OR OR {role:B}",
			`expected a term like {role:X} or "(" at position 13, found "OR"`},
		{"empty parentheses are refused", "{role:A} AND ()",
			`expected a term like {role:X} or "(" at position 15, found ")"`},
		{"a bare word is not a term", "Operator",
			`expected a term like {role:X} or "(" at position 1, found "Operator"`},
		{"a stray character is not a term", "* AND {role:A}",
			`expected a term like {role:X} or "(" at position 1, found "*"`},
		{"a control character between tokens is named", "{role:A} AND \x00",
			`expected a term like {role:X} or "(" at position 14, found a control character (U+0000)`},
		{"a long word is shortened in the message", "{role:A} " + strings.Repeat("w", 30),
			`expected AND, OR or the end at position 10, found "wwwwwwwwwwwwwwwwwwww…"`},
		{"two terms need a keyword between them", "{role:A} {role:B}",
			`expected AND, OR or the end at position 10, found "{"`},
		{"an unknown keyword is refused", "{role:A} XOR {role:B}",
			`expected AND, OR or the end at position 10, found "XOR"`},
		{"a keyword glued to a word is refused", "{role:A} ANDNOT {role:B}",
			`expected AND, OR or the end at position 10, found "ANDNOT"`},
		{"a closing parenthesis with none open is refused", "{role:A})",
			`expected AND, OR or the end at position 9, found ")" with no "(" open`},
		{"a stray brace after a term is refused", "{role:A}}",
			`expected AND, OR or the end at position 9, found "}"`},
		{"inside parentheses a keyword or a closing one is expected", "({role:A} {role:B})",
			`expected AND, OR or ")" at position 11, found "{"`},
		{"an unclosed parenthesis is refused at the end", "{role:Operator} AND ({role:Supervisor} OR {userName:bob}",
			`expected ")" at position 57, found the end of the expression`},
		{"OR after AND needs parentheses", "{role:A} AND {role:B} OR {role:C}",
			"OR at position 23 follows AND at position 10 without parentheses; put parentheses around what one signer must meet (each AND outside parentheses adds a signer)"},
		{"AND after OR needs parentheses", "({role:A} OR {role:B} and {role:C})",
			"AND at position 23 follows OR at position 11 without parentheses; put parentheses around what one signer must meet (each AND outside parentheses adds a signer)"},
		{"a term needs an attribute", "{:A}",
			`expected role, userName or group at position 2, found ":"`},
		{"an unknown attribute is refused", "{rol:A}",
			`expected role, userName or group at position 2, found "rol"`},
		{"an attribute spelled with a letter that folds to ASCII is refused", "{uſerName:bob}",
			`expected role, userName or group at position 2, found "uſerName"`},
		{"an attribute needs a colon", "{role A}",
			`expected ":" at position 7, found "A"`},
		{"an attribute at the end needs a colon", "{group",
			`expected ":" at position 7, found the end of the expression`},
		{"a term must be closed", "{role:Operator",
			`expected "}" at position 15 to close the "{" at position 1, found the end of the expression`},
		{"a brace inside a term is refused", "{role:A AND {role:B}",
			`expected "}" at position 13 to close the "{" at position 1, found "{" (write \{ for a brace in a name)`},
		{"a backslash escapes only braces and itself", `{role:a\b}`,
			`expected "\\", "{" or "}" after "\" at position 9, found "b"`},
		{"a backslash at the end is refused", `{role:a\`,
			`expected "\\", "{" or "}" after "\" at position 9, found the end of the expression`},
		{"a tab inside a value is refused", "{role:Line\tSupervisor}",
			"expected a printable character at position 11, found a control character (U+0009)"},
		{"a line break inside a value is refused", "{role:A\nB}",
			"expected a printable character at position 8, found a control character (U+000A)"},
		{"a tab before an unclosed end is refused", "{role:A\t",
			"expected a printable character at position 8, found a control character (U+0009)"},
		{"an empty role is refused", "{role:}",
			`expected a role name at position 7, found "}"`},
		{"a role of spaces is refused", "{role:   }",
			`expected a role name at position 10, found "}"`},
		{"an empty user name is refused", "{userName:}",
			`expected a user name at position 11, found "}"`},
		{"an empty group is refused", "{role:A} AND {group: }",
			`expected a group name at position 22, found "}"`},
		{"positions count characters, not bytes", "{role:Ärzte} XOR {role:B}",
			`expected AND, OR or the end at position 14, found "XOR"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e, err := signature.ParseExpression(tt.in)
			if err == nil {
				t.Fatalf("ParseExpression(%q) = %q, want an error", tt.in, e.String())
			}
			if !errors.Is(err, signature.ErrBadExpression) {
				t.Errorf("error %v does not match ErrBadExpression", err)
			}
			if k := fault.KindOf(err); k != fault.BadRequest {
				t.Errorf("kind %v, want bad request", k)
			}
			if want := fault.Text(signature.ErrBadExpression) + ": " + tt.want; fault.Text(err) != want {
				t.Errorf("text\n got %q\nwant %q", fault.Text(err), want)
			}
			if _, err := signature.ParseClause(tt.in); err == nil || fault.Text(err) != fault.Text(signature.ErrBadExpression)+": "+tt.want {
				t.Errorf("ParseClause gives %v, want the same error", err)
			}
		})
	}
}

func TestParseExpressionLimits(t *testing.T) {
	t.Parallel()
	t.Run("an expression of exactly the length limit is accepted", func(t *testing.T) {
		t.Parallel()
		s := "{role:" + strings.Repeat("ä", signature.MaxExpressionLength-7) + "}"
		if _, err := signature.ParseExpression(s); err != nil {
			t.Error(err)
		}
	})
	t.Run("parentheses nested to the depth limit are accepted", func(t *testing.T) {
		t.Parallel()
		d := signature.MaxExpressionDepth
		if _, err := signature.ParseExpression(strings.Repeat("(", d) + "{role:A}" + strings.Repeat(")", d)); err != nil {
			t.Error(err)
		}
	})
}

func TestParseClause(t *testing.T) {
	t.Parallel()
	t.Run("a clause of two slots is refused at its top-level AND", func(t *testing.T) {
		t.Parallel()
		_, err := signature.ParseClause(exprIssueExample)
		want := fault.Text(signature.ErrBadExpression) + ": expected one sign-in slot, found 2: AND at position 17 is outside every parenthesis"
		if !errors.Is(err, signature.ErrBadExpression) || fault.Text(err) != want {
			t.Errorf("got %v\nwant %s", err, want)
		}
	})
	t.Run("a parenthesised AND is one clause", func(t *testing.T) {
		t.Parallel()
		c, err := signature.ParseClause("({role:A} and {role:B})")
		if err != nil || c.String() != "({role:A} AND {role:B})" {
			t.Errorf("got %q, %v", c.String(), err)
		}
	})
}

func BenchmarkParseExpression(b *testing.B) {
	for b.Loop() {
		if _, err := signature.ParseExpression(exprIssueExample); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAdmits(b *testing.B) {
	e, err := signature.ParseExpression("{role:Operator} AND ({role:Supervisor} OR {group:Quality Assurance} OR {userName:bob})")
	if err != nil {
		b.Fatal(err)
	}
	slot := e.Slots()[1]
	s := signature.Signer{UserID: "carol", Roles: []string{"Operator", "Maintenance", "Trainer"}, Groups: []string{"Line 1", "Line 2", "quality assurance"}}
	for b.Loop() {
		if !slot.Admits(s) {
			b.Fatal("not admitted")
		}
	}
}
