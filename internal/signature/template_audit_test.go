package signature_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"reflect"
	"testing"

	"loginshell/internal/audit"
	"loginshell/internal/signature"
)

// refuseTrail makes every later append to e's trail fail inside its
// transaction, as a full disk or a dropped connection would, after the
// change it goes with was written.
func refuseTrail(t *testing.T, e *env) {
	t.Helper()
	db, err := sql.Open("sqlite", filepath.Join(e.dir, "signatures.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE TRIGGER refuse_audit BEFORE INSERT ON audit BEGIN SELECT RAISE(ABORT, 'the trail refuses'); END`); err != nil {
		t.Fatal(err)
	}
}

// TestTemplateChangesAreRecorded: a template stored or removed through
// the engine is in the trail, stamped as every entry is, the "stored"
// entry with the hash of the template as the store holds it, the
// "removed" one naming it as it was stored.
func TestTemplateChangesAreRecorded(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "")
	ctx := signature.ActingAs(context.Background(), "os:alice@host")
	changed := lineRelease
	changed.Description = "Release a line, changed"
	if err := e.eng.PutTemplate(ctx, changed); err != nil {
		t.Fatal(err)
	}
	stored, err := e.eng.Template(ctx, lineRelease.Name)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.eng.DeleteTemplate(ctx, "LINE RELEASE APPROVAL"); err != nil {
		t.Fatal(err)
	}
	es := e.entries(t, audit.EventTemplate)
	if len(es) != 3 { // newEnv's put, then these two
		t.Fatalf("template entries %+v, want 3", es)
	}
	put, removed := es[1], es[2]
	if put.Detail != "stored" || put.Template != lineRelease.Name || put.Content != stored.Hash() ||
		put.Actor != "os:alice@host" || put.Station != "station-a" || put.Time.IsZero() {
		t.Errorf("the put's entry %+v, want stored, stamped, with the hash %s of the template as stored", put, stored.Hash())
	}
	if removed.Detail != "removed" || removed.Template != lineRelease.Name || removed.Content != "" ||
		removed.Actor != "os:alice@host" || removed.Station != "station-a" {
		t.Errorf("the delete's entry %+v, want removed, stamped, naming %q as stored", removed, lineRelease.Name)
	}
}

// TestATemplateChangeWithoutItsEntryIsRefused: when the trail cannot be
// written, the engine's PutTemplate and DeleteTemplate return an error
// and leave the template as it was. A template changed with no entry in
// the trail would be a change nobody could detect (they used to log the
// failed append and keep the change).
func TestATemplateChangeWithoutItsEntryIsRefused(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	replaced := lineRelease
	replaced.Expression = "{role:Operator}"
	tests := []struct {
		name   string
		change func(*signature.Engine) error
		want   []signature.Template // the templates after the refusal
	}{
		{"a new template is not stored", func(eng *signature.Engine) error {
			return eng.PutTemplate(ctx, signature.Template{Name: "Batch Release", Expression: "{role:QA}", Meaning: "Approval"})
		}, []signature.Template{lineRelease}},
		{"a replaced template keeps its old version", func(eng *signature.Engine) error { return eng.PutTemplate(ctx, replaced) },
			[]signature.Template{lineRelease}},
		{"a removed template is still there", func(eng *signature.Engine) error { return eng.DeleteTemplate(ctx, lineRelease.Name) },
			[]signature.Template{lineRelease}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, "")
			refuseTrail(t, e)
			err := tt.change(e.eng)
			if err == nil || errors.Is(err, signature.ErrNoTemplate) {
				t.Errorf("the change = %v, want the trail's failure", err)
			}
			if ts, err := e.eng.Templates(ctx); err != nil || !reflect.DeepEqual(ts, tt.want) {
				t.Errorf("Templates after the refusal = %+v, %v; want %+v", ts, err, tt.want)
			}
			if es := e.entries(t, audit.EventTemplate); len(es) != 1 {
				t.Errorf("template entries %+v, want newEnv's one", es)
			}
		})
	}
}
