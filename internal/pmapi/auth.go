package pmapi

import (
	"context"
	"net/http"
	"net/url"

	"loginshell/internal/fault"
)

// authRoutes are the authentication service's (seed 002, DESIGN §2).
func (a *api) authRoutes() []route {
	return []route{
		{http.MethodPost, "/auth", a.handle(a.login)},
		{http.MethodGet, "/auth", a.handle(a.status)},
		{http.MethodDelete, "/auth", a.handle(a.cancel)},
		{http.MethodPost, "/auth/setup", a.handle(a.setup)},
		{http.MethodPost, "/auth/update", a.handle(a.update)},
		{http.MethodPost, "/auth/logout", a.handle(a.logout)},
		{http.MethodPut, "/auth/{token}/authenticate", a.handle(a.authenticate)},
		{http.MethodGet, "/auth/{token}/users", a.handle(a.stationUsers)},
		{http.MethodPut, "/auth/{token}/setup", a.handle(a.completeSetup)},
		{http.MethodPut, "/auth/{token}/update", a.handle(a.completeUpdate)},
	}
}

// flowContext detaches a starting call from its request: the page that
// calls POST /auth/update is replaced by the manage page, which aborts its
// request, and that must not cancel the flow it started. DELETE /auth does.
func flowContext(r *http.Request) context.Context { return context.WithoutCancel(r.Context()) }

func (a *api) login(r *http.Request) (any, error) {
	if _, err := a.Auth.Login(flowContext(r)); err != nil {
		return nil, err
	}
	return a.Users.All(), nil
}

// status is GET /auth: 302 while a flow runs, 404 otherwise, as the seed
// says; both are answers, not refusals.
func (a *api) status(*http.Request) (any, error) {
	if a.Auth.InProgress() {
		return reply{http.StatusFound, map[string]bool{"inProgress": true}}, nil
	}
	return reply{http.StatusNotFound, map[string]bool{"inProgress": false}}, nil
}

func (a *api) cancel(*http.Request) (any, error) {
	if err := a.Auth.Cancel(); err != nil {
		return nil, err
	}
	return done("cancelled"), nil
}

func (a *api) setup(r *http.Request) (any, error) {
	if err := a.Auth.Setup(flowContext(r)); err != nil {
		return nil, err
	}
	return done("setup completed"), nil
}

func (a *api) update(r *http.Request) (any, error) {
	if err := a.Auth.Update(flowContext(r)); err != nil {
		return nil, err
	}
	return done("update completed"), nil
}

func (a *api) logout(r *http.Request) (any, error) {
	a.Auth.Logout(r.Context())
	return done("signed out"), nil
}

// authenticate is PUT /auth/{t}/authenticate?p=[&u=]: u, when given, is
// the user chosen on a shared station; pages that send only p sign in the
// user they were opened for.
func (a *api) authenticate(r *http.Request) (any, error) {
	q, err := query(r, "p", "u")
	if err == nil {
		err = a.Auth.AuthenticateAs(r.PathValue("token"), q.Get("u"), q.Get("p"))
	}
	if err != nil {
		return nil, err
	}
	return done("authenticated"), nil
}

// stationUsers is GET /auth/{t}/users: {"users": [...]}, who may sign in
// offline on this computer, for the offline login page opened with t.
func (a *api) stationUsers(r *http.Request) (any, error) {
	users, err := a.Auth.StationUsers(r.PathValue("token"))
	if err != nil {
		return nil, err
	}
	return map[string][]string{"users": users}, nil
}

func (a *api) completeSetup(r *http.Request) (any, error) {
	q, err := query(r, "p")
	if err == nil {
		err = a.Auth.CompleteSetup(r.PathValue("token"), q.Get("p"))
	}
	if err != nil {
		return nil, err
	}
	return done("password saved"), nil
}

func (a *api) completeUpdate(r *http.Request) (any, error) {
	q, err := query(r, "o", "p")
	if err == nil {
		err = a.Auth.CompleteUpdate(r.PathValue("token"), q.Get("o"), q.Get("p"))
	}
	if err != nil {
		return nil, err
	}
	return done("password saved"), nil
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
