package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"loginshell/internal/signature"
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
	// The database as the steps before left it (later steps, whatever
	// they are, run again after), holding one template (its key
	// store.NameKey("Old")).
	path := filepath.Join(t.TempDir(), "store.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	stmts := append([]string{`CREATE TABLE schema_version (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL) STRICT`},
		migrations[:step]...)
	stmts = append(stmts, fmt.Sprintf(`INSERT INTO schema_version (id, version) VALUES (1, %d)`, step),
		`INSERT INTO templates (name_key, name, description, expression, idp, framing, timeout, force_auth, force_unique_user, meaning, require_comment)
			VALUES ('OLD', 'Old', '', '{role:A} AND {role:B}', '', '', 0, 0, 0, 'Approval', 0)`)
	for _, stmt := range stmts {
		if _, err := db.Exec(stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	db.Close()

	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
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
