package screen

import (
	"encoding/json"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"loginshell/internal/signature"
	"loginshell/internal/webapps"
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
			s := New("", "", nil, nil)
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
	}, nil)
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
	s := New("", "", nil, nil)
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
	s := New("", "", nil, nil)
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

// A challenge shows only over the application page that asked for it, in
// this session; it goes when answered or when the page goes.
func TestPostChallenge(t *testing.T) {
	t.Parallel()
	s := New("", "http://p.localhost:1", nil, nil)
	c := signature.Challenge{ID: "c1", RequestName: "Release line"}
	if err := s.Post(s.Session(), "", c); !errors.Is(err, signature.ErrNotPosted) {
		t.Fatalf("Post with no page shown = %v, want ErrNotPosted", err)
	}
	s.ShowPage("/webapps/lineapp/index.html", "Line")
	page := s.Current().Page
	if page == "" {
		t.Fatal("a page view has no page name")
	}
	for _, tt := range []struct {
		name, session, page string
	}{
		{"another session's page", "other-session", page},
		{"a page that is not shown", s.Session(), "page-999"},
	} {
		if err := s.Post(tt.session, tt.page, c); !errors.Is(err, signature.ErrNotPosted) {
			t.Errorf("%s: Post = %v, want ErrNotPosted", tt.name, err)
		}
	}
	if err := s.Post(s.Session(), page, c); err != nil {
		t.Fatalf("Post = %v", err)
	}
	if v := s.Current(); v.Challenge == nil || v.Challenge.ID != "c1" || v.Page != page {
		t.Fatalf("view = %+v, want the dialog over the same page", v)
	}
	if err := s.Post(s.Session(), page, signature.Challenge{ID: "c2"}); !errors.Is(err, signature.ErrNotPosted) {
		t.Errorf("a second dialog over the first = %v, want ErrNotPosted", err)
	}
	s.SetOnline(true) // a status change keeps the dialog and the page
	if v := s.Current(); v.Challenge == nil || v.Page != page {
		t.Errorf("after a status change: %+v", v)
	}
	s.Close("other")
	if s.Current().Challenge == nil {
		t.Error("Close of another challenge closed this one")
	}
	s.Close("c1")
	if v := s.Current(); v.Challenge != nil || v.Page != page {
		t.Errorf("after Close: %+v, want the page without a dialog", v)
	}
	s.ShowAuthPage("/webapps/offline-login/manage.html", "Change")
	if err := s.Post(s.Session(), s.Current().Page, c); !errors.Is(err, signature.ErrNotPosted) {
		t.Errorf("Post over an authentication page = %v, want ErrNotPosted", err)
	}
	s.CloseAuthPage()
	if v := s.Current(); v.Page == page || v.Page == "" {
		t.Errorf("the page shown again has name %q, want a new one (it reloaded)", v.Page)
	}
}

// Only the page shown raises a dialog (issue 20, promise 4): its name is
// unguessable (128 random bits, new at every page shown anew), and a
// package's trigger posts over that package's own page only, never over
// another's, even with the page's name; the plant may post over any.
func TestPostOnlyOverTheAskingPackagesPage(t *testing.T) {
	t.Parallel()
	s := New("", "http://p.localhost:1", nil, nil)
	s.ShowPage("/webapps/lineapp/index.html", "Line")
	page := s.Current().Page
	if !regexp.MustCompile(`^page-[0-9a-f]{32}$`).MatchString(page) {
		t.Fatalf("the page's name %q is not 128 random bits", page)
	}
	long := strings.Repeat("x", 40) // named by its label's hash on its origin
	for _, tt := range []struct {
		name    string
		by      string
		wantErr error
	}{
		{"another package's trigger", "hostile", signature.ErrNotPosted},
		{"a package whose name the shown one's starts with", "line", signature.ErrNotPosted},
		{"a long-named package", webapps.PackageLabel(long), signature.ErrNotPosted},
		{"the shown page's own package", "lineapp", nil},
	} {
		err := s.Post(s.Session(), page, signature.Challenge{ID: tt.name, By: tt.by})
		if !errors.Is(err, tt.wantErr) || (err == nil) != (tt.wantErr == nil) {
			t.Errorf("%s: Post = %v, want %v", tt.name, err, tt.wantErr)
		}
		s.Close(tt.name)
	}
	if err := s.Post(s.Session(), page, signature.Challenge{ID: "plant", By: signature.Plant}); err != nil {
		t.Errorf("the plant's Post = %v", err)
	}
	s.Close("plant")
	s.ShowPage("/webapps/"+long+"/index.html", "Long")
	if err := s.Post(s.Session(), s.Current().Page, signature.Challenge{ID: "l", By: webapps.PackageLabel(long)}); err != nil {
		t.Errorf("a long-named package's Post over its own page = %v", err)
	}
	names := map[string]bool{}
	for range 50 {
		s.ShowPage("/webapps/lineapp/index.html?n="+strconv.Itoa(len(names)), "Line")
		names[s.Current().Page] = true
	}
	if len(names) != 50 {
		t.Errorf("50 pages shown anew got %d names", len(names))
	}
}

