package postgres

import (
	"context"
	"strings"
	"testing"

	"loginshell/internal/signature"
	"loginshell/internal/store/postgres/pgtest"
)

// TestTemplateOrderStep: a database made before the step that keeps a
// template's order and reject meaning migrates, and its templates read
// back as they signed before: unordered, a rejection meaning
// signature.DefaultRejectMeaning.
func TestTemplateOrderStep(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	step := -1
	for i, m := range migrations {
		if strings.Contains(m, "reject_meaning") {
			step = i
		}
	}
	if step < 0 {
		t.Fatal("no migration step adds reject_meaning")
	}
	dsn := pgtest.DB(t)
	s, err := Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	// The database as the step before left it, holding one template
	// (its key store.NameKey("Old")).
	for _, stmt := range []string{
		`ALTER TABLE templates DROP COLUMN ordered, DROP COLUMN reject_meaning`,
		`INSERT INTO templates (name_key, name, description, expression, idp, framing, timeout, force_auth, force_unique_user, meaning, require_comment)
			VALUES ('OLD', 'Old', '', '{role:A} AND {role:B}', '', '', 0, false, false, 'Approval', false)`,
	} {
		if _, err := s.pool.Exec(ctx, stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	if _, err := s.pool.Exec(ctx, `UPDATE schema_version SET version = $1`, step); err != nil {
		t.Fatal(err)
	}
	s.Close()

	s = open(t, dsn)
	got, err := s.Template(ctx, "old")
	if err != nil {
		t.Fatal(err)
	}
	if got.Ordered || got.RejectMeaning != "" || got.MeaningOf(false) != signature.DefaultRejectMeaning {
		t.Errorf("the old template reads back %+v, want unordered with the default reject meaning", got)
	}
	ordered := got
	ordered.Ordered, ordered.RejectMeaning = true, "Rejection"
	if err := s.PutTemplate(ctx, ordered); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Template(ctx, "old"); err != nil || got != ordered {
		t.Errorf("after the step: %+v, %v; want %+v", got, err, ordered)
	}
}
