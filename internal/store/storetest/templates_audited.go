package storetest

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"loginshell/internal/audit"
	"loginshell/internal/signature"
)

// templateRecorder is an entries function for a template's change that
// keeps what it was called with and writes the entry the engine would:
// "stored" with the hash of the template as stored, or "removed".
type templateRecorder struct {
	detail string
	seen   []signature.Template
}

func (rec *templateRecorder) entries(t signature.Template) []audit.Entry {
	rec.seen = append(rec.seen, t)
	e := audit.Entry{Time: at(30), Station: "ST-7", Event: audit.EventTemplate, Template: t.Name, Detail: rec.detail}
	if rec.detail == "stored" {
		e.Content = t.Hash()
	}
	return []audit.Entry{e}
}

// testTemplatesAudited: a template's change and its entries are committed
// together or not at all, as a request's are (testAudited). A template
// changed with no entry would be a change nobody could detect.
func testTemplatesAudited(t *testing.T, newDB NewDB) {
	ctx := context.Background()
	t.Run("put and delete commit their entries with the change", func(t *testing.T) {
		t.Parallel()
		s := fresh(t, newDB)
		stored := &templateRecorder{detail: "stored"}
		for i, tt := range []signature.Template{template("Line Release", "first"), template("line RELEASE", "second")} {
			sealed, err := s.PutTemplateAudited(ctx, tt, stored.entries)
			if err != nil {
				t.Fatal(err)
			}
			got, err := s.Template(ctx, "Line Release")
			if err != nil || !reflect.DeepEqual(got, tt) {
				t.Fatalf("Template after put %d = %+v, %v; want %+v", i+1, got, err, tt)
			}
			if len(stored.seen) != i+1 || !reflect.DeepEqual(stored.seen[i], got) {
				t.Errorf("put %d: entries saw %+v, want the template as read back %+v", i+1, stored.seen, got)
			}
			if len(sealed) != 1 || sealed[0].Seq != int64(i+1) || sealed[0].Content != got.Hash() {
				t.Errorf("put %d sealed %+v, want entry %d with the hash %s of the template read back", i+1, sealed, i+1, got.Hash())
			}
		}

		removed := &templateRecorder{detail: "removed"}
		sealed, err := s.DeleteTemplateAudited(ctx, "LINE release", removed.entries)
		if err != nil {
			t.Fatal(err)
		}
		if want := template("line RELEASE", "second"); len(removed.seen) != 1 || !reflect.DeepEqual(removed.seen[0], want) {
			t.Errorf("delete's entries saw %+v, want the template as it was stored %+v", removed.seen, want)
		}
		if len(sealed) != 1 || sealed[0].Seq != 3 || sealed[0].Template != "line RELEASE" {
			t.Errorf("delete sealed %+v, want entry 3 naming the template as stored", sealed)
		}
		if _, err := s.Template(ctx, "Line Release"); !errors.Is(err, signature.ErrNoTemplate) {
			t.Errorf("Template after delete: %v, want ErrNoTemplate", err)
		}

		var got []string
		for _, e := range verified(t, s) {
			got = append(got, e.Template+" "+e.Detail)
		}
		if want := []string{"Line Release stored", "line RELEASE stored", "line RELEASE removed"}; !reflect.DeepEqual(got, want) {
			t.Errorf("trail %q, want %q", got, want)
		}
	})

	t.Run("nil entries or none returned write nothing to the trail", func(t *testing.T) {
		t.Parallel()
		s := fresh(t, newDB)
		none := func(signature.Template) []audit.Entry { return nil }
		if sealed, err := s.PutTemplateAudited(ctx, template("A", ""), none); err != nil || len(sealed) != 0 {
			t.Fatalf("PutTemplateAudited = %+v, %v", sealed, err)
		}
		if sealed, err := s.PutTemplateAudited(ctx, template("B", ""), nil); err != nil || len(sealed) != 0 {
			t.Fatalf("PutTemplateAudited = %+v, %v", sealed, err)
		}
		if sealed, err := s.DeleteTemplateAudited(ctx, "a", none); err != nil || len(sealed) != 0 {
			t.Fatalf("DeleteTemplateAudited = %+v, %v", sealed, err)
		}
		if ts, err := s.Templates(ctx); err != nil || !reflect.DeepEqual(names(ts), []string{"B"}) {
			t.Errorf("Templates = %q, %v; want [B]", names(ts), err)
		}
		if es := verified(t, s); len(es) != 0 {
			t.Errorf("the trail holds %d entries", len(es))
		}
	})

	t.Run("deleting an unknown name is ErrNoTemplate and writes no entry", func(t *testing.T) {
		t.Parallel()
		s := fresh(t, newDB)
		mustPutTemplate(t, s, template("Line Release", ""))
		rec := &templateRecorder{detail: "removed"}
		if _, err := s.DeleteTemplateAudited(ctx, "Line", rec.entries); !errors.Is(err, signature.ErrNoTemplate) {
			t.Errorf("err = %v, want ErrNoTemplate", err)
		}
		if len(rec.seen) != 0 {
			t.Errorf("entries was called with %+v", rec.seen)
		}
		if es := verified(t, s); len(es) != 0 {
			t.Errorf("the trail holds %d entries", len(es))
		}
	})

	testTemplatePanics(t, newDB)
}

// testTemplatePanics: an entries function that panics (as a failed
// append does, from inside the transaction) leaves the templates and the
// trail as they were, and the store still writes.
func testTemplatePanics(t *testing.T, newDB NewDB) {
	ctx := context.Background()
	boom := func(signature.Template) []audit.Entry { panic("boom") }
	kept := template("Line Release", "kept")
	tests := []struct {
		name string
		call func(s Store)
		want []signature.Template // the templates after the panic
	}{
		{"a new template is not stored", func(s Store) { s.PutTemplateAudited(ctx, template("Batch Release", "new"), boom) },
			[]signature.Template{kept}},
		{"a replaced template keeps its old version", func(s Store) { s.PutTemplateAudited(ctx, template("LINE RELEASE", "new"), boom) },
			[]signature.Template{kept}},
		{"a removed template is still there", func(s Store) { s.DeleteTemplateAudited(ctx, "line release", boom) },
			[]signature.Template{kept}},
	}
	for _, tt := range tests {
		t.Run("an entries function that panics leaves neither the change nor an entry: "+tt.name, func(t *testing.T) {
			t.Parallel()
			s := fresh(t, newDB)
			mustPutTemplate(t, s, kept)
			func() {
				defer func() {
					if recover() == nil {
						t.Error("the panic was not passed on")
					}
				}()
				tt.call(s)
			}()
			if ts, err := s.Templates(ctx); err != nil || !reflect.DeepEqual(ts, tt.want) {
				t.Errorf("Templates after the panic = %+v, %v; want %+v", ts, err, tt.want)
			}
			if es := verified(t, s); len(es) != 0 {
				t.Errorf("the trail holds %d entries", len(es))
			}
			// The store still writes, and the chain starts at 1.
			sealed, err := s.PutTemplateAudited(ctx, template("After", ""), (&templateRecorder{detail: "stored"}).entries)
			if err != nil || len(sealed) != 1 || sealed[0].Seq != 1 {
				t.Errorf("a put after the panic = %+v, %v; want entry 1", sealed, err)
			}
		})
	}
}

// mustPutTemplate stores tt with no entry or fails t.
func mustPutTemplate(t *testing.T, s Store, tt signature.Template) {
	t.Helper()
	if err := s.PutTemplate(context.Background(), tt); err != nil {
		t.Fatalf("put template %s: %v", tt.Name, err)
	}
}