// The view of a dialog carries the station's signing phrase, and no other
// view does: it goes only where a dialog shows it.
func TestSigningPhraseOnlyWithADialog(t *testing.T) {
	t.Parallel()
	var phrase atomic.Value
	phrase.Store("")
	s := New("", "", nil, func() string { return phrase.Load().(string) })
	s.ShowPage("/webapps/lineapp/index.html", "Line")
	phrase.Store("blue heron")
	s.Refresh()
	if v := s.Current(); v.SigningPhrase != "" {
		t.Errorf("a view without a dialog carries the phrase: %+v", v)
	}
	if err := s.Post(s.Session(), s.Current().Page, signature.Challenge{ID: "c"}); err != nil {
		t.Fatal(err)
	}
	v := s.Current()
	b, _ := json.Marshal(v)
	if v.SigningPhrase != "blue heron" || !strings.Contains(string(b), `"signingPhrase":"blue heron"`) {
		t.Errorf("the dialog's view = %s; want the phrase", b)
	}
	s.Close("c")
	if v := s.Current(); v.SigningPhrase != "" {
		t.Errorf("the view after the dialog keeps the phrase: %+v", v)
	}
}

// An authentication page a page opened goes over it (View.Over), so the
// page and its request live on until the flow ends; one the boot sequence
// shows replaces what is shown.
func TestAuthPageOverTheApplicationPage(t *testing.T) {
	t.Parallel()
	const app = "/webapps/lineapp/index.html"
	const manage = "/webapps/offline-login/manage.html?t=x&u=op"
	tests := []struct {
		name  string
		steps func(s *Screen)
		want  bool
	}{
		{"opened from the application page", func(s *Screen) { s.ShowPage(app, "Line") }, true},
		{"opened after a status refresh of the application page",
			func(s *Screen) { s.ShowPage(app, "Line"); s.SetOnline(true); s.Refresh() }, true},
		{"shown again (a refresh, a reload of its file) stays over it",
			func(s *Screen) { s.ShowPage(app, "Line"); s.ShowAuthPage(manage, "Change"); s.Refresh(); s.Reload() }, true},
		{"at start, with no application page", func(s *Screen) {}, false},
		{"after a sign-out (Forget), over the loading view",
			func(s *Screen) { s.ShowPage(app, "Line"); s.Forget(); s.ShowLoading("Signed out") }, false},
		{"after a sign-out, even with the old page's address still on screen",
			func(s *Screen) { s.ShowPage(app, "Line"); s.Forget() }, false},
		{"over an error view", func(s *Screen) { s.ShowPage(app, "Line"); s.ShowError("boom") }, false},
		{"over the provider's page", func(s *Screen) { s.ShowPage(app, "Line"); s.Navigate("https://idp.example/auth") }, false},
		{"an authentication page the boot shows, with no application page yet",
			func(s *Screen) { s.ShowAuthPage("/webapps/offline-login/login.html?t=y&u=op", "Sign in") }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := New("", "", nil, nil)
			tt.steps(s)
			if !s.Current().Auth {
				s.ShowAuthPage(manage, "Change")
			}
			if v := s.Current(); v.Over != tt.want || !v.Auth {
				t.Errorf("auth page view = %+v, want over %v", v, tt.want)
			}
			// What the chrome's report of a page that took the keyboard is about.
			over, behind, pkg, ok := s.Behind()
			if ok != tt.want || ok && (over.URL != manage || behind.URL != app || behind.Page == "" || pkg != "lineapp") {
				t.Errorf("Behind() = %+v, %+v, %q, %v; want %v, the line app behind the manage page", over, behind, pkg, ok, tt.want)
			}
			s.CloseAuthPage()
			if v := s.Current(); v.Over || v.Auth {
				t.Errorf("after close = %+v, want neither over nor auth", v)
			}
			if _, _, _, ok := s.Behind(); ok {
				t.Error("Behind() after close: ok")
			}
		})
	}
}
