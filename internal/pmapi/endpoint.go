package pmapi

import "net/http"

// endpoint is one service without HTTP's plumbing: it reads the request
// and returns the value to answer, or the error that refuses it. Being
// unable to write to the response is what keeps every status code in the
// one map (errors.go): an endpoint cannot pick a status for an error.
type endpoint func(r *http.Request) (any, error)

// reply is an endpoint's answer whose status is not 200 OK but still a
// success of the contract: GET /auth's 302 and 404, PUT /log's 201.
type reply struct {
	status int
	body   any
}

// encoded is an endpoint's answer already encoded as WriteJSON encodes
// it (json.Marshal's bytes and a newline), for one that pages read far
// more often than it changes (GET /user).
type encoded []byte

// handle turns e into a handler: e's value goes out as JSON with 200 OK
// (a reply with its own status), e's error as {"error": text} with the
// status of the one map, logged (writeError).
func (a *api) handle(e endpoint) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v, err := e(r)
		if err != nil {
			a.writeError(w, r, err)
			return
		}
		switch v := v.(type) {
		case reply:
			WriteJSON(w, v.status, v.body)
		case encoded:
			writeHeader(w, http.StatusOK)
			_, _ = w.Write(v)
		default:
			WriteJSON(w, http.StatusOK, v)
		}
	})
}

// route is one service of a route table: method, path under Prefix (a
// ServeMux pattern, {wildcards} included) and its handler, most often an
// endpoint through handle.
type route struct {
	method  string
	path    string
	handler http.Handler
}

// done is the body of a success that has nothing else to say:
// {"status": status}.
func done(status string) map[string]string { return map[string]string{"status": status} }
