package keychain

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckPassword(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		pw       string
		wantRule PasswordRule // "" means accepted
		wantMsg  string
	}{
		{"eight characters are enough", "abcdefgh", "", ""},
		{"seven characters are too short", "abcdefg", RuleTooShort, "at least 8 characters"},
		{"an empty password is too short", "", RuleTooShort, "at least 8 characters"},
		{"length counts characters, not bytes", "ééééééé", RuleTooShort, "at least 8 characters"},
		{"eight non-ASCII characters are enough", "пароль12", "", ""},
		{"256 characters are allowed", strings.Repeat("x", 256), "", ""},
		{"257 characters are too long", strings.Repeat("x", 257), RuleTooLong, "at most 256 characters"},
		{"spaces count like any character", "a b c d ", "", ""},
		{"bytes that are not text are refused", "abcdefgh\xff", RuleNotUnicode, "not valid text"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := CheckPassword(tt.pw)
			if tt.wantRule == "" {
				if err != nil {
					t.Fatalf("CheckPassword = %v, want nil", err)
				}
				return
			}
			var pe *PasswordError
			if !errors.As(err, &pe) || !errors.Is(err, ErrWeakPassword) {
				t.Fatalf("CheckPassword = %v, want a *PasswordError matching ErrWeakPassword", err)
			}
			if pe.Rule != tt.wantRule {
				t.Errorf("rule = %q, want %q", pe.Rule, tt.wantRule)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("message %q does not name the rule (%q)", err, tt.wantMsg)
			}
		})
	}
}
