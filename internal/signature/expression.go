package signature

import (
	"slices"
	"strings"

	"loginshell/internal/fault"
)

// MaxExpressionLength bounds an expression, in characters.
const MaxExpressionLength = 4096

// MaxExpressionDepth bounds how deeply parentheses nest.
const MaxExpressionDepth = 32

// Expression is a parsed signature expression: the slots a request of its
// template has to fill. It is immutable and safe for concurrent use. The
// zero Expression has no slots and is not the result of any successful
// parse.
type Expression struct {
	slots []Clause
}

// Clause is the rule of one sign-in slot: what its one signer must satisfy.
// It is immutable and safe for concurrent use. The zero Clause admits
// nobody.
type Clause struct {
	root node
}

// ParseExpression parses s, an expression of the language that says who
// may sign. Where the seed is silent, its rules were chosen so that one
// text has one meaning and a mistake is refused rather than quietly asking
// for fewer signers:
//
//   - A term is {role:X}, {userName:X} or {group:X}. The attribute name is
//     matched without regard to ASCII case ({Role:X} is {role:X}) and
//     written back as role, userName and group.
//   - X is any text up to the closing "}", spaces, ":" and parentheses
//     included ({role:Line Supervisor (night)}). "\}", "\{" and "\\"
//     stand for "}", "{" and "\"; a bare "{" inside a term and any other
//     character after "\" are refused, so a forgotten "}" is reported
//     instead of swallowing the next term. White space around X is
//     dropped; inside X, control characters (line breaks, tabs) are
//     refused. X must not be empty.
//   - AND and OR are keywords in any case (and, Or), written back in upper
//     case. They need no space next to a brace or a parenthesis; any
//     Unicode white space may stand between two tokens.
//   - Each operand of an AND outside every parenthesis is one sign-in slot,
//     signed by a person of its own; anything else is one slot.
//     Parentheses make one slot: ({role:A} AND {role:B}) AND {role:C} is
//     two slots, the first signed by one person with both roles A and B.
//   - AND and OR never mix without parentheses: {role:A} AND {role:B} OR
//     {role:C} is refused. Under the usual precedence it would be one slot
//     (one signer who is A and B, or C) although it reads as two, and a
//     silent drop from two signers to one is the mistake a signature rule
//     must not allow. ({role:A} AND {role:B}) OR {role:C} and {role:A} AND
//     ({role:B} OR {role:C}) say which is meant.
//   - The empty expression is refused; so is one longer than
//     MaxExpressionLength characters or nesting parentheses deeper than
//     MaxExpressionDepth, so that text from the API cannot make the parser
//     work without bound.
//
// A syntax error matches ErrBadExpression (kind BadRequest), and its text
// names the 1-based character position at fault, what was expected there
// and what was found, e.g. `expected ")" at position 57, found the end of
// the expression`.
func ParseExpression(s string) (Expression, error) {
	root, err := parseTree(s)
	if err != nil {
		return Expression{}, fault.Detail(ErrBadExpression, "%s", err.detail)
	}
	return Expression{slots: slotsOf(root)}, nil
}

// ParseClause parses the text of one slot, as Clause.String wrote it for
// the store, and refuses text that makes more than one slot.
func ParseClause(s string) (Clause, error) {
	root, err := parseTree(s)
	if err != nil {
		return Clause{}, fault.Detail(ErrBadExpression, "%s", err.detail)
	}
	slots := slotsOf(root)
	if len(slots) != 1 {
		j := root.(*junction)
		return Clause{}, fault.Detail(ErrBadExpression,
			"expected one sign-in slot, found %d: AND at position %d is outside every parenthesis", len(slots), j.opPos)
	}
	return slots[0], nil
}

// Slots returns one clause per sign-in slot, in the order of the text.
func (e Expression) Slots() []Clause { return slices.Clone(e.slots) }

// String returns the canonical text of e: keywords in upper case, single
// spaces, attribute names as role, userName and group, and parentheses
// exactly where the slots or the mix of AND and OR need them (AND inside
// OR is always parenthesised). ParseExpression of it gives e again.
func (e Expression) String() string {
	if len(e.slots) == 1 {
		return e.slots[0].String()
	}
	var b strings.Builder
	for i, c := range e.slots {
		if i > 0 {
			b.WriteString(" AND ")
		}
		if j, ok := c.root.(*junction); ok && j.op == opOr {
			b.WriteByte('(')
			j.write(&b)
			b.WriteByte(')')
			continue
		}
		b.WriteString(c.String())
	}
	return b.String()
}

