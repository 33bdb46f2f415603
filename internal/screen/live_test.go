package screen

import (
	"testing"

	"loginshell/internal/check"
)

// TestScreenLive: pages of a --package folder that loads carry the folder
// (the chrome's "live from" mark), other pages and views do not; a folder
// that does not load rides on every view until it loads again (issue
// 23.2).
func TestScreenLive(t *testing.T) {
	t.Parallel()
	s := New("1.0", "http://pages.localhost:1", nil, nil)
	live := Live{Folder: "/home/qa/lineapp", Name: "lineapp"}
	broken := Live{Folder: "/home/qa/offline", Name: "offline-login", Problems: []check.Problem{
		{File: "webapp.json", Rule: "invalid-manifest", Message: "is not valid JSON at line 2, column 3", Severity: check.SeverityError}}}

	s.SetLive([]Live{live})
	s.ShowPage("/webapps/lineapp/index.html", "Line")
	if v := s.Current(); v.Live != live.Folder || len(v.Broken) != 0 {
		t.Errorf("a live package's page: live %q broken %v, want %q and none", v.Live, v.Broken, live.Folder)
	}
	s.ShowPage("/webapps/other/index.html", "Other")
	if v := s.Current(); v.Live != "" {
		t.Errorf("another package's page is marked live from %q", v.Live)
	}
	s.ShowError("Something")
	if v := s.Current(); v.Live != "" {
		t.Errorf("an error view is marked live from %q", v.Live)
	}

	seq := s.Current().Seq
	s.SetLive([]Live{live})
	if s.Current().Seq != seq {
		t.Error("the same live folders again made a new view")
	}
	s.SetLive([]Live{live, broken})
	if v := s.Current(); v.Seq == seq || len(v.Broken) != 1 || v.Broken[0].Folder != broken.Folder || v.Broken[0].Problems[0].Rule != "invalid-manifest" {
		t.Errorf("a broken folder: %+v, want it on the view at once", v)
	}
	s.ShowPage("/webapps/lineapp/index.html", "Line")
	if v := s.Current(); len(v.Broken) != 1 || v.Live != live.Folder {
		t.Errorf("a page shown while a folder is broken: live %q broken %v", v.Live, v.Broken)
	}
	s.SetLive([]Live{live, {Folder: broken.Folder, Name: broken.Name}})
	if v := s.Current(); len(v.Broken) != 0 || v.Kind != Page {
		t.Errorf("the folder fixed: %+v, want the page without the broken folder", v)
	}
}
