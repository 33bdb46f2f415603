package signature

import (
	"cmp"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"loginshell/internal/fault"
)

// MaxTemplateText bounds a template's name, idp and meanings, in characters.
const MaxTemplateText = 200

// MaxTemplateDescription bounds a template's description, in characters.
const MaxTemplateDescription = 4096

// MaxTimeout is the longest timeout a template may name: a day.
const MaxTimeout = 24 * time.Hour

// templatesFile names the file in ParseTemplates' messages.
const templatesFile = "templates.json"

// TimeoutDuration returns how long a challenge of t waits for its signer:
// DefaultTimeout when t names none (0), else t.Timeout minutes, never more
// than MaxTimeout (a template that failed ValidateTemplate included).
func (t Template) TimeoutDuration() time.Duration {
	switch {
	case t.Timeout <= 0:
		return DefaultTimeout
	case t.Timeout > int(MaxTimeout/time.Minute):
		return MaxTimeout
	}
	return time.Duration(t.Timeout) * time.Minute
}

// Provider returns the identity provider t signs with: t.IDP, or IDPLocal
// when it is empty.
func (t Template) Provider() string { return cmp.Or(t.IDP, IDPLocal) }

// MeaningOf returns what a signature given under t means: t.Meaning for
// an approval, t.RejectMeaning for a rejection (DefaultRejectMeaning when
// it is empty). The challenge shows it and the signature and its audit
// entries record it: the meaning of the decision made, never the other.
func (t Template) MeaningOf(approve bool) string {
	if approve {
		return t.Meaning
	}
	return cmp.Or(t.RejectMeaning, DefaultRejectMeaning)
}

// FramingMode returns where t's sign-in runs: t.Framing, or FramingEmbedded
// when it is empty.
func (t Template) FramingMode() string { return cmp.Or(t.Framing, FramingEmbedded) }

// ValidateTemplate applies the rules of a template. Where the seed is
// silent they were chosen as follows, and why:
//
//   - name is required, at most MaxTemplateText characters, without control
//     characters and without space at either end: it is the key templates
//     are found by (without regard to case), and "Release " would be a
//     second name that looks like the first.
//   - expression is required and must parse (ParseExpression).
//   - idp may be empty, which means IDPLocal (user ID and offline password);
//     otherwise it names a provider under the rules of name. Whether the
//     provider exists is decided when a challenge runs (ErrUnsupported),
//     not here: a template may be written before its provider is set up.
//   - framing is "embedded", "self" or "new", exactly; empty means
//     embedded.
//   - timeout is in whole minutes: 0 (absent) means DefaultTimeout; a
//     given value must be greater than 0 and at most MaxTimeout.
//   - meaning is required, under the rules of name: 21 CFR 11.50(a)(3)
//     puts the meaning of a signature (review, approval, responsibility,
//     authorship) in every manifestation, so a template without one could
//     only make records that do not comply.
//   - rejectMeaning, what a rejection means, is optional under the rules
//     of name: empty means DefaultRejectMeaning, so a template written
//     before it existed still records its rejections truthfully.
//   - ordered (slots sign in the order of the expression) and the other
//     booleans take no check.
//   - description is optional free text of at most MaxTemplateDescription
//     characters; line breaks and tabs are its only control characters.
//
// Every field is shown in the challenge dialog or written into each audit
// entry, hence the bounds.
//
// A refusal matches ErrBadTemplate (and ErrBadExpression when the
// expression is at fault), names the first broken rule in field order and
// the template: `template "Line Release Approval": "timeout" must be a
// whole number of minutes greater than 0` (just `"name" is required` when
// the name is at fault).
//
// ValidateTemplate does NOT check that another template has the same name;
// the Store and ParseTemplates do.
func ValidateTemplate(t Template) error {
	p := checkTemplate(t)
	if p == nil {
		return nil
	}
	if p.field == "name" {
		return p.err("")
	}
	return p.err(fmt.Sprintf("template %q", t.Name))
}

// problem is a broken rule: the field and what is wrong with it, e.g.
// field "timeout", text "must be ...". cause, when set, is the kinded
// error the text came from (an expression's syntax error).
type problem struct {
	field string
	text  string
	cause error
}

// err returns p as an ErrBadTemplate refinement, after where (an entry or
// a template) when where is not empty.
func (p *problem) err(where string) error {
	if where != "" {
		where += ": "
	}
	if p.cause != nil {
		return fault.Detail(ErrBadTemplate, "%s%q %s%w", where, p.field, p.text, p.cause)
	}
	return fault.Detail(ErrBadTemplate, "%s%q %s", where, p.field, p.text)
}

