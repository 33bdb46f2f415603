package signature

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// syntaxError is a parse failure's detail, without the sentinel's text.
type syntaxError struct{ detail string }

// parser reads an expression as runes, so that positions count characters.
type parser struct {
	src   []rune
	pos   int // index of the next rune; its position is pos+1
	depth int
}

func parseTree(s string) (node, *syntaxError) {
	if !utf8.ValidString(s) {
		n := 0
		for i, r := range s {
			if r == utf8.RuneError {
				if _, size := utf8.DecodeRuneInString(s[i:]); size <= 1 {
					break
				}
			}
			n++
		}
		return nil, &syntaxError{fmt.Sprintf("expected UTF-8 text at position %d, found a byte that is not", n+1)}
	}
	if n := utf8.RuneCountInString(s); n > MaxExpressionLength {
		return nil, &syntaxError{fmt.Sprintf("the expression is %d characters long; at most %d are allowed", n, MaxExpressionLength)}
	}
	if strings.TrimSpace(s) == "" {
		return nil, &syntaxError{"the expression is empty; expected a term like {role:Supervisor}"}
	}
	p := &parser{src: []rune(s)}
	return p.sequence(false)
}

func (p *parser) fail(format string, args ...any) (node, *syntaxError) {
	return nil, &syntaxError{fmt.Sprintf(format, args...)}
}

func (p *parser) skipSpace() {
	for p.pos < len(p.src) && unicode.IsSpace(p.src[p.pos]) {
		p.pos++
	}
}

// found describes what stands at the current position, for messages.
func (p *parser) found() string {
	if p.pos >= len(p.src) {
		return "the end of the expression"
	}
	if w := p.peekWord(); w != "" {
		if utf8.RuneCountInString(w) > 20 {
			w = string([]rune(w)[:20]) + "…"
		}
		return strconv.Quote(w)
	}
	r := p.src[p.pos]
	if unicode.IsControl(r) {
		return fmt.Sprintf("a control character (U+%04X)", r)
	}
	return strconv.Quote(string(r))
}

func isWordRune(r rune) bool { return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) }

// asciiFold reports whether w is the ASCII word want in any case. Equal
// byte lengths keep out the non-ASCII letters that fold to ASCII ones
// (the long s, the Kelvin sign), which nobody types on purpose.
func asciiFold(w, want string) bool { return len(w) == len(want) && strings.EqualFold(w, want) }

func (p *parser) peekWord() string {
	end := p.pos
	for end < len(p.src) && isWordRune(p.src[end]) {
		end++
	}
	return string(p.src[p.pos:end])
}

// sequence reads operands joined by one operator, up to the end (or, inside
// parentheses, up to the ")" that it leaves for the caller).
func (p *parser) sequence(inParens bool) (node, *syntaxError) {
	first, err := p.operand()
	if err != nil {
		return nil, err
	}
	var j *junction
	for {
		p.skipSpace()
		if p.pos >= len(p.src) {
			if inParens {
				return p.fail(`expected ")" at position %d, found the end of the expression`, p.pos+1)
			}
			break
		}
		if p.src[p.pos] == ')' && inParens {
			break
		}
		var op opKind
		switch w := p.peekWord(); {
		case asciiFold(w, "AND"):
			op = opAnd
		case asciiFold(w, "OR"):
			op = opOr
		default:
			next := "the end"
			if inParens {
				next = `")"`
			}
			extra := ""
			if p.src[p.pos] == ')' {
				extra = ` with no "(" open`
			}
			return p.fail("expected AND, OR or %s at position %d, found %s%s", next, p.pos+1, p.found(), extra)
		}
		at := p.pos + 1
		if j == nil {
			j = &junction{op: op, opPos: at, operands: []node{first}}
		} else if op != j.op {
			return p.fail("%v at position %d follows %v at position %d without parentheses; "+
				"put parentheses around what one signer must meet (each AND outside parentheses adds a signer)",
				op, at, j.op, j.opPos)
		}
		p.pos += len(op.String())
		next, err := p.operand()
		if err != nil {
			return nil, err
		}
		j.operands = append(j.operands, next)
	}
	if j == nil {
		return first, nil
	}
	return j, nil
}

// operand reads a term or a parenthesised sequence.
func (p *parser) operand() (node, *syntaxError) {
	p.skipSpace()
	if p.pos < len(p.src) {
		switch p.src[p.pos] {
		case '{':
			return p.term()
		case '(':
			if p.depth == MaxExpressionDepth {
				return p.fail("expected at most %d nested parentheses, found another at position %d", MaxExpressionDepth, p.pos+1)
			}
			p.depth++
			p.pos++
			inner, err := p.sequence(true)
			if err != nil {
				return nil, err
			}
			p.pos++ // the ")" sequence stopped at
			p.depth--
			return &group{inner: inner}, nil
		}
	}
	return p.fail(`expected a term like {role:X} or "(" at position %d, found %s`, p.pos+1, p.found())
}

// spaceUntilClose returns the index of the "}" when only white space
// stands between the current position and it, else -1.
func (p *parser) spaceUntilClose() int {
	for i := p.pos; i < len(p.src); i++ {
		switch {
		case p.src[i] == '}':
			return i
		case !unicode.IsSpace(p.src[i]):
			return -1
		}
	}
	return -1
}

// term reads {attribute:value}.
func (p *parser) term() (node, *syntaxError) {
	open := p.pos + 1
	p.pos++
	p.skipSpace()
	attr := ""
	switch w := p.peekWord(); {
	case asciiFold(w, attrRole):
		attr = attrRole
	case asciiFold(w, attrUserName):
		attr = attrUserName
	case asciiFold(w, attrGroup):
		attr = attrGroup
	default:
		return p.fail("expected role, userName or group at position %d, found %s", p.pos+1, p.found())
	}
	p.pos += len(attr) // ASCII: as many runes as bytes
	p.skipSpace()
	if p.pos >= len(p.src) || p.src[p.pos] != ':' {
		return p.fail(`expected ":" at position %d, found %s`, p.pos+1, p.found())
	}
	p.pos++
	p.skipSpace()
	var value strings.Builder
	for {
		if p.pos >= len(p.src) {
			return p.fail(`expected "}" at position %d to close the "{" at position %d, found the end of the expression`, p.pos+1, open)
		}
		r := p.src[p.pos]
		switch {
		case r == '}':
		case r == '{':
			return p.fail(`expected "}" at position %d to close the "{" at position %d, found "{" (write \{ for a brace in a name)`, p.pos+1, open)
		case r == '\\':
			p.pos++
			if p.pos >= len(p.src) || !strings.ContainsRune(`\{}`, p.src[p.pos]) {
				return p.fail(`expected "\\", "{" or "}" after "\" at position %d, found %s`, p.pos+1, p.found())
			}
			value.WriteRune(p.src[p.pos])
			p.pos++
			continue
		case unicode.IsControl(r):
			if end := p.spaceUntilClose(); end >= 0 {
				p.pos = end // space before the "}": dropped like spaces are
				continue
			}
			return p.fail("expected a printable character at position %d, found %s", p.pos+1, p.found())
		default:
			value.WriteRune(r)
			p.pos++
			continue
		}
		break
	}
	v := strings.TrimSpace(value.String())
	if v == "" {
		what := map[string]string{attrRole: "a role name", attrUserName: "a user name", attrGroup: "a group name"}[attr]
		return p.fail(`expected %s at position %d, found "}"`, what, p.pos+1)
	}
	p.pos++ // the "}"
	return &term{attr: attr, value: v}, nil
}
