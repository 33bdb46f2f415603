package screen

import (
	"sync/atomic"
	"testing"
)

func TestCloseAuthPageTransitions(t *testing.T) {
	t.Parallel()
	const app = "/webapps/lineapp/index.html"
	tests := []struct {
		name     string
		steps    func(s *Screen)
		wantKind Kind
		wantURL  string
	}{
		{"closing after the provider's page returns to the application",
			func(s *Screen) {
				s.ShowPage(app, "Line")
				s.Navigate("https://idp.example.com/auth")
				s.CloseAuthPage()
			},
			Page, app},
		{"closing with no auth page shown changes nothing",
			func(s *Screen) { s.ShowPage(app, "Line"); s.ShowError("boom"); s.CloseAuthPage() },
			Error, ""},
		{"after Forget, closing shows loading instead of the old application",
			func(s *Screen) {
				s.ShowPage(app, "Line")
				s.Forget()
				s.ShowAuthPage("/webapps/offline-login/login.html?t=x&u=a", "Sign in")
				s.CloseAuthPage()
			},
			Loading, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := New("", nil)
			tt.steps(s)
			if v := s.Current(); v.Kind != tt.wantKind || v.URL != tt.wantURL || v.Auth {
				t.Errorf("view = %+v, want %s %q", v, tt.wantKind, tt.wantURL)
			}
		})
	}
}

func TestRefreshRereadsStatus(t *testing.T) {
	t.Parallel()
	var signedIn atomic.Bool
	s := New("", func() Status {
		if signedIn.Load() {
			return Status{User: &UserRef{Username: "alice"}, Online: true}
		}
		return Status{}
	})
	s.ShowPage("/a", "A")
	before := s.Current()
	signedIn.Store(true)
	s.Refresh()
	v := s.Current()
	if v.User == nil || v.User.Username != "alice" || !v.Online {
		t.Errorf("after Refresh = %+v, want alice online", v)
	}
	if v.URL != "/a" || v.Seq <= before.Seq {
		t.Errorf("after Refresh = %+v, want the same page with a newer seq than %d", v, before.Seq)
	}
}

func TestSubscribeCancelStopsDelivery(t *testing.T) {
	t.Parallel()
	s := New("", nil)
	ch, cancel := s.Subscribe()
	cancel()
	s.ShowLoading("x")
	select {
	case v := <-ch:
		t.Errorf("a cancelled subscriber got %+v", v)
	default:
	}
}
