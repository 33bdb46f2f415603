// Package screen is what the shell window shows: a loading message, a
// hosted page, an error with Retry (and, when no login server is set, a
// form to set one), or a navigation to the identity provider. Engines change it; the Wails events and the serve mode's event
// stream both only read it, so the window and a browser show the same.
package screen

import (
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"strings"
	"sync"

	"github.com/google/uuid"
	"loginshell/internal/fault"
	"loginshell/internal/pubsub"
	"loginshell/internal/signature"
	"loginshell/internal/webapps"
)

// Screen holds the current view and tells subscribers of each change.
// Safe for concurrent use.
type Screen struct {
	version string
	pages   string
	session string // this run's session: the system.session of the signature SDK
	user    func() *UserRef
	phrase  func() string

	mu      sync.Mutex
	changes uint64 // counts the changes of cur and base (see change)
	online  bool   // pushed by SetOnline, never probed here
	chosen  bool   // ChooseOffline: --offline
	cur     View
	base    View // the last application page, shown again when an auth page closes
	views   *pubsub.Hub[View]
	reload  uint64 // Reload calls so far, carried by every view
	notice  string // carried by every view (Notify)
	live    []Live // carried by every view (SetLive)
}

// New returns a screen showing "Starting". pages is the origin the hosted
// pages are served from (http://p….localhost:PORT), which every view
// carries so the chrome frames page URLs there. user is asked who is signed in
// (nil for nobody) on every change, for the status bar; phrase is asked
// for the station's signing phrase on every change that shows a dialog
// (nil: none); both must answer at once and not call back into the
// screen. Connectivity is not asked for: it is pushed with SetOnline, so
// a screen change never waits on the network.
func New(version, pages string, user func() *UserRef, phrase func() string) *Screen {
	if user == nil {
		user = func() *UserRef { return nil }
	}
	if phrase == nil {
		phrase = func() string { return "" }
	}
	s := &Screen{version: version, pages: pages, session: uuid.NewString(), user: user, phrase: phrase, views: pubsub.Latest[View]()}
	s.cur = View{Kind: Loading, Message: "Starting…", Version: version, Pages: pages}
	s.base = s.cur
	return s
}

// ShowLoading shows a message while something runs.
func (s *Screen) ShowLoading(msg string) { s.set(View{Kind: Loading, Message: msg}, false) }

// ShowPage shows an application page and remembers it as the page to come
// back to after an authentication page.
func (s *Screen) ShowPage(url, title string) { s.set(View{Kind: Page, URL: url, Title: title}, true) }

// ShowAuthPage shows an authentication page (login, setup, manage); over
// the application page shown now, if any (View.Over).
func (s *Screen) ShowAuthPage(url, title string) {
	s.set(View{Kind: Page, URL: url, Title: title, Auth: true, Over: true}, false)
}

// CloseAuthPage leaves an authentication page: back to the application
// page shown before it, or a loading view if there was none.
func (s *Screen) CloseAuthPage() {
	s.change(func(cur, base View) (View, bool, bool) {
		if !cur.Auth && cur.Kind != Navigate {
			return View{}, false, false
		}
		if base.Kind != Page {
			return View{Kind: Loading, Message: "Signed in"}, false, true
		}
		return View{Kind: Page, URL: base.URL, Title: base.Title, Message: base.Message}, false, true
	})
}

// ShowError shows msg with a Retry button. msg must be fit for a person:
// no internal causes, tokens or response bodies.
func (s *Screen) ShowError(msg string) { s.set(View{Kind: Error, Message: msg}, false) }

// ShowConfigure shows msg with Retry and a form to set the login server:
// the error of a shell that has no login server and no offline sign-in to
// fall back on, which a person at the machine can fix there. msg must be
// fit for a person, as for ShowError.
func (s *Screen) ShowConfigure(msg string) {
	s.set(View{Kind: Error, Message: msg, Configure: true}, false)
}

// ShowProblem shows p (see Problem).
func (s *Screen) ShowProblem(p Problem) {
	s.set(View{Kind: Error, Message: p.Message, Heading: p.Heading, Action: p.Action,
		Configure: p.Configure, LoginURL: p.LoginURL, Calm: p.Calm}, false)
}

// Navigate sends the whole window to url (the identity provider's login).
func (s *Screen) Navigate(url string) { s.set(View{Kind: Navigate, URL: url}, false) }

// LeaveNavigate replaces a navigation to the identity provider by a
// loading message, and leaves any other view as it is, in one step: the
// transports call it when the provider's page is done with, and by then the
// sign-in's outcome may already be on screen (a cancel shows its error
// first), which must stay.
func (s *Screen) LeaveNavigate(msg string) {
	s.setIf(View{Kind: Loading, Message: msg}, false, func(cur View) bool { return cur.Kind == Navigate })
}

