package pmapi

import (
	"encoding/json"
	"fmt"
	"net/http"

	"loginshell/internal/fault"
	"loginshell/internal/signature"
)

// The electronic-signature services (seed 000), for hosted pages through
// the SDK the shim adds (system.mes.signature) and for scripts:
//
//	GET    /pmapi/signature/context                this page's {session, page}
//	GET    /pmapi/signature/templates              every template
//	GET    /pmapi/signature/templates/{name}       getSignatureTemplate (404 naming it)
//	PUT, POST, DELETE /pmapi/signature/templates[/{name}]   403: templates are the plant's
//	POST   /pmapi/signature/requests               queueAuthRequest: {template, requestName, description} -> {uuids}
//	GET    /pmapi/signature/requests?user=&template=&name=   getPendingAuthRequests
//	DELETE /pmapi/signature/requests/{uuid}        cancel a pending request
//	POST   /pmapi/signature/trigger                triggerAuthRequest: {uuid, session, page, approve}
//	GET    /pmapi/signature/events                 outcomes of this session (server-sent events "outcome")
//
// triggerAuthRequest's errors, one status each: a string that is not a
// UUID 400; "No pending authentication challenge with UUID <uuid>" 404;
// "Could not post authorization challenge" 409; an identity provider that
// cannot run challenges 501.
// errPlantOnly refuses a page's change of a signature template.
var errPlantOnly = fault.New(fault.Forbidden, "signature templates are the plant's: pages read them, and they change only with `loginshell signature templates import` on the plant's side")

func (a *api) routeSignature(mux *http.ServeMux) {
	if a.Signatures == nil {
		return
	}
	p := Prefix + "/signature"
	mux.HandleFunc("GET "+p+"/context", func(w http.ResponseWriter, r *http.Request) {
		WriteJSON(w, http.StatusOK, map[string]string{"session": a.Session(), "page": a.Page()})
	})
	mux.HandleFunc("GET "+p+"/templates", func(w http.ResponseWriter, r *http.Request) {
		ts, err := a.Signatures.Templates(r.Context())
		if err != nil {
			a.writeError(w, r, err)
			return
		}
		if ts == nil {
			ts = []signature.Template{}
		}
		WriteJSON(w, http.StatusOK, ts)
	})
	mux.HandleFunc("GET "+p+"/templates/{name}", func(w http.ResponseWriter, r *http.Request) {
		t, err := a.Signatures.Template(r.Context(), r.PathValue("name"))
		if err != nil {
			a.writeError(w, r, err)
			return
		}
		WriteJSON(w, http.StatusOK, t)
	})
	// Templates are the plant's: a page that could store one could switch
	// off forceUniqueUser under a pending two-person request, or put words
	// of its own in the meaning a signer agrees to.
	plantOnly := func(w http.ResponseWriter, r *http.Request) {
		a.writeError(w, r, fault.Detail(errPlantOnly, "template %q", r.PathValue("name")))
	}
	mux.HandleFunc("PUT "+p+"/templates/{name}", plantOnly)
	mux.HandleFunc("POST "+p+"/templates/{name}", plantOnly)
	mux.HandleFunc("DELETE "+p+"/templates/{name}", plantOnly)
	mux.HandleFunc("PUT "+p+"/templates", plantOnly)
	mux.HandleFunc("POST "+p+"/templates", plantOnly)
	mux.HandleFunc("POST "+p+"/requests", func(w http.ResponseWriter, r *http.Request) {
		var q struct {
			Template    json.RawMessage `json:"template"`
			RequestName string          `json:"requestName"`
			Description string          `json:"description"`
			Session     string          `json:"session"`
		}
		if err := readJSON(r, &q); err != nil {
			a.writeError(w, r, err)
			return
		}
		name, err := templateName(q.Template)
		if err != nil {
			a.writeError(w, r, err)
			return
		}
		session := q.Session
		if session == "" {
			session = a.Session()
		}
		ids, err := a.Signatures.Queue(r.Context(), name, q.RequestName, q.Description, session)
		if err != nil {
			a.writeError(w, r, err)
			return
		}
		out := make([]string, len(ids))
		for i, id := range ids {
			out[i] = id.String()
		}
		WriteJSON(w, http.StatusOK, map[string][]string{"uuids": out})
	})
	mux.HandleFunc("GET "+p+"/requests", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		reqs, err := a.Signatures.Pending(r.Context(), signature.Filter{User: q.Get("user"), Template: q.Get("template"), Name: q.Get("name")})
		if err != nil {
			a.writeError(w, r, err)
			return
		}
		if reqs == nil {
			reqs = []signature.Request{}
		}
		WriteJSON(w, http.StatusOK, reqs)
	})
	mux.HandleFunc("DELETE "+p+"/requests/{uuid}", func(w http.ResponseWriter, r *http.Request) {
		id, err := signature.ParseUUID(r.PathValue("uuid"))
		if err == nil {
			err = a.Signatures.Cancel(r.Context(), id)
		}
		if err != nil {
			a.writeError(w, r, err)
			return
		}
		WriteJSON(w, http.StatusOK, map[string]string{"status": "cancelled"})
	})
	mux.HandleFunc("POST "+p+"/trigger", func(w http.ResponseWriter, r *http.Request) {
		var q struct {
			UUID    string `json:"uuid"`
			Session string `json:"session"`
			Page    string `json:"page"`
			Approve *bool  `json:"approve"`
		}
		if err := readJSON(r, &q); err != nil {
			a.writeError(w, r, err)
			return
		}
		if q.Approve == nil {
			a.writeError(w, r, fault.Detail(errBadRequest, "approve (true or false) is required"))
			return
		}
		id, err := signature.ParseUUID(q.UUID)
		if err == nil {
			err = a.Signatures.Trigger(r.Context(), id, q.Session, q.Page, *q.Approve)
		}
		if err != nil {
			a.writeError(w, r, err)
			return
		}
		WriteJSON(w, http.StatusOK, map[string]string{"status": "posted"})
	})
	mux.HandleFunc("GET "+p+"/events", a.signatureEvents)
}

// templateName takes queueAuthRequest's template as its name or as the
// template object getSignatureTemplate gave.
func templateName(raw json.RawMessage) (string, error) {
	var name string
	if json.Unmarshal(raw, &name) == nil && name != "" {
		return name, nil
	}
	var t signature.Template
	if json.Unmarshal(raw, &t) == nil && t.Name != "" {
		return t.Name, nil
	}
	return "", fault.Detail(errBadRequest, "template must be a template's name or the template itself")
}

// signatureEvents streams the outcomes of a session's requests as
// server-sent events "outcome" until the page goes away.
func (a *api) signatureEvents(w http.ResponseWriter, r *http.Request) {
	flusher, ok := w.(http.Flusher)
	if !ok {
		a.writeError(w, r, fault.New(fault.Internal, "streaming unsupported"))
		return
	}
	session := r.URL.Query().Get("session")
	if session == "" {
		session = a.Session()
	}
	outcomes, stop := a.Signatures.Subscribe(session)
	defer stop()
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, ": outcomes of this session\n\n")
	flusher.Flush()
	for {
		select {
		case <-r.Context().Done():
			return
		case o := <-outcomes:
			b, _ := json.Marshal(o)
			if _, err := fmt.Fprintf(w, "event: outcome\ndata: %s\n\n", b); err != nil {
				return
			}
			flusher.Flush()
		}
	}
}
