package strict

import (
	"crypto/rand"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// authRequest is one validated authorization request, from the request to
// the code exchange.
type authRequest struct {
	id, redirectURI, state, nonce, challenge string
	user                                     User
	authTime                                 time.Time
}

// authorize is the authorization endpoint. The checks run in the order a
// strict provider runs them: the client and its exact redirect URI first
// (a refusal there must not redirect anywhere), then the request itself
// (refused by a redirect with error=), then the browser's session.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	a := Authorization{RedirectURI: q.Get("redirect_uri"), Prompt: q.Get("prompt"), MaxAge: q.Get("max_age")}
	s.mu.Lock()
	registered := slices.Contains(s.redirects, a.RedirectURI)
	s.mu.Unlock()
	if q.Get("client_id") != s.opts.ClientID || !registered {
		a.Outcome = "refused"
		s.record(a)
		// What the real provider answered: a bare 403, nothing to read.
		http.Error(w, "Forbidden", http.StatusForbidden)
		return
	}
	fail := func(code, desc string) {
		a.Outcome = "error"
		s.record(a)
		to, _ := url.Parse(a.RedirectURI)
		to.RawQuery = url.Values{"error": {code}, "error_description": {desc}, "state": {q.Get("state")}}.Encode()
		http.Redirect(w, r, to.String(), http.StatusFound)
	}
	prompt := strings.Fields(a.Prompt)
	switch {
	case q.Get("response_type") != "code":
		fail("unsupported_response_type", "only the authorization code flow")
		return
	case q.Get("code_challenge") == "" || q.Get("code_challenge_method") != "S256":
		fail("invalid_request", "PKCE with S256 is required")
		return
	case !slices.Contains(strings.Fields(q.Get("scope")), "openid"):
		fail("invalid_scope", "openid is required")
		return
	}
	req := &authRequest{id: rand.Text(), redirectURI: a.RedirectURI, state: q.Get("state"),
		nonce: q.Get("nonce"), challenge: q.Get("code_challenge")}
	if _, sess, ok := s.sessionOf(r); ok && !slices.Contains(prompt, "login") && s.fresh(sess, a.MaxAge) {
		a.Outcome = "session"
		s.record(a)
		req.user, req.authTime = sess.user, sess.authTime
		s.approve(w, r, req)
		return
	}
	if slices.Contains(prompt, "none") {
		fail("login_required", "no session")
		return
	}
	a.Outcome = "password"
	s.record(a)
	s.mu.Lock()
	s.pending[req.id] = req
	s.mu.Unlock()
	s.form(w, http.StatusOK, req.id, "")
}

// fresh reports whether sess satisfies max_age ("" for none).
func (s *Server) fresh(sess session, maxAge string) bool {
	if maxAge == "" {
		return true
	}
	n, err := strconv.Atoi(maxAge)
	if err != nil || n <= 0 {
		return false
	}
	return s.opts.Now().Sub(sess.authTime) <= time.Duration(n)*time.Second
}

// login checks the password, starts the browser's session and approves
// the pending request.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	id := r.PostFormValue("id")
	s.mu.Lock()
	req, ok := s.pending[id]
	s.mu.Unlock()
	if !ok {
		http.Error(w, "This sign-in request is unknown.", http.StatusBadRequest)
		return
	}
	u, err := s.user(r.PostFormValue("username"), r.PostFormValue("password"))
	if err != nil {
		s.form(w, http.StatusUnauthorized, id, "Wrong username or password.")
		return
	}
	sid := rand.Text()
	now := s.opts.Now()
	s.mu.Lock()
	delete(s.pending, id)
	s.sessions[sid] = session{user: u, authTime: now}
	s.mu.Unlock()
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: sid, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode})
	req.user, req.authTime = u, now
	s.approve(w, r, req)
}

// approve issues a single-use code for req and sends the browser back.
func (s *Server) approve(w http.ResponseWriter, r *http.Request, req *authRequest) {
	code := rand.Text()
	s.mu.Lock()
	s.codes[code] = req
	s.mu.Unlock()
	to, _ := url.Parse(req.redirectURI)
	to.RawQuery = url.Values{"code": {code}, "state": {req.state}}.Encode()
	http.Redirect(w, r, to.String(), http.StatusSeeOther)
}

func (s *Server) form(w http.ResponseWriter, status int, id, problem string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	// Like many providers: its pages may not be framed.
	w.Header().Set("X-Frame-Options", "DENY")
	w.Header().Set("Content-Security-Policy", "frame-ancestors 'none'")
	w.WriteHeader(status)
	_ = formTemplate.Execute(w, struct{ ID, Problem string }{id, problem})
}

var formTemplate = template.Must(template.New("form").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Strict provider sign-in</title></head>
<body><h1>Sign in</h1>{{if .Problem}}<p role="alert">{{.Problem}}</p>{{end}}
<form method="post" action="/login">
<input type="hidden" name="id" value="{{.ID}}">
<label>Username <input name="username" autocomplete="username"></label>
<label>Password <input name="password" type="password"></label>
<button type="submit">Sign in</button>
</form></body></html>
`))