// SetOnline tells the status bar whether the login server answers; a
// change shows at once (the connectivity monitor calls it).
func (s *Screen) SetOnline(online bool) {
	s.mu.Lock()
	changed := s.online != online
	s.online = online
	s.mu.Unlock()
	if changed {
		s.Refresh()
	}
}

// ChooseOffline tells the status bar that the shell runs offline by the
// person's choice (--offline): it never asks the login server, so its
// silence is no fault. The shell calls it at start, before anything shows.
func (s *Screen) ChooseOffline() {
	s.mu.Lock()
	changed := !s.chosen
	s.chosen = true
	s.mu.Unlock()
	if changed {
		s.Refresh()
	}
}

// Refresh re-reads the status bar, e.g. after a sign-in or sign-out.
func (s *Screen) Refresh() {
	s.change(func(cur, _ View) (View, bool, bool) { return cur, false, true })
}

// Reload loads the page shown again (run from source: a file of a
// --package folder changed). It is a new page for the signature SDK, and
// a dialog over the old one goes. Other views are left as they are.
func (s *Screen) Reload() {
	s.change(func(cur, base View) (View, bool, bool) {
		if cur.Kind != Page {
			return View{}, false, false
		}
		s.reload++ // under s.mu: the step runs there
		return View{Kind: Page, URL: cur.URL, Title: cur.Title, Auth: cur.Auth, Over: cur.Over}, base.Seq == cur.Seq, true
	})
}

// Notify shows text in the chrome's notice over whatever is shown, now
// and in every later view, until Notify("") takes it down. text must be
// fit for a person, as for ShowError. The view shown stays as it is (a
// signature dialog open over it too).
func (s *Screen) Notify(text string) {
	s.mu.Lock()
	changed := s.notice != text
	s.notice = text
	s.mu.Unlock()
	if changed {
		s.Refresh()
	}
}

// Forget drops the remembered application page (after a log-off).
func (s *Screen) Forget() {
	s.mu.Lock()
	s.base = View{Kind: Loading}
	s.changes++
	s.mu.Unlock()
}

// Session names this run of the shell (the signature SDK's system.session).
func (s *Screen) Session() string { return s.session }

// Post shows the signature challenge c in the shell's modal dialog over
// page of session (signature.Poster). The page must be the application
// page shown now, named by the name only the chrome hands it (View.Page),
// and of the package whose page asks (c.By; signature.Plant may post over
// any): one that was closed or replaced, an authentication page, another
// session's page, another package's, or a screen already showing a dialog
// gets signature.ErrNotPosted.
func (s *Screen) Post(session, page string, c signature.Challenge) error {
	if session != s.session {
		return fault.Detail(signature.ErrNotPosted, "the session %q is not this shell's", session)
	}
	var refused error
	s.change(func(cur, _ View) (View, bool, bool) {
		switch {
		case cur.Kind != Page || cur.Auth || cur.Page == "" || cur.Page != page:
			refused = fault.Detail(signature.ErrNotPosted, "the page %q is not shown", page)
		case c.By != signature.Plant && packageOf(s.pages, cur.URL) != c.By:
			refused = fault.Detail(signature.ErrNotPosted, "a page of package %q asked, and another package's page is shown", c.By)
		case cur.Challenge != nil:
			refused = fault.Detail(signature.ErrNotPosted, "another signature is being asked for on this page")
		default:
			refused = nil
			cur.Challenge = &c
			return cur, false, true
		}
		return View{}, false, false
	})
	return refused
}

// Close takes down the dialog of challenge id, if it is shown.
func (s *Screen) Close(id string) {
	s.change(func(cur, _ View) (View, bool, bool) {
		if cur.Challenge == nil || cur.Challenge.ID != id {
			return View{}, false, false
		}
		cur.Challenge = nil
		return cur, false, true
	})
}

// Current returns the view shown now.
func (s *Screen) Current() View {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cur
}

// Behind returns the authentication page shown over an application page
// now (View.Over), the application page behind it and that page's
// package ("" for none); ok is false when no page is shown over another.
func (s *Screen) Behind() (over, behind View, pkg string, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.cur.Over || s.base.Kind != Page {
		return View{}, View{}, "", false
	}
	return s.cur, s.base, packageOf(s.pages, s.base.URL), true
}

// Subscribe returns a channel that receives the newest view after each
// change. A slow reader misses intermediate views, never the last one
// (pubsub.Latest). Call cancel to stop.
func (s *Screen) Subscribe() (<-chan View, func()) { return s.views.Subscribe() }

func (s *Screen) set(v View, isBase bool) {
	s.change(func(View, View) (View, bool, bool) { return v, isBase, true })
}

