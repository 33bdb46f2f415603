package cli

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"loginshell/internal/audit"
)

// trail is a trail as read back from a store, in order.
type trail []audit.Entry

func (t trail) AuditEntries(_ context.Context, fn func(audit.Entry) error) error {
	for _, e := range t {
		if err := fn(e); err != nil {
			return err
		}
	}
	return nil
}

// failing is a store that breaks after its first entry.
type failing struct{ trail }

func (f failing) AuditEntries(ctx context.Context, fn func(audit.Entry) error) error {
	if err := f.trail[:1].AuditEntries(ctx, fn); err != nil {
		return err
	}
	return errors.New("the database went away")
}

func sealed(n int) trail {
	var t trail
	for i := range n {
		var prev *audit.Entry
		if i > 0 {
			prev = &t[i-1]
		}
		t = append(t, audit.Seal(prev, audit.Entry{Time: time.Date(2026, 11, 29, 12, i, 0, 0, time.UTC),
			Station: "MES-1", Event: "queued", Request: "r1", RequestName: "Line Release"}))
	}
	return t
}

func TestAudit(t *testing.T) {
	t.Parallel()
	altered := sealed(3)
	altered[1].Station = "MES-2"
	for _, tt := range []struct {
		name, what     string
		json           bool
		trail          auditReader
		code           int
		stdout, stderr string
		notOut         string
	}{
		{"intact", "verify", false, sealed(3), 0, "OK: the audit trail of signatures.db is intact (3 entries, head #3 ", "", ""},
		{"empty", "verify", false, trail{}, 0, "intact (0 entries, head none)", "", ""},
		{"altered", "verify", false, altered, 1, "", "loginshell audit verify: ", "OK"},
		{"missing entry", "verify", false, append(sealed(3)[:1:1], sealed(3)[2]), 1, "", "loginshell audit verify: ", "OK"},
		{"store fails", "verify", false, failing{sealed(3)}, 1, "", "the database went away", "OK"},
		{"show", "show", false, sealed(2), 0, "Line Release", "", ""},
		{"show json", "show", true, sealed(2), 0, `"station":"MES-1"`, "", ""},
		{"neither", "list", false, sealed(1), exitUsage, "", "say verify or show", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var out, errb bytes.Buffer
			err := printAudit(context.Background(), tt.trail, "signatures.db", tt.what, tt.json, &out, &errb)
			code := 0
			var exit exitCode
			switch {
			case errors.As(err, &exit):
				code = int(exit)
			case err != nil:
				errb.WriteString(err.Error())
				code = 1
			}
			if code != tt.code || !strings.Contains(out.String(), tt.stdout) || !strings.Contains(errb.String(), tt.stderr) ||
				(tt.notOut != "" && strings.Contains(out.String(), tt.notOut)) {
				t.Errorf("code %d, stdout %q, stderr %q; want %d, %q, %q", code, out.String(), errb.String(), tt.code, tt.stdout, tt.stderr)
			}
		})
	}
}
