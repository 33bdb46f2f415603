package signature_test

import (
	"errors"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"loginshell/internal/fault"
	"loginshell/internal/signature"
)

// The seed corpus lives in testdata/fuzz/FuzzParseExpression and runs as an
// ordinary test; `go test -fuzz FuzzParseExpression` explores from it.

var fuzzPosition = regexp.MustCompile(`position (\d+)`)

// FuzzParseExpression: ParseExpression never panics; a refusal is a
// BadRequest matching ErrBadExpression whose positions lie inside the text
// (or just past it); an accepted expression has at least one slot, its
// canonical String parses to the same String, the same slots and the same
// verdicts, and each slot's String parses as that one slot.
func FuzzParseExpression(f *testing.F) {
	signers := []signature.Signer{
		{},
		{UserID: "bob", Roles: []string{"Operator"}, Groups: []string{"QA"}},
		{UserID: "a", Roles: []string{"A", "B", "C", "D"}, Groups: []string{"A", "B", "C", "D"}},
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := signature.ParseExpression(s)
		if err != nil {
			if !errors.Is(err, signature.ErrBadExpression) || fault.KindOf(err) != fault.BadRequest {
				t.Fatalf("error %v is not a bad expression", err)
			}
			text := fault.Text(err)
			if !strings.HasPrefix(text, fault.Text(signature.ErrBadExpression)+": ") {
				t.Fatalf("text %q does not start with the sentinel's", text)
			}
			limit := utf8.RuneCountInString(s) + 1
			for _, m := range fuzzPosition.FindAllStringSubmatch(text, -1) {
				if n, _ := strconv.Atoi(m[1]); n < 1 || n > limit {
					t.Fatalf("%q: position %d outside 1..%d", text, n, limit)
				}
			}
			return
		}
		slots := e.Slots()
		if len(slots) == 0 {
			t.Fatalf("%q parsed with no slots", s)
		}
		canonical := e.String()
		again, err := signature.ParseExpression(canonical)
		if err != nil {
			t.Fatalf("canonical %q of %q does not parse: %v", canonical, s, err)
		}
		if again.String() != canonical {
			t.Fatalf("canonical %q of %q re-parses as %q", canonical, s, again.String())
		}
		againSlots := again.Slots()
		if len(againSlots) != len(slots) {
			t.Fatalf("%q has %d slots, its canonical %q %d", s, len(slots), canonical, len(againSlots))
		}
		for i, c := range slots {
			one, err := signature.ParseClause(c.String())
			if err != nil || one.String() != c.String() {
				t.Fatalf("slot %d %q of %q does not parse as one clause: %q, %v", i, c.String(), s, one.String(), err)
			}
			for _, sg := range signers {
				if c.Admits(sg) != againSlots[i].Admits(sg) || c.Admits(sg) != one.Admits(sg) {
					t.Fatalf("slot %d %q of %q: verdict for %+v changes after re-parsing", i, c.String(), s, sg)
				}
			}
		}
	})
}

// FuzzParseTemplates: ParseTemplates never panics; a refusal is a
// BadRequest matching ErrBadTemplate; accepted templates each pass
// ValidateTemplate, and EncodeTemplates writes them in a form that reads
// back as the same templates, sorted by name.
func FuzzParseTemplates(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		ts, err := signature.ParseTemplates(data)
		if err != nil {
			if !errors.Is(err, signature.ErrBadTemplate) || fault.KindOf(err) != fault.BadRequest {
				t.Fatalf("error %v is not a bad template", err)
			}
			return
		}
		for _, tmpl := range ts {
			if err := signature.ValidateTemplate(tmpl); err != nil {
				t.Fatalf("accepted %+v, which ValidateTemplate refuses: %v", tmpl, err)
			}
		}
		encoded, err := signature.EncodeTemplates(ts)
		if err != nil {
			t.Fatalf("accepted templates that EncodeTemplates refuses: %v", err)
		}
		back, err := signature.ParseTemplates(encoded)
		if err != nil {
			t.Fatalf("EncodeTemplates wrote what ParseTemplates refuses: %v\n%s", err, encoded)
		}
		if len(back) != len(ts) {
			t.Fatalf("%d templates read back as %d", len(ts), len(back))
		}
		for _, b := range back {
			if !slices.Contains(ts, b) {
				t.Fatalf("template %+v read back was not among those parsed", b)
			}
		}
	})
}
