package screen

import (
	"testing"

	"loginshell/internal/signature"
)

// TestScreenNotice: a notice (a signature alert) is carried by the view
// shown and by every later one until it is taken down, and it changes
// nothing else: a dialog open over the page stays.
func TestScreenNotice(t *testing.T) {
	t.Parallel()
	const alert = "Signature alert at station-b: operator is locked out"
	for _, tt := range []struct {
		name   string
		steps  func(s *Screen)
		notice string
	}{
		{"a notice shows over the view shown", func(s *Screen) { s.Notify(alert) }, alert},
		{"a notice stays over a later view", func(s *Screen) { s.Notify(alert); s.ShowError("the network went away") }, alert},
		{"a notice stays over a page shown anew", func(s *Screen) { s.Notify(alert); s.ShowPage("/webapps/other/index.html", "Other") }, alert},
		{"an empty notice takes it down", func(s *Screen) { s.Notify(alert); s.Notify("") }, ""},
		{"no notice, none shown", func(s *Screen) { s.ShowLoading("x") }, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := New("", "http://p.localhost:1", nil, nil)
			s.ShowPage("/webapps/lineapp/index.html", "Line")
			tt.steps(s)
			if got := s.Current().Notice; got != tt.notice {
				t.Errorf("notice %q, want %q", got, tt.notice)
			}
		})
	}
	t.Run("a notice leaves an open dialog and the page as they are, in a newer view", func(t *testing.T) {
		t.Parallel()
		s := New("", "http://p.localhost:1", nil, nil)
		s.ShowPage("/webapps/lineapp/index.html", "Line")
		before := s.Current()
		if err := s.Post(s.Session(), before.Page, signature.Challenge{ID: "c-1"}); err != nil {
			t.Fatal(err)
		}
		posted := s.Current()
		s.Notify(alert)
		v := s.Current()
		if v.Challenge == nil || v.Challenge.ID != "c-1" || v.Page != before.Page || v.Seq <= posted.Seq || v.Notice != alert {
			t.Errorf("after the notice: %+v, want the dialog and page kept, a newer seq and the notice", v)
		}
	})
}
