package pmapi

import (
	"context"
	"net/http"
	"net/url"

	"loginshell/internal/fault"
)

func (a *api) routeAuth(mux *http.ServeMux) {
	mux.HandleFunc("POST "+Prefix+"/auth", a.login)
	mux.HandleFunc("GET "+Prefix+"/auth", a.status)
	mux.HandleFunc("DELETE "+Prefix+"/auth", a.cancel)
	mux.HandleFunc("POST "+Prefix+"/auth/setup", a.setup)
	mux.HandleFunc("POST "+Prefix+"/auth/update", a.update)
	mux.HandleFunc("POST "+Prefix+"/auth/logout", a.logout)
	mux.HandleFunc("PUT "+Prefix+"/auth/{token}/authenticate", a.authenticate)
	mux.HandleFunc("GET "+Prefix+"/auth/{token}/users", a.stationUsers)
	mux.HandleFunc("PUT "+Prefix+"/auth/{token}/setup", a.completeSetup)
	mux.HandleFunc("PUT "+Prefix+"/auth/{token}/update", a.completeUpdate)
}

// flowContext detaches a starting call from its request: the page that
// calls POST /auth/update is replaced by the manage page, which aborts its
// request, and that must not cancel the flow it started. DELETE /auth does.
func flowContext(r *http.Request) context.Context { return context.WithoutCancel(r.Context()) }

func (a *api) login(w http.ResponseWriter, r *http.Request) {
	if _, err := a.Auth.Login(flowContext(r)); err != nil {
		a.writeError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, a.Users.All())
}

func (a *api) status(w http.ResponseWriter, r *http.Request) {
	if a.Auth.InProgress() {
		WriteJSON(w, http.StatusFound, map[string]bool{"inProgress": true})
		return
	}
	WriteJSON(w, http.StatusNotFound, map[string]bool{"inProgress": false})
}

func (a *api) cancel(w http.ResponseWriter, r *http.Request) {
	if err := a.Auth.Cancel(); err != nil {
		a.writeError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, map[string]string{"status": "cancelled"})
}

func (a *api) setup(w http.ResponseWriter, r *http.Request) {
	if err := a.Auth.Setup(flowContext(r)); err != nil {
		a.writeError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, map[string]string{"status": "setup completed"})
}

func (a *api) update(w http.ResponseWriter, r *http.Request) {
	if err := a.Auth.Update(flowContext(r)); err != nil {
		a.writeError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, map[string]string{"status": "update completed"})
}

func (a *api) logout(w http.ResponseWriter, r *http.Request) {
	a.Auth.Logout(r.Context())
	WriteJSON(w, http.StatusOK, map[string]string{"status": "signed out"})
}

// authenticate is PUT /auth/{t}/authenticate?p=[&u=]: u, when given, is
// the user chosen on a shared station; pages that send only p sign in the
// user they were opened for.
func (a *api) authenticate(w http.ResponseWriter, r *http.Request) {
	q, err := query(r, "p", "u")
	if err == nil {
		err = a.Auth.AuthenticateAs(r.PathValue("token"), q.Get("u"), q.Get("p"))
	}
	a.done(w, r, err, "authenticated")
}

// stationUsers is GET /auth/{t}/users: {"users": [...]}, who may sign in
// offline on this computer, for the offline login page opened with t.
func (a *api) stationUsers(w http.ResponseWriter, r *http.Request) {
	users, err := a.Auth.StationUsers(r.PathValue("token"))
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, map[string][]string{"users": users})
}

func (a *api) completeSetup(w http.ResponseWriter, r *http.Request) {
	q, err := query(r, "p")
	if err == nil {
		err = a.Auth.CompleteSetup(r.PathValue("token"), q.Get("p"))
	}
	a.done(w, r, err, "password saved")
}

func (a *api) completeUpdate(w http.ResponseWriter, r *http.Request) {
	q, err := query(r, "o", "p")
	if err == nil {
		err = a.Auth.CompleteUpdate(r.PathValue("token"), q.Get("o"), q.Get("p"))
	}
	a.done(w, r, err, "password saved")
}

func (a *api) done(w http.ResponseWriter, r *http.Request, err error, status string) {
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, map[string]string{"status": status})
}

// query parses the query string and requires each of keys exactly once.
// A missing key reaches the engine as "", which it refuses as ErrBadQuery
// only after checking the token, so the seed's 400/404 order holds.
func query(r *http.Request, keys ...string) (url.Values, error) {
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, fault.Detail(errBadRequest, "the query string cannot be parsed")
	}
	for _, k := range keys {
		if len(q[k]) > 1 {
			q.Del(k) // ambiguous: treat as missing
		}
	}
	return q, nil
}
