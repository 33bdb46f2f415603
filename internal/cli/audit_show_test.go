package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"loginshell/internal/audit"
)

func TestShowFilters(t *testing.T) {
	t.Parallel()
	at := func(m int) time.Time { return time.Date(2026, 11, 29, 12, m, 0, 0, time.UTC) }
	yes := true
	es := []audit.Entry{
		{Time: at(0), Offset: "+01:00", Station: "MES-1", Event: audit.EventQueue, Request: "11111111-1111-4111-8111-111111111111", RequestName: "Line 4"},
		{Time: at(1), Offset: "+01:00", Station: "MES-1", Event: audit.EventApprove, Request: "11111111-1111-4111-8111-111111111111", RequestName: "Line 4",
			UserID: "olga", PrintedName: "Olga Operator", Meaning: "Approval", Approve: &yes},
		{Time: at(2), Offset: "-05:00", Station: "MES-2", Event: audit.EventFailure, Request: "22222222-2222-4222-8222-222222222222", RequestName: "Line 5",
			UserID: "bob", Detail: "wrong user ID or password\n\x1b[31m"},
		{Time: at(3), Offset: "+01:00", Station: "MES-1", Event: audit.EventSetting, Actor: "os:mes@plant-1",
			Detail: `login_url changed from "https://a.example" to "https://b.example"`},
	}
	var tr trail
	for i, e := range es {
		var prev *audit.Entry
		if i > 0 {
			prev = &tr[i-1]
		}
		tr = append(tr, audit.Seal(prev, e))
	}
	for _, tt := range []struct {
		name    string
		flags   trailFlags
		want    []string // rows, by number
		content string   // in the output
	}{
		{"Everything, as a table with the station's local time and the manifestation.", trailFlags{table: true}, []string{"#1", "#2", "#3", "#4"},
			"2026-11-29 13:01:00 +01:00  approve  Line 4   Olga Operator  olga     Approval  approve"},
		{"By user ID.", trailFlags{user: "OLGA"}, []string{"#2"}, ""},
		{"By printed name.", trailFlags{user: "olga operator"}, []string{"#2"}, ""},
		{"By request UUID.", trailFlags{table: true, request: "22222222-2222-4222-8222-222222222222"}, []string{"#3"}, "2026-11-29 07:02:00 -05:00"},
		{"By request name.", trailFlags{request: "Line 4"}, []string{"#1", "#2"}, ""},
		{"By events.", trailFlags{event: "queue, FAILURE"}, []string{"#1", "#3"}, ""},
		{"A setting's change and who made it, in the table's last column.", trailFlags{table: true, event: "setting"}, []string{"#4"},
			`login_url changed from "https://a.example" to "https://b.example"; by os:mes@plant-1`},
		{"Since a time.", trailFlags{sinceText: "2026-11-29T12:01:00Z"}, []string{"#2", "#3", "#4"}, ""},
		{"Every field on one line, a newline and an escape kept harmless.", trailFlags{user: "bob"}, []string{"#3"}, `detail="wrong user ID or password\n\x1b[31m"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := tt.flags
			if err := f.validate("show", time.Now()); err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			if err := showAudit(context.Background(), tr, &f, false, &out); err != nil {
				t.Fatal(err)
			}
			var rows []string
			for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
				if strings.HasPrefix(line, "#") && !strings.HasPrefix(line, "# ") {
					rows = append(rows, strings.Fields(line)[0])
				}
			}
			if strings.Join(rows, " ") != strings.Join(tt.want, " ") || !strings.Contains(out.String(), tt.content) {
				t.Errorf("rows %v, want %v; output:\n%s\nwant it to hold %q", rows, tt.want, out.String(), tt.content)
			}
			if strings.Contains(out.String(), "\x1b") {
				t.Errorf("an escape reached the terminal:\n%q", out.String())
			}
		})
	}
}

func TestSince(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 29, 12, 0, 0, 0, time.FixedZone("CET", 3600))
	for _, tt := range []struct {
		in   string
		want time.Time
	}{
		{"2026-11-29T08:00:00Z", time.Date(2026, 11, 29, 8, 0, 0, 0, time.UTC)},
		{"2026-11-29T08:00", time.Date(2026, 11, 29, 8, 0, 0, 0, now.Location())},
		{"2026-11-29", time.Date(2026, 11, 29, 0, 0, 0, 0, now.Location())},
		{"24h", now.Add(-24 * time.Hour)},
	} {
		if got, err := parseSince(tt.in, now); err != nil || !got.Equal(tt.want) {
			t.Errorf("--since %s = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"yesterday", "-1h", "2026-13-01"} {
		if _, err := parseSince(bad, now); err == nil {
			t.Errorf("--since %s was taken", bad)
		}
	}
}

// TestAuditAndStationCommandLines pins the new command lines' usage
// errors and the station's trust.
func TestAuditAndStationCommandLines(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, tt := range []struct {
		name   string
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{"export needs a file", []string{"audit", "export", "--data", dir}, 2, "", "name the file to write"},
		{"export's request is a UUID", []string{"audit", "export", "--request", "Line 4", "x.json"}, 2, "", "give the request's UUID"},
		{"--export goes with verify", []string{"audit", "show", "--export", "x.json"}, 2, "", "--export goes with verify"},
		{"a fingerprint of 64 hex digits", []string{"audit", "verify", "--export", "x.json", "--fingerprint", "abcd"}, 2, "", "want 64"},
		{"--user goes with show", []string{"audit", "verify", "--user", "olga"}, 2, "", "go with show"},
		{"a bad --since", []string{"audit", "show", "--since", "soon"}, 2, "", "--since \"soon\""},
		{"an export that is not one", []string{"audit", "verify", "--export", "/dev/null"}, 1, "", "not a loginshell audit export"},
		{"station needs a verb", []string{"station"}, 2, "", "say key, trust or forget-store"},
		{"trust needs a name and a fingerprint", []string{"station", "trust", "ST-2"}, 2, "", "say station trust NAME FINGERPRINT"},
		{"trust", []string{"station", "trust", "--data", dir, "ST-2", strings.Repeat("ab", 32)}, 0, "now accepts the key abab abab", ""},
		{"forget-store needs a store", []string{"station", "forget-store"}, 2, "", "say station forget-store STORE"},
		{"forget-store of a store never kept", []string{"station", "forget-store", "--data", dir, "0123"}, 2, "", "kept no checkpoint of store \"0123\""},
		{"station's help", []string{"station", "-h"}, 0, "loginshell station key|trust|forget-store", ""},
		{"audit's help names export", []string{"audit", "-h"}, 0, "loginshell audit export", ""},
		{"--lines or --table", []string{"audit", "show", "--lines", "--table"}, 2, "", "not both"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, stdout, stderr := runCLI(dir, tt.args...)
			if code != tt.code || !strings.Contains(stdout, tt.stdout) || !strings.Contains(stderr, tt.stderr) {
				t.Errorf("exit %d, stdout %q, stderr %q; want %d, %q, %q", code, stdout, stderr, tt.code, tt.stdout, tt.stderr)
			}
		})
	}
}
