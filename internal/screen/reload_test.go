package screen

import "testing"

// TestScreenReload: run from source reloads the page shown, as a new page
// (a new name for the signature SDK) at the same URL, and leaves other
// views alone.
func TestScreenReload(t *testing.T) {
	t.Parallel()
	s := New("1.0", "http://pages", nil, nil)
	s.ShowLoading("Starting…")
	s.Reload()
	if v := s.Current(); v.Kind != Loading || v.Reload != 0 {
		t.Fatalf("Reload changed a loading view: %+v", v)
	}
	s.ShowPage("/webapps/app/index.html", "App")
	before := s.Current()
	s.Reload()
	after := s.Current()
	switch {
	case after.Kind != Page || after.URL != before.URL || after.Title != before.Title:
		t.Errorf("after Reload the screen shows %+v, want the same page", after)
	case after.Reload != before.Reload+1 || after.Seq <= before.Seq:
		t.Errorf("reload %d seq %d, want %d and above %d", after.Reload, after.Seq, before.Reload+1, before.Seq)
	case after.Page == before.Page:
		t.Errorf("the reloaded page keeps its name %q", after.Page)
	}
	s.ShowAuthPage("/webapps/offline/setup.html?t=x", "Setup")
	s.CloseAuthPage()
	if v := s.Current(); v.URL != before.URL || v.Reload != after.Reload {
		t.Errorf("back from the auth page: %+v, want the reloaded application page with its reload count", v)
	}
}
