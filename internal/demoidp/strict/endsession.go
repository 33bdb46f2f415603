package strict

import (
	"net/http"
	"net/url"
	"slices"
)

// endSession is RP-initiated logout as cookie-session providers implement
// it: the session ended is the browser's (its cookie), never one named by a
// back-channel id_token_hint alone. A registered post_logout_redirect_uri
// gets the browser back with the state; an unregistered one is refused
// with an error page, which a client cannot read.
func (s *Server) endSession(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	l := Logout{PostLogoutRedirectURI: q.Get("post_logout_redirect_uri"), IDTokenHint: s.signedByUs(q.Get("id_token_hint"))}
	sid, _, hasSession := s.sessionOf(r)
	_, err := r.Cookie(cookieName)
	l.Cookie = err == nil
	s.mu.Lock()
	registered := slices.Contains(s.postLogout, l.PostLogoutRedirectURI)
	s.mu.Unlock()
	if l.PostLogoutRedirectURI != "" && (!registered || !l.IDTokenHint) {
		l.Outcome = "refused"
		s.recordLogout(l)
		http.Error(w, "Invalid post_logout_redirect_uri or id_token_hint.", http.StatusBadRequest)
		return
	}
	if hasSession {
		s.mu.Lock()
		delete(s.sessions, sid)
		s.mu.Unlock()
		l.Ended = true
		http.SetCookie(w, &http.Cookie{Name: cookieName, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	}
	if l.PostLogoutRedirectURI == "" {
		l.Outcome = "signed out"
		s.recordLogout(l)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte("<!doctype html><title>Signed out</title><p>You are signed out.</p>"))
		return
	}
	l.Outcome = "redirected"
	s.recordLogout(l)
	to, _ := url.Parse(l.PostLogoutRedirectURI)
	if state := q.Get("state"); state != "" {
		v := to.Query()
		v.Set("state", state)
		to.RawQuery = v.Encode()
	}
	http.Redirect(w, r, to.String(), http.StatusFound)
}

func (s *Server) recordLogout(l Logout) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.logouts = append(s.logouts, l)
}
