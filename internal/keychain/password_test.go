package keychain

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"loginshell/internal/fault"
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
		{"eight spaces are blank", "        ", RuleBlank, "characters you can see"},
		{"tabs and line breaks are blank", "\t\t\n\n\r\r\v\f", RuleBlank, "characters you can see"},
		{"zero-width spaces are blank", strings.Repeat("\u200b", 8), RuleBlank, "not only spaces or invisible characters"},
		{"byte order marks are blank", strings.Repeat("\ufeff", 8), RuleBlank, "not only spaces or invisible characters"},
		{"no-break, ideographic and line separator spaces are blank", "\u00a0\u3000\u2028\u2029\u202f\u2007 \u00a0", RuleBlank, "characters you can see"},
		{"a mix of invisible characters is blank", "\u200b\u200c\u200d\u2060\ufeff\u00ad\u200e \t", RuleBlank, "characters you can see"},
		{"seven zero-width spaces are too short first", strings.Repeat("\u200b", 7), RuleTooShort, "at least 8 characters"},
		{"one visible character among spaces is enough", "       x", "", ""},
		{"visible characters around invisible ones are kept", "pass\u200bword", "", ""},
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

func TestMessageDropsTheWrapping(t *testing.T) {
	t.Parallel()
	until := time.Date(2026, 1, 1, 10, 0, 0, 0, time.Local)
	tests := []struct {
		name string
		err  error
		want string
		ok   bool
	}{
		{"a wrong password reads as the sentinel", fmt.Errorf("unlock vault: %w", ErrWrongPassword), "wrong offline password", true},
		{"a lockout says until when", fmt.Errorf("unlock vault: %w", &LockedError{Until: until, Failures: 10}), "Offline sign-in is locked after 10 wrong passwords; try again after 10:00:00.", true},
		{"a weak password names the rule", fmt.Errorf("create vault: %w", &PasswordError{Rule: RuleTooShort, Limit: 8}), "the offline password must be at least 8 characters long", true},
		{"another error is hidden", errors.New("disk full"), fault.InternalText, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := fault.Text(tt.err); got != tt.want {
				t.Errorf("fault.Text = %q, want %q", got, tt.want)
			}
			if ok := fault.KindOf(tt.err) != fault.Internal; ok != tt.ok {
				t.Errorf("kinded = %v, want %v", ok, tt.ok)
			}
		})
	}
}