// setIf shows v if cond holds for the view shown now.
func (s *Screen) setIf(v View, isBase bool, cond func(cur View) bool) {
	s.change(func(cur, _ View) (View, bool, bool) { return v, isBase, cond(cur) })
}

// step is one change of the screen: from the view shown now (cur) and the
// application page remembered (base), the view to show next, whether it
// is the page to come back to, and whether to show anything at all. It
// runs under the screen's lock and must not call back into the screen.
type step func(cur, base View) (next View, isBase, ok bool)

// change shows what next makes of the view shown now. Every change goes
// through here, so none shows what it made of a view that another change
// has replaced meanwhile: the view and the step are read and run under
// one lock. Before, a change read the view, let go of the lock, asked
// who is signed in and then showed what it had made of the view it read,
// undoing whatever came in between. That hung the demo sign-in at
// "Signing in…": the connectivity monitor's first answer (SetOnline,
// which shows the view again with the online mark) read "Signing in…",
// the sign-in navigated to the identity provider, and the monitor then
// put back the "Signing in…" it had read; the sign-in waited for a page
// nobody showed. A loaded machine, or a start-up fast enough that the
// sign-in began while the monitor's first probe was still out, made the
// two meet (TestScreenKeepsChangesMadeMeanwhile).
//
// Who is signed in (s.user) is asked outside the lock, the callback's
// locks being its own; the answer is used only if no change came since
// it was asked, else it is asked again, so a view never carries a user
// older than the one before it.
func (s *Screen) change(next step) {
	for {
		s.mu.Lock()
		at := s.changes
		s.mu.Unlock()
		user := s.user()
		s.mu.Lock()
		if s.changes != at {
			s.mu.Unlock()
			continue
		}
		v, isBase, ok := next(s.cur, s.base)
		if ok {
			s.showLocked(v, isBase, user)
		}
		s.mu.Unlock()
		return
	}
}

// showLocked shows v, which next made; s.mu is held.
func (s *Screen) showLocked(v View, isBase bool, user *UserRef) {
	v.User, v.Version, v.Pages = user, s.version, s.pages
	if v.Kind == Page {
		// Each package on an origin of its own under the pages' host.
		v.URL = webapps.OnItsOrigin(s.pages, v.URL)
	}
	// An authentication page goes over the application page shown now (the
	// remembered one, not one a Forget dropped), or stays over it when it is
	// shown again; over anything else it replaces what is shown.
	v.Over = v.Over && v.Auth && v.Kind == Page && s.base.Kind == Page && s.cur.Kind == Page &&
		(s.cur.Over || !s.cur.Auth && s.cur.URL == s.base.URL)
	v.Reload = s.reload
	v.Online = s.online
	v.OfflineChosen = s.chosen
	v.Notice = s.notice
	v.Live, v.Broken = s.liveOf(v)
	v.Seq = s.cur.Seq + 1
	switch {
	case v.Kind != Page:
		v.Page, v.Challenge = "", nil
	case v.Page == "" || v.URL != s.cur.URL || s.cur.Kind != Page:
		// A page shown anew: a new name, and no dialog of the old one.
		v.Page, v.Challenge = newPageName(), nil
	}
	v.SigningPhrase = ""
	if v.Challenge != nil {
		v.SigningPhrase = s.phrase()
	}
	s.cur = v
	if isBase {
		s.base = v
	}
	s.changes++
	// Under s.mu, so subscribers get the views in the order of their Seq
	// and the one a slow reader keeps is the newest.
	s.views.Publish(v)
}

// newPageName returns a name for a page shown anew: 128 random bits, so
// that what the chrome does not hand over cannot be guessed.
func newPageName() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand failed: " + err.Error()) // never happens on supported OSes
	}
	return "page-" + hex.EncodeToString(b)
}

// packageOf is the package of a page URL as the pages' origin names its
// caller (webapps.LabelPackage of the host's first label), or, for a URL
// on no package's origin (pages ""), the package its /webapps/<name>/
// path names; "" for neither.
func packageOf(pages, pageURL string) string {
	u, err := url.Parse(pageURL)
	if err != nil {
		return ""
	}
	if p, err := url.Parse(pages); err == nil && p.Host != "" && u.Host != "" {
		label, ok := strings.CutSuffix(u.Host, "."+p.Host)
		if !ok {
			return ""
		}
		name, _ := webapps.LabelPackage(label)
		return name
	}
	rest, ok := strings.CutPrefix(u.Path, webapps.Prefix)
	if !ok {
		return ""
	}
	name, _, _ := strings.Cut(rest, "/")
	if name, err = url.PathUnescape(name); err != nil || name == "" {
		return ""
	}
	// As the pages' origin would name it: a long name by its label.
	name, _ = webapps.LabelPackage(webapps.PackageLabel(name))
	return name
}
