package demoidp

import (
	"context"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"strings"
)

// loginPage is the sign-in form zitadel redirects to (Client.LoginURL),
// adapted from zitadel's example exampleop/login.go. On success it hands the
// request back to zitadel's callback, which redirects to the client's
// redirect_uri with code and state.
type loginPage struct {
	store    *store
	callback func(ctx context.Context, authRequestID string) string
	users    []User
	log      *slog.Logger
}

// loginView is what the template shows; Error is the only message shown on
// a failure, never an internal cause.
type loginView struct {
	ID       string
	Username string
	Error    string
	Message  string
	Users    []User
}

const msgExpired = "This sign-in request is unknown or has expired. Start signing in again from loginshell."

func (l *loginPage) show(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("authRequestID")
	if _, err := l.store.request(id); err != nil {
		l.render(w, http.StatusBadRequest, loginView{Message: msgExpired})
		return
	}
	l.render(w, http.StatusOK, loginView{ID: id, Users: l.users})
	// The token endpoint signs with the key once the person has signed
	// in: it is made while they type.
	l.store.keys.start()
}

func (l *loginPage) submit(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		l.render(w, http.StatusBadRequest, loginView{Message: msgExpired})
		return
	}
	id := r.PostFormValue("id")
	username := strings.TrimSpace(r.PostFormValue("username"))
	err := l.store.signIn(id, username, r.PostFormValue("password"))
	switch {
	case errors.Is(err, errBadCredentials):
		l.log.Info("demo sign-in refused", "user", username)
		l.render(w, http.StatusUnauthorized, loginView{
			ID: id, Username: username, Error: "Wrong username or password.", Users: l.users,
		})
		return
	case err != nil:
		l.render(w, http.StatusBadRequest, loginView{Message: msgExpired})
		return
	}
	l.log.Info("demo sign-in", "user", username)
	http.Redirect(w, r, l.callback(r.Context(), id), http.StatusSeeOther)
}

func (l *loginPage) loggedOut(w http.ResponseWriter, _ *http.Request) {
	l.render(w, http.StatusOK, loginView{Message: "You are signed out of the loginshell demo sign-in server."})
}

func (l *loginPage) render(w http.ResponseWriter, status int, v loginView) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	// No form-action: browsers apply it to the redirects after the post,
	// and the last one goes to the client's loopback port.
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'")
	w.WriteHeader(status)
	if err := loginTemplate.Execute(w, v); err != nil {
		l.log.Error("render sign-in page", "err", err)
	}
}

var loginTemplate = template.Must(template.New("login").Funcs(template.FuncMap{
	"join": func(s []string) string { return strings.Join(s, ", ") },
}).Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>loginshell demo sign-in</title>
<style>
body{font-family:sans-serif;margin:0;padding:2rem 1rem;line-height:1.4;background:#eef1f4;color:#1c1c1c}
main{max-width:28rem;margin:0 auto;background:#fff;border:1px solid #c8ccd0;border-radius:8px;padding:1.5rem 1.75rem;box-shadow:0 2px 8px rgba(0,0,0,.08)}
h1{font-size:1.5rem;margin:0 0 .5rem;hyphens:manual;overflow-wrap:normal;word-break:keep-all}
h2{font-size:1.05rem;margin:1.5rem 0 .25rem}
label,input,button{display:block;width:100%;box-sizing:border-box;font:inherit}
label{font-weight:600}
input{margin:.25rem 0 1rem;padding:.5rem;border:2px solid #555;border-radius:4px}
button{padding:.6rem;border:0;border-radius:4px;background:#1a5fb4;color:#fff;font-weight:600;cursor:pointer}
:focus-visible{outline:3px solid #1a5fb4;outline-offset:2px}
.alert{color:#8b0000;border:1px solid #8b0000;padding:.5rem}
ul{padding-left:1.25rem;margin:.25rem 0}
</style>
</head>
<body>
<main>
<h1>Demo sign&#8209;in</h1>
{{if .Message}}<p>{{.Message}}</p>{{else}}
<p>This demo sign-in server runs on this computer only.</p>
{{if .Error}}<p class="alert" role="alert" id="login-error">{{.Error}}</p>{{end}}
<form method="post" action="/login">
<input type="hidden" name="id" value="{{.ID}}">
<label for="username">Username</label>
<input id="username" name="username" autocomplete="username" autocapitalize="none" spellcheck="false" required autofocus value="{{.Username}}"{{if .Error}} aria-describedby="login-error"{{end}}>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form>
<h2>Demo users</h2>
<ul>
{{range .Users}}<li><code>{{.Username}}</code>, password <code>{{.Password}}</code>: {{join .Roles}}</li>
{{end}}</ul>
{{end}}
</main>
</body>
</html>
`))
