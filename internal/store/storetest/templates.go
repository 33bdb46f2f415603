package storetest

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"loginshell/internal/signature"
)

func template(name, description string) signature.Template {
	return signature.Template{
		Name: name, Description: description, Expression: "{role:Operator} AND ({role:Supervisor} OR {userName:bob})",
		IDP: signature.IDPLocal, Framing: signature.FramingEmbedded, Timeout: 5, Force: true,
		ForceUniqueUser: true, Ordered: true, Meaning: "Approval", RejectMeaning: "Rejection", RequireComment: true,
	}
}

func names(ts []signature.Template) []string {
	out := []string{}
	for _, t := range ts {
		out = append(out, t.Name)
	}
	return out
}

func testTemplates(t *testing.T, newDB NewDB) {
	ctx := context.Background()
	t.Run("a template comes back with every field", func(t *testing.T) {
		t.Parallel()
		s := fresh(t, newDB)
		want := template("Line Release", "two signatures")
		if err := s.PutTemplate(ctx, want); err != nil {
			t.Fatal(err)
		}
		got, err := s.Template(ctx, "Line Release")
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Template = %+v, want %+v", got, want)
		}
		zero := signature.Template{Name: "Bare"}
		if err := s.PutTemplate(ctx, zero); err != nil {
			t.Fatal(err)
		}
		if got, err := s.Template(ctx, "bare"); err != nil || !reflect.DeepEqual(got, zero) {
			t.Errorf("Template(bare) = %+v, %v; want %+v", got, err, zero)
		}
	})

	t.Run("names compare without regard to case", func(t *testing.T) {
		t.Parallel()
		s := fresh(t, newDB)
		if err := s.PutTemplate(ctx, template("Line Release Ä", "a")); err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"Line Release Ä", "line release ä", "LINE RELEASE Ä"} {
			if got, err := s.Template(ctx, name); err != nil || got.Name != "Line Release Ä" {
				t.Errorf("Template(%q) = %q, %v", name, got.Name, err)
			}
		}
	})

	t.Run("a put under another case replaces the template and its name", func(t *testing.T) {
		t.Parallel()
		s := fresh(t, newDB)
		for _, tt := range []signature.Template{template("Line Release", "first"), template("line RELEASE", "second")} {
			if err := s.PutTemplate(ctx, tt); err != nil {
				t.Fatal(err)
			}
		}
		ts, err := s.Templates(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(ts) != 1 || ts[0].Name != "line RELEASE" || ts[0].Description != "second" {
			t.Errorf("Templates = %+v, want the second put only", ts)
		}
	})

	t.Run("templates are listed by name without regard to case", func(t *testing.T) {
		t.Parallel()
		s := fresh(t, newDB)
		for _, name := range []string{"beta", "Alpha", "gamma", "Beta 2"} {
			if err := s.PutTemplate(ctx, template(name, "")); err != nil {
				t.Fatal(err)
			}
		}
		ts, err := s.Templates(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := names(ts), []string{"Alpha", "beta", "Beta 2", "gamma"}; !reflect.DeepEqual(got, want) {
			t.Errorf("Templates = %q, want %q", got, want)
		}
	})

	t.Run("an empty store lists no templates", func(t *testing.T) {
		t.Parallel()
		ts, err := fresh(t, newDB).Templates(ctx)
		if err != nil || len(ts) != 0 {
			t.Errorf("Templates = %+v, %v; want none", ts, err)
		}
	})

	t.Run("delete removes the template named in any case", func(t *testing.T) {
		t.Parallel()
		s := fresh(t, newDB)
		for _, name := range []string{"Keep", "Line Release"} {
			if err := s.PutTemplate(ctx, template(name, "")); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.DeleteTemplate(ctx, "LINE release"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Template(ctx, "Line Release"); !errors.Is(err, signature.ErrNoTemplate) {
			t.Errorf("Template after delete: %v, want ErrNoTemplate", err)
		}
		if ts, err := s.Templates(ctx); err != nil || !reflect.DeepEqual(names(ts), []string{"Keep"}) {
			t.Errorf("Templates after delete = %q, %v; want [Keep]", names(ts), err)
		}
	})

	tests := []struct {
		name    string
		call    func(s Store) error
		wantErr error
	}{
		{"an unknown name is ErrNoTemplate", func(s Store) error { _, err := s.Template(ctx, "Nope"); return err }, signature.ErrNoTemplate},
		{"deleting an unknown name is ErrNoTemplate", func(s Store) error { return s.DeleteTemplate(ctx, "Nope") }, signature.ErrNoTemplate},
		{"a name is not a prefix", func(s Store) error { _, err := s.Template(ctx, "Line"); return err }, signature.ErrNoTemplate},
		{"a name is not a pattern", func(s Store) error { _, err := s.Template(ctx, "Line%"); return err }, signature.ErrNoTemplate},
		{"deleting twice is ErrNoTemplate", func(s Store) error {
			if err := s.DeleteTemplate(ctx, "line release"); err != nil {
				return err
			}
			return s.DeleteTemplate(ctx, "line release")
		}, signature.ErrNoTemplate},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := fresh(t, newDB)
			if err := s.PutTemplate(ctx, template("Line Release", "")); err != nil {
				t.Fatal(err)
			}
			if err := tt.call(s); !errors.Is(err, tt.wantErr) {
				t.Errorf("err = %v, want %v", err, tt.wantErr)
			}
		})
	}
}
