package screen

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestScreenAuthPageReturnsToApplication(t *testing.T) {
	t.Parallel()
	s := New("1.0", "", func() *UserRef { return &UserRef{Username: "op"} }, nil)
	s.SetOnline(true)
	s.ShowPage("/webapps/lineapp/index.html", "Line")
	s.ShowAuthPage("/webapps/offline-login/manage.html?t=x&u=op", "Change password")
	if v := s.Current(); !v.Auth || v.Kind != Page {
		t.Fatalf("auth page view = %+v", v)
	}
	s.CloseAuthPage()
	v := s.Current()
	if v.URL != "/webapps/lineapp/index.html" || v.Auth {
		t.Errorf("after close = %+v, want the application page", v)
	}
	if v.User == nil || v.User.Username != "op" || !v.Online || v.Version != "1.0" {
		t.Errorf("status not filled: %+v", v)
	}
}

func TestScreenCloseWithoutApplicationShowsLoading(t *testing.T) {
	t.Parallel()
	s := New("", "", nil, nil)
	s.ShowAuthPage("/login", "Sign in")
	s.CloseAuthPage()
	if v := s.Current(); v.Kind != Loading {
		t.Errorf("after close = %+v, want loading", v)
	}
}

func TestScreenSubscribersGetNewestView(t *testing.T) {
	t.Parallel()
	s := New("", "", nil, nil)
	ch, cancel := s.Subscribe()
	defer cancel()
	s.ShowLoading("a")
	s.ShowError("b")
	v := <-ch
	if v.Kind != Error || v.Message != "b" {
		t.Errorf("got %+v, want the newest (error b)", v)
	}
	if v.Seq <= 1 {
		t.Errorf("seq = %d, want it to grow with each change", v.Seq)
	}
	select {
	case extra := <-ch:
		t.Errorf("an older view was still queued: %+v", extra)
	default:
	}
}

func TestScreenErrorViews(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		show          func(*Screen)
		wantConfigure bool
	}{
		{"ShowConfigure offers the login server form", func(s *Screen) { s.ShowConfigure("no login server") }, true},
		{"ShowError offers Retry only", func(s *Screen) { s.ShowError("no login server") }, false},
		{"a refresh keeps the form", func(s *Screen) { s.ShowConfigure("no login server"); s.Refresh() }, true},
		{"the next view drops the form", func(s *Screen) { s.ShowConfigure("x"); s.ShowError("no login server") }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := New("", "", nil, nil)
			tt.show(s)
			v := s.Current()
			if v.Kind != Error || v.Message != "no login server" || v.Configure != tt.wantConfigure {
				t.Errorf("view = %+v, want an error with configure %v", v, tt.wantConfigure)
			}
			b, err := json.Marshal(v)
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Contains(string(b), `"configure":true`); got != tt.wantConfigure {
				t.Errorf("JSON %s: has \"configure\":true = %v, want %v", b, got, tt.wantConfigure)
			}
		})
	}
}

// Leaving the provider's page replaces only the navigation: an outcome
// already shown (the error of a cancelled sign-in) stays.
func TestScreenLeaveNavigate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		before func(s *Screen)
		want   Kind
		msg    string
	}{
		{"a navigation becomes a loading message", func(s *Screen) { s.Navigate("https://idp.example/authorize") }, Loading, "Signing in…"},
		{"an error shown meanwhile stays", func(s *Screen) { s.Navigate("https://idp.example/a"); s.ShowError("the login was cancelled") }, Error, "the login was cancelled"},
		{"a page shown meanwhile stays", func(s *Screen) { s.ShowPage("/webapps/app/index.html", "App") }, Page, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := New("", "", nil, nil)
			tt.before(s)
			seq := s.Current().Seq
			s.LeaveNavigate("Signing in…")
			v := s.Current()
			if v.Kind != tt.want || v.Message != tt.msg {
				t.Errorf("after LeaveNavigate = %+v, want %s %q", v, tt.want, tt.msg)
			}
			if tt.want != Loading && v.Seq != seq {
				t.Errorf("LeaveNavigate changed a view it should leave (seq %d -> %d)", seq, v.Seq)
			}
		})
	}
}

func TestShowProblemCarriesItsWords(t *testing.T) {
	t.Parallel()
	s := New("1", "", nil, nil)
	p := Problem{Heading: "The login server cannot be reached", Message: "Tried https://login.example.", Action: "Try again",
		Configure: true, LoginURL: "https://login.example", Calm: false}
	s.ShowProblem(p)
	v := s.Current()
	if v.Kind != Error || v.Heading != p.Heading || v.Message != p.Message || v.Action != p.Action ||
		!v.Configure || v.LoginURL != p.LoginURL || v.Calm {
		t.Errorf("view = %+v, want the problem %+v", v, p)
	}
	s.ShowLoading("Signing in…")
	if v := s.Current(); v.Heading != "" || v.LoginURL != "" || v.Configure {
		t.Errorf("a loading view kept the problem's words: %+v", v)
	}
}

func TestChooseOfflineIsInEveryView(t *testing.T) {
	t.Parallel()
	s := New("", "", nil, nil)
	if s.Current().OfflineChosen {
		t.Fatal("a new screen says offline was chosen")
	}
	ch, cancel := s.Subscribe()
	defer cancel()
	s.ChooseOffline()
	if v := <-ch; !v.OfflineChosen {
		t.Errorf("the view pushed by ChooseOffline = %+v, want offlineChosen", v)
	}
	s.ShowError("boom")
	if v := s.Current(); !v.OfflineChosen || v.Online {
		t.Errorf("a later view = %+v, want offlineChosen and not online", v)
	}
	b, _ := json.Marshal(s.Current())
	if !strings.Contains(string(b), `"offlineChosen":true`) {
		t.Errorf("the view's JSON %s lacks offlineChosen", b)
	}
}
