package postgres

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/jackc/pgx/v5"
	"loginshell/internal/audit"
	"loginshell/internal/signature"
	"loginshell/internal/store/postgres/pgtest"
)

// TestAFailedAppendLeavesTheTemplate: an append that the database
// refuses (here a trigger; a dropped connection or a full disk alike)
// fails the template's change with it. Here the entries go to the
// database with the COMMIT in one batch (appendAudit), after the row
// changed: the COMMIT must not keep the row without its entry.
func TestAFailedAppendLeavesTheTemplate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	kept := signature.Template{Name: "Line Release", Expression: "{role:Operator}", IDP: signature.IDPLocal, Meaning: "Approval"}
	entries := func(tt signature.Template) []audit.Entry {
		return []audit.Entry{{Event: audit.EventTemplate, Template: tt.Name, Detail: "changed", Content: tt.Hash()}}
	}
	replaced := kept
	replaced.Expression = "{role:QA}"
	tests := []struct {
		name   string
		change func(s *Store) error
	}{
		{"a new template is not stored", func(s *Store) error {
			_, err := s.PutTemplateAudited(ctx, signature.Template{Name: "Batch Release"}, entries)
			return err
		}},
		{"a replaced template keeps its old version", func(s *Store) error {
			_, err := s.PutTemplateAudited(ctx, replaced, entries)
			return err
		}},
		{"a removed template is still there", func(s *Store) error {
			_, err := s.DeleteTemplateAudited(ctx, "line release", entries)
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dsn := pgtest.DB(t)
			s := open(t, dsn)
			if err := s.PutTemplate(ctx, kept); err != nil {
				t.Fatal(err)
			}
			refuseAppends(t, dsn)
			if err := tt.change(s); err == nil || errors.Is(err, signature.ErrNoTemplate) {
				t.Errorf("the change = %v, want the trail's refusal", err)
			}
			if ts, err := s.Templates(ctx); err != nil || !reflect.DeepEqual(ts, []signature.Template{kept}) {
				t.Errorf("Templates = %+v, %v; want %+v", ts, err, kept)
			}
			n := 0
			if err := s.AuditEntries(ctx, func(audit.Entry) error { n++; return nil }); err != nil || n != 0 {
				t.Errorf("the trail holds %d entries (%v), want none", n, err)
			}
		})
	}
}

// refuseAppends makes the database refuse every insert into the trail
// from now on, with the schema's own append-only function.
func refuseAppends(t *testing.T, dsn string) {
	t.Helper()
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, `CREATE TRIGGER refuse_appends BEFORE INSERT ON audit
	FOR EACH ROW EXECUTE FUNCTION audit_append_only()`); err != nil {
		t.Fatal(err)
	}
}
