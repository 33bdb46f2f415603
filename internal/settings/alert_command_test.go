package settings

import (
	"errors"
	"testing"
)

// TestAlertCommand: alert_command is the shell's own (pages read it, never
// set it: it names a program the station runs) and must be text; so is
// installer_role (a page that cleared it would let anyone install).
func TestAlertCommand(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name    string
		key     string
		shell   bool
		value   any
		want    string
		wantErr error
	}{
		{name: "alert_command is a shell key", key: "alert_command", shell: true, value: "/usr/local/bin/page-oncall --plant 4", want: "/usr/local/bin/page-oncall --plant 4"},
		{name: "in any case and around spaces", key: " Alert_Command ", shell: true, value: "", want: ""},
		{name: "its value is trimmed", key: "alert_command", shell: true, value: "  notify-send  ", want: "notify-send"},
		{name: "a value that is not text is refused", key: "alert_command", shell: true, value: []any{"rm", "-rf"}, wantErr: ErrInvalid},
		{name: "installer_role is a shell key, trimmed", key: "installer_role", shell: true, value: " Supervisor ", want: "Supervisor"},
		{name: "installer_role in any case", key: "INSTALLER_ROLE ", shell: true, value: "", want: ""},
		{name: "an installer_role that is not text is refused", key: "installer_role", shell: true, value: true, wantErr: ErrInvalid},
		{name: "a key of a page is not the shell's", key: "alert_commands", shell: false, value: "x", want: "x"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := IsShellKey(tt.key); got != tt.shell {
				t.Errorf("IsShellKey(%q) = %v, want %v", tt.key, got, tt.shell)
			}
			s, _ := Open("")
			err := s.Set(Canonical(tt.key), tt.value)
			if !errors.Is(err, tt.wantErr) || (err == nil) != (tt.wantErr == nil) {
				t.Fatalf("Set = %v, want %v", err, tt.wantErr)
			}
			if err == nil && s.String(Canonical(tt.key)) != tt.want {
				t.Errorf("stored %q, want %q", s.String(Canonical(tt.key)), tt.want)
			}
		})
	}
}
