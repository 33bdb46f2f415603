package audit

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestFormatGolden pins what `audit show` prints for a trail.
func TestFormatGolden(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	for _, e := range chain(12) {
		b.WriteString(Format(e))
		b.WriteString("\n")
	}
	golden := filepath.Join("testdata", "show.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if b.String() != string(want) {
		t.Errorf("audit show changed:\n%s\nwant (go test -update to accept):\n%s", b.String(), want)
	}
}

func TestFormat(t *testing.T) {
	t.Parallel()
	signed := Seal(nil, Entry{
		Time: time.Date(2025, 3, 1, 23, 30, 0, 999999999, time.FixedZone("", -5*3600)), Event: EventReject,
		Request: "6f1c2a7e-1b3d-4c5e-8f90-000000000042", RequestName: "Batch 42", Slot: "0b7e3f5a-9c2d-4e1f-a6b8-000000000001",
		UserID: "jdoe", PrintedName: "Jürgen Doe", Meaning: "Approval", Approve: no(),
		Comment: "torn\nlabel \x1b[31mred\x1b[0m \u202eevil",
	})
	line := Format(signed)
	tests := []struct {
		name, want string
	}{
		{"The time is in UTC with the station's offset.", "#1 2025-03-02T04:30:00Z (local -05:00) reject "},
		{"The request is named and identified.", `request="Batch 42" request_id=6f1c2a7e-1b3d-4c5e-8f90-000000000042 slot=0b7e3f5a-9c2d-4e1f-a6b8-000000000001`},
		{"The manifestation is complete.", `signer="Jürgen Doe" user=jdoe meaning=Approval decision=reject`},
		{"Control characters are escaped, so the entry stays one harmless line.", `comment="torn\nlabel \x1b[31mred\x1b[0m \u202eevil"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if !strings.Contains(line, tt.want) {
				t.Errorf("Format = %s\nwant it to contain %s", line, tt.want)
			}
		})
	}
	t.Run("An entry is one line.", func(t *testing.T) {
		t.Parallel()
		if strings.ContainsAny(line, "\n\r\x1b\u202e") {
			t.Errorf("Format = %q holds a line break or a control character", line)
		}
	})
	t.Run("A change of a setting says who made it.", func(t *testing.T) {
		t.Parallel()
		got := Format(Seal(nil, Entry{Time: time.Unix(0, 0).UTC(), Event: EventSetting, Station: "ST-7", Actor: "os:mes@ST-7",
			Detail: `login_url changed from "https://a" to "https://b" through the Settings place`}))
		if want := `setting actor=os:mes@ST-7 station=ST-7 detail="login_url changed from`; !strings.Contains(got, want) {
			t.Errorf("Format = %s, want it to contain %s", got, want)
		}
	})
	t.Run("Unset fields are left out.", func(t *testing.T) {
		t.Parallel()
		got := Format(Seal(nil, Entry{Time: time.Unix(0, 0).UTC(), Event: EventTemplate, Template: "Release v2"}))
		if want := `#1 1970-01-01T00:00:00Z (local +00:00) template template="Release v2"`; got != want {
			t.Errorf("Format = %s, want %s", got, want)
		}
	})
}
