package store

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"loginshell/internal/fault"
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

// FuzzAtomsAgreeWithAdmits checks what the stores do with the atoms the
// engine hands them against the engine's own rule: on every clause the
// parser accepts, each user name atom admits its user, and a user is
// admitted by a clause without AND exactly when an atom names them
// (NameKey), so Filter.User lists what the engine would let that user
// sign by name.
func FuzzAtomsAgreeWithAdmits(f *testing.F) {
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
			named := false
			for _, a := range c.Atoms() {
				if a.Kind == signature.AtomUserName {
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
				t.Errorf("clause %q, user %q: the engine admits %v, the atoms name %v (%q)", text, user, admits, named, c.Atoms())
			}
		}
	})
}

func TestWrap(t *testing.T) {
	t.Parallel()
	cause := errors.New("disk I/O error")
	taken := fault.Detail(signature.ErrSlotTaken, "%s", "slot-1")
	tests := []struct {
		name     string
		err      error
		wantText string
		wantErr  error
	}{
		{"nil stays nil", nil, "", nil},
		{"the engine's own error stays as it is", taken, taken.Error(), signature.ErrSlotTaken},
		{"the engine's own error wrapped by the store still stays as it is", fmt.Errorf("load: %w", taken), "load: " + taken.Error(), signature.ErrSlotTaken},
		{"anything else is named by the operation", cause, "sign slot-1: disk I/O error", cause},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := Wrap("sign slot-1", tt.err)
			if (got == nil) != (tt.err == nil) || !errors.Is(got, tt.wantErr) {
				t.Fatalf("Wrap = %v, want an error matching %v", got, tt.wantErr)
			}
			if got != nil && got.Error() != tt.wantText {
				t.Errorf("Wrap = %q, want %q", got, tt.wantText)
			}
		})
	}
}