// expressionCause carries a syntax error's detail into a template's error:
// it matches ErrBadExpression, and its safe text is the detail alone, not
// the sentinel's text again.
type expressionCause struct{ detail string }

func (e *expressionCause) Error() string    { return e.detail }
func (e *expressionCause) Kind() fault.Kind { return fault.KindOf(ErrBadExpression) }
func (e *expressionCause) Unwrap() error    { return ErrBadExpression }

const timeoutRule = "must be a whole number of minutes greater than 0"

// checkTemplate returns the first broken rule of t, in field order, or nil.
func checkTemplate(t Template) *problem {
	if p := checkLine("name", t.Name, true); p != nil {
		return p
	}
	if strings.TrimSpace(t.Expression) == "" {
		return &problem{field: "expression", text: "is required, e.g. {role:Supervisor}"}
	}
	if _, err := parseTree(t.Expression); err != nil {
		return &problem{field: "expression", text: "is not valid: ", cause: &expressionCause{err.detail}}
	}
	if p := checkLine("idp", t.IDP, false); p != nil {
		return p
	}
	switch t.Framing {
	case "", FramingEmbedded, FramingSelf, FramingNew:
	default:
		return &problem{field: "framing", text: `must be "embedded", "self" or "new" (or empty for "embedded")`}
	}
	if t.Timeout < 0 {
		return &problem{field: "timeout", text: timeoutRule}
	}
	if most := int(MaxTimeout / time.Minute); t.Timeout > most {
		return &problem{field: "timeout", text: fmt.Sprintf("must be at most %d minutes (one day)", most)}
	}
	if p := checkLine("meaning", t.Meaning, true); p != nil {
		if p.text == "is required" {
			p.text = `is required: it states what the signature means, e.g. "Approval" (21 CFR 11.50)`
		}
		return p
	}
	if p := checkLine("rejectMeaning", t.RejectMeaning, false); p != nil {
		return p
	}
	if n := utf8.RuneCountInString(t.Description); n > MaxTemplateDescription {
		return &problem{field: "description", text: fmt.Sprintf("must be at most %d characters", MaxTemplateDescription)}
	}
	if strings.ContainsFunc(t.Description, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' }) {
		return &problem{field: "description", text: "must not contain control characters other than line breaks and tabs"}
	}
	if t.Description != "" && !hasVisible(t.Description) {
		return &problem{field: "description", text: invisibleRule + "; leave it empty or describe the request"}
	}
	if strings.ContainsFunc(t.Description, isDirectionControl) {
		return &problem{field: "description", text: directionRule}
	}
	return nil
}

// A signer reads the name, the meaning and the description before
// signing (21 CFR 11.50): text that shows nothing, or shows other than
// what it holds, is refused.
const (
	invisibleRule = "must hold visible text (letters, digits or signs), not only spaces or invisible characters"
	directionRule = "must not contain text-direction overrides (U+202A–U+202E, U+2066–U+2069), which make text read otherwise than it is stored"
)

// hasVisible reports whether s holds a character a person sees: a letter,
// digit, punctuation or symbol. Spaces, zero-width and other format
// characters and lone combining marks are not.
func hasVisible(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool {
		return unicode.In(r, unicode.L, unicode.N, unicode.P, unicode.S)
	})
}

// isDirectionControl reports the bidirectional embeddings, overrides and
// isolates that reorder how text is shown.
func isDirectionControl(r rune) bool {
	return (r >= '\u202a' && r <= '\u202e') || (r >= '\u2066' && r <= '\u2069')
}

// checkLine applies the rules of a one-line text field.
func checkLine(field, v string, required bool) *problem {
	switch {
	case strings.TrimSpace(v) == "":
		if required {
			return &problem{field: field, text: "is required"}
		}
		if v != "" {
			return &problem{field: field, text: "must not be only space; leave it empty or name something"}
		}
	case !hasVisible(v):
		return &problem{field: field, text: invisibleRule}
	case strings.ContainsFunc(v, isDirectionControl):
		return &problem{field: field, text: directionRule}
	case strings.TrimSpace(v) != v:
		return &problem{field: field, text: "must not begin or end with space"}
	case strings.ContainsFunc(v, unicode.IsControl):
		return &problem{field: field, text: "must not contain control characters (line breaks, tabs)"}
	case utf8.RuneCountInString(v) > MaxTemplateText:
		return &problem{field: field, text: fmt.Sprintf("must be at most %d characters", MaxTemplateText)}
	}
	return nil
}