// String returns the canonical text of c, the text stored with its slot. It
// parses (ParseExpression or ParseClause) as exactly this one slot: a
// clause whose signer must meet several terms is written in parentheses.
func (c Clause) String() string {
	if c.root == nil {
		return ""
	}
	var b strings.Builder
	if j, ok := c.root.(*junction); ok && j.op == opAnd {
		b.WriteByte('(')
		j.write(&b)
		b.WriteByte(')')
	} else {
		c.root.write(&b)
	}
	return b.String()
}

// Admits reports whether s may sign c's slot: {userName:X} compares X with
// s.UserID, {role:X} with each of s.Roles, {group:X} with each of s.Groups.
// All three compare with strings.EqualFold (Unicode case folding, nothing
// else normalised): identity providers disagree on the case of user, role
// and group names, and a template author should not have to know which one
// a signer comes from. A provider whose roles differ only in case is not
// supported.
//
// Admits does NOT check who s is (the identity provider did) nor
// forceUniqueUser (the store does).
func (c Clause) Admits(s Signer) bool {
	return c.root != nil && c.root.admits(s)
}

// Attribute names as the canonical text writes them.
const (
	attrRole     = "role"
	attrUserName = "userName"
	attrGroup    = "group"
)

// node is a parsed term or junction; group exists only while parsing.
type node interface {
	admits(Signer) bool
	write(*strings.Builder)
}

type term struct {
	attr  string // attrRole, attrUserName or attrGroup
	value string
}

func (t *term) admits(s Signer) bool {
	match := func(v string) bool { return strings.EqualFold(v, t.value) }
	switch t.attr {
	case attrUserName:
		return match(s.UserID)
	case attrRole:
		return slices.ContainsFunc(s.Roles, match)
	case attrGroup:
		return slices.ContainsFunc(s.Groups, match)
	}
	return false
}

func (t *term) write(b *strings.Builder) {
	b.WriteByte('{')
	b.WriteString(t.attr)
	b.WriteByte(':')
	for _, r := range t.value {
		if r == '\\' || r == '{' || r == '}' {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	b.WriteByte('}')
}

type opKind uint8

const (
	opAnd opKind = iota + 1
	opOr
)

func (o opKind) String() string {
	if o == opAnd {
		return "AND"
	}
	return "OR"
}

// junction is operands joined by one operator. After slotsOf no operand is
// a group or a junction of the same operator.
type junction struct {
	op       opKind
	opPos    int // position of the first operator, for messages
	operands []node
}

func (j *junction) admits(s Signer) bool {
	for _, o := range j.operands {
		if o.admits(s) != (j.op == opAnd) {
			return j.op == opOr
		}
	}
	return j.op == opAnd
}

func (j *junction) write(b *strings.Builder) {
	for i, o := range j.operands {
		if i > 0 {
			b.WriteByte(' ')
			b.WriteString(j.op.String())
			b.WriteByte(' ')
		}
		if _, ok := o.(*junction); ok {
			b.WriteByte('(')
			o.write(b)
			b.WriteByte(')')
			continue
		}
		o.write(b)
	}
}

// group is a parenthesised operand, kept while parsing so that slotsOf
// can tell (A AND B) AND C from A AND B AND C.
type group struct{ inner node }

func (g *group) admits(s Signer) bool     { return g.inner.admits(s) }
func (g *group) write(b *strings.Builder) { g.inner.write(b) }

// slotsOf splits a parsed tree into its slots: the operands of a top-level
// AND, else the whole tree.
func slotsOf(root node) []Clause {
	if j, ok := root.(*junction); ok && j.op == opAnd {
		slots := make([]Clause, len(j.operands))
		for i, o := range j.operands {
			slots[i] = Clause{root: flatten(o)}
		}
		return slots
	}
	return []Clause{{root: flatten(root)}}
}

// flatten drops groups and merges nested junctions of one operator, which
// inside one slot mean the same.
func flatten(n node) node {
	switch n := n.(type) {
	case *group:
		return flatten(n.inner)
	case *junction:
		out := &junction{op: n.op, opPos: n.opPos}
		for _, o := range n.operands {
			f := flatten(o)
			if fj, ok := f.(*junction); ok && fj.op == n.op {
				out.operands = append(out.operands, fj.operands...)
				continue
			}
			out.operands = append(out.operands, f)
		}
		return out
	}
	return n
}
