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
			s := New("", "", nil)
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
	s := New("", "", func() *UserRef {
		if signedIn.Load() {
			return &UserRef{Username: "alice"}
		}
		return nil
	})
	s.ShowPage("/a", "A")
	before := s.Current()
	signedIn.Store(true)
	s.Refresh()
	s.SetOnline(true)
	v := s.Current()
	if v.User == nil || v.User.Username != "alice" || !v.Online {
		t.Errorf("after Refresh = %+v, want alice online", v)
	}
	if v.URL != "/a" || v.Seq <= before.Seq+1 {
		t.Errorf("after Refresh = %+v, want the same page with a newer seq than %d", v, before.Seq)
	}
}

func TestSubscribeCancelStopsDelivery(t *testing.T) {
	t.Parallel()
	s := New("", "", nil)
	ch, cancel := s.Subscribe()
	cancel()
	s.ShowLoading("x")
	select {
	case v := <-ch:
		t.Errorf("a cancelled subscriber got %+v", v)
	default:
	}
}

// SetOnline pushes connectivity to the status bar: a change is a new view,
// the same state again is not.
func TestSetOnlinePushesChangesOnly(t *testing.T) {
	t.Parallel()
	s := New("", "", nil)
	s.ShowPage("/a", "A")
	before := s.Current().Seq
	s.SetOnline(false)
	if got := s.Current().Seq; got != before {
		t.Errorf("SetOnline(false) while offline made view %d, want none", got)
	}
	s.SetOnline(true)
	v := s.Current()
	if !v.Online || v.Seq != before+1 || v.URL != "/a" {
		t.Errorf("after SetOnline(true) = %+v, want the same page online as view %d", v, before+1)
	}
}
