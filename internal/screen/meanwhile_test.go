package screen

import (
	"errors"
	"sync/atomic"
	"testing"

	"loginshell/internal/signature"
	"loginshell/internal/webapps"
)

// meanwhile is a user callback that, once armed, lets another change of
// the screen happen in the middle of the change that asks it, after it
// has answered: the other change comes exactly where a goroutine of the
// shell's may come on a loaded machine. who is whom it answers.
type meanwhile struct {
	who   atomic.Pointer[UserRef]
	armed atomic.Pointer[func()]
}

func (m *meanwhile) user() *UserRef {
	who := m.who.Load()
	if f := m.armed.Swap(nil); f != nil {
		(*f)()
	}
	return who
}

// during runs change with other made in the middle of it.
func (m *meanwhile) during(change, other func()) {
	m.armed.Store(&other)
	change()
	if m.armed.Swap(nil) != nil {
		panic("the change asked nobody who is signed in")
	}
}

// A change of the screen shows what it made of the view shown when it
// began; one made meanwhile must not be undone by it. The demo sign-in
// hung at "Signing in…" so: the connectivity monitor's first answer
// (SetOnline, which re-shows the view with the status bar's online mark)
// read "Signing in…", the sign-in navigated to the identity provider, and
// the monitor then showed the "Signing in…" it had read; the sign-in
// waited for a page nobody showed, with nothing in the log, until its
// timeout. Each case makes one change with another in its middle.
func TestScreenKeepsChangesMadeMeanwhile(t *testing.T) {
	t.Parallel()
	const (
		idp     = "http://127.0.0.1:9/authorize?client_id=loginshell"
		app     = "/webapps/lineapp/index.html"
		other   = "/webapps/other/index.html"
		manage  = "/webapps/offline-login/manage.html"
		pagesAt = "http://p.localhost:1"
	)
	op := &UserRef{Username: "op"}
	tests := []struct {
		name   string
		before func(s *Screen)
		change func(s *Screen) // the change interrupted
		other  func(s *Screen, m *meanwhile)
		want   func(t *testing.T, s *Screen, v View)
	}{
		{
			name:   "the sign-in navigates while the monitor marks the login server online",
			before: func(s *Screen) { s.ShowLoading("Signing in…") },
			change: func(s *Screen) { s.SetOnline(true) },
			other:  func(s *Screen, _ *meanwhile) { s.Navigate(idp) },
			want: func(t *testing.T, _ *Screen, v View) {
				if v.Kind != Navigate || v.URL != idp || !v.Online {
					t.Errorf("view = %+v, want the navigation to the identity provider, online", v)
				}
			},
		},
		{
			name:   "the starter app shows while an alert's notice goes up",
			before: func(s *Screen) { s.ShowLoading("Signed in") },
			change: func(s *Screen) { s.Notify("Signature alert") },
			other:  func(s *Screen, _ *meanwhile) { s.ShowPage(app, "Line") },
			want: func(t *testing.T, _ *Screen, v View) {
				if v.Kind != Page || v.URL != webapps.OnItsOrigin(pagesAt, app) || v.Notice != "Signature alert" {
					t.Errorf("view = %+v, want the starter app with the notice", v)
				}
			},
		},
		{
			name:   "another page shows while an authentication page closes",
			before: func(s *Screen) { s.ShowPage(app, "Line"); s.ShowAuthPage(manage, "Change password") },
			change: func(s *Screen) { s.CloseAuthPage() },
			other:  func(s *Screen, _ *meanwhile) { s.ShowPage(other, "Other") },
			want: func(t *testing.T, _ *Screen, v View) {
				if v.Kind != Page || v.URL != webapps.OnItsOrigin(pagesAt, other) {
					t.Errorf("view = %+v, want the page shown meanwhile", v)
				}
			},
		},
		{
			name:   "the page is replaced while a dialog is posted over it",
			before: func(s *Screen) { s.ShowPage(app, "Line") },
			change: func(s *Screen) {
				err := s.Post(s.Session(), s.Current().Page, signature.Challenge{ID: "c1", By: signature.Plant})
				if !errors.Is(err, signature.ErrNotPosted) {
					t.Errorf("Post over a page replaced meanwhile = %v, want ErrNotPosted", err)
				}
			},
			other: func(s *Screen, _ *meanwhile) { s.ShowPage(other, "Other") },
			want: func(t *testing.T, _ *Screen, v View) {
				if v.Kind != Page || v.URL != webapps.OnItsOrigin(pagesAt, other) || v.Challenge != nil {
					t.Errorf("view = %+v, want the page shown meanwhile, no dialog", v)
				}
			},
		},
		{
			name: "the sign-in navigates while a dialog closes",
			before: func(s *Screen) {
				s.ShowPage(app, "Line")
				if err := s.Post(s.Session(), s.Current().Page, signature.Challenge{ID: "c1", By: signature.Plant}); err != nil {
					t.Fatal(err)
				}
			},
			change: func(s *Screen) { s.Close("c1") },
			other:  func(s *Screen, _ *meanwhile) { s.Navigate(idp) },
			want: func(t *testing.T, _ *Screen, v View) {
				if v.Kind != Navigate || v.URL != idp {
					t.Errorf("view = %+v, want the navigation", v)
				}
			},
		},
		{
			name:   "a person signs in while a loading message shows",
			before: func(*Screen) {},
			change: func(s *Screen) { s.ShowLoading("Set up your offline password") },
			other:  func(s *Screen, m *meanwhile) { m.who.Store(op); s.Refresh() },
			want: func(t *testing.T, _ *Screen, v View) {
				if v.User == nil || v.User.Username != "op" || v.Message != "Set up your offline password" {
					t.Errorf("view = %+v, want the message with the person signed in meanwhile", v)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := &meanwhile{}
			s := New("1.0", pagesAt, m.user, nil)
			tt.before(s)
			m.during(func() { tt.change(s) }, func() { tt.other(s, m) })
			tt.want(t, s, s.Current())
		})
	}
}
