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

// AuditTrail yields t with no checkpoint, as a store no station signed
// for gives it.
func (t trail) AuditTrail(_ context.Context, fn func(audit.Trail) error) error {
	return fn(audit.Trail{Store: "test", Rows: func(yield func(audit.Row, error) bool) {
		for _, e := range t {
			if !yield(audit.Row{Entry: &e}, nil) {
				return
			}
		}
	}})
}

// failing is a store that breaks after its first entry.
type failing struct{ trail }

func (f failing) AuditEntries(ctx context.Context, fn func(audit.Entry) error) error {
	if err := f.trail[:1].AuditEntries(ctx, fn); err != nil {
		return err
	}
	return errors.New("the database went away")
}

func (f failing) AuditTrail(ctx context.Context, fn func(audit.Trail) error) error {
	return f.trail[:1].AuditTrail(ctx, func(t audit.Trail) error {
		rows := t.Rows
		t.Rows = func(yield func(audit.Row, error) bool) {
			for row := range rows {
				if !yield(row, nil) {
					return
				}
			}
			yield(audit.Row{}, errors.New("the database went away"))
		}
		return fn(t)
	})
}

func sealed(n int) trail {
	var t trail
	for i := range n {
		var prev *audit.Entry
		if i > 0 {
			prev = &t[i-1]
		}
		t = append(t, audit.Seal(prev, audit.Entry{Time: time.Date(2026, 11, 29, 12, i, 0, 0, time.UTC), Offset: "+01:00",
			Station: "MES-1", Event: "queued", Request: "r1", RequestName: "Line Release"}))
	}
	return t
}

// store is what TestAudit reads: the trail both ways.
type store interface {
	auditReader
	trailReader
}

func TestAudit(t *testing.T) {
	t.Parallel()
	altered := sealed(3)
	altered[1].Station = "MES-2"
	for _, tt := range []struct {
		name, what     string
		json, table    bool
		trail          store
		code           int
		stdout, stderr string
		notOut         string
	}{
		{"intact", "verify", false, false, sealed(3), 0, "OK: the audit trail of signatures.db is intact (3 entries, head #3 ", "", ""},
		{"a trail no station signed is noted", "verify", false, false, sealed(3), 0, "note: no station has signed a checkpoint", "", ""},
		{"empty", "verify", false, false, trail{}, 0, "intact (0 entries, head none)", "", ""},
		{"altered", "verify", false, false, altered, 1, "", "loginshell audit verify: ", "OK"},
		{"missing entry", "verify", false, false, append(sealed(3)[:1:1], sealed(3)[2]), 1, "", "loginshell audit verify: ", "OK"},
		{"store fails", "verify", false, false, failing{sealed(3)}, 1, "", "the database went away", "OK"},
		{"show --table", "show", false, true, sealed(2), 0, "LOCAL TIME", "", ""},
		{"show's table has the station's local time", "show", false, true, sealed(2), 0, "2026-11-29 13:01:00 +01:00", "", ""},
		{"show's lines", "show", false, false, sealed(2), 0, `request="Line Release"`, "", ""},
		{"show json", "show", true, false, sealed(2), 0, `"station":"MES-1"`, "", ""},
		{"show fails", "show", false, false, failing{sealed(3)}, 1, "", "the database went away", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var out, errb bytes.Buffer
			var err error
			switch tt.what {
			case "verify":
				err = verifyStore(context.Background(), tt.trail, "signatures.db", "", t.TempDir(), nil, &out, &errb)
			default:
				err = showAudit(context.Background(), tt.trail, &trailFlags{table: tt.table}, tt.json, &out)
			}
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
