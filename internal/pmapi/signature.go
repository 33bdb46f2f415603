package pmapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"loginshell/internal/fault"
	"loginshell/internal/signature"
)

// signatureRoutes are the electronic-signature services (seed 000), none
// without Options.Signatures, for hosted pages through the SDK the shim
// adds (system.mes.signature) and for scripts:
//
//	GET    /pmapi/signature/context                this shell's {session} (the page's name comes from the chrome, see signatureContext)
//	GET    /pmapi/signature/templates              every template
//	GET    /pmapi/signature/templates/{name}       getSignatureTemplate (404 naming it)
//	PUT, POST, DELETE /pmapi/signature/templates[/{name}]   403: templates are the plant's
//	POST   /pmapi/signature/requests               queueAuthRequest: {template, requestName, description} -> {uuids}
//	GET    /pmapi/signature/requests?user=&template=&name=   getPendingAuthRequests
//	GET    /pmapi/signature/requests/{uuid}        getAuthRequest: one request, in any state, by its UUID or a slot's
//	DELETE /pmapi/signature/requests/{uuid}        cancel a pending request
//	POST   /pmapi/signature/trigger                triggerAuthRequest: {uuid, session, page, approve}
//	GET    /pmapi/signature/events                 outcomes of this session (server-sent events "outcome")
//
// triggerAuthRequest's errors, one status each: a string that is not a
// UUID 400; "No pending authentication challenge with UUID <uuid>" 404;
// "Could not post authorization challenge" 409; an identity provider that
// cannot run challenges 501; an approve that is not the JSON true or false
// 400.
func (a *api) signatureRoutes() []route {
	if a.Signatures == nil {
		return nil
	}
	return []route{
		{http.MethodGet, "/signature/context", a.handle(a.signatureContext)},
		{http.MethodGet, "/signature/templates", a.handle(a.templates)},
		{http.MethodGet, "/signature/templates/{name}", a.handle(a.template)},
		{http.MethodPut, "/signature/templates/{name}", a.handle(plantOnly)},
		{http.MethodPost, "/signature/templates/{name}", a.handle(plantOnly)},
		{http.MethodDelete, "/signature/templates/{name}", a.handle(plantOnly)},
		{http.MethodPut, "/signature/templates", a.handle(plantOnly)},
		{http.MethodPost, "/signature/templates", a.handle(plantOnly)},
		{http.MethodPost, "/signature/requests", a.handle(a.queue)},
		{http.MethodGet, "/signature/requests", a.handle(a.pending)},
		{http.MethodGet, "/signature/requests/{uuid}", a.handle(a.request)},
		{http.MethodDelete, "/signature/requests/{uuid}", a.handle(a.cancelRequest)},
		{http.MethodPost, "/signature/trigger", a.handle(a.trigger)},
		{http.MethodGet, "/signature/events", http.HandlerFunc(a.signatureEvents)},
	}
}

// signatureContext is the SDK's system.session. It has no page: the name
// of the page shown (screen.View.Page) is what lets a trigger raise a
// dialog over it, and anything on a package's origin can ask here (a tab
// opened on its address, another package's page); the chrome hands the
// name to the document in its content frame alone.
func (a *api) signatureContext(*http.Request) (any, error) {
	return map[string]string{"session": a.Session()}, nil
}

func (a *api) templates(r *http.Request) (any, error) {
	ts, err := a.Signatures.Templates(r.Context())
	if err != nil {
		return nil, err
	}
	if ts == nil {
		ts = []signature.Template{}
	}
	return ts, nil
}

func (a *api) template(r *http.Request) (any, error) {
	t, err := a.Signatures.Template(r.Context(), r.PathValue("name"))
	if err != nil {
		return nil, err
	}
	return t, nil
}

// errPlantOnly refuses a page's change of a signature template.
var errPlantOnly = fault.New(fault.Forbidden, "signature templates are the plant's: pages read them, and they change only with `loginshell signature templates import` on the plant's side")

// plantOnly refuses every change of a template: templates are the plant's.
// A page that could store one could switch off forceUniqueUser under a
// pending two-person request, or put words of its own in the meaning a
// signer agrees to.
func plantOnly(r *http.Request) (any, error) {
	return nil, fault.Detail(errPlantOnly, "template %q", r.PathValue("name"))
}

// queue is queueAuthRequest: one UUID per slot of the template's
// expression, in the session the body names or this shell's.
func (a *api) queue(r *http.Request) (any, error) {
	var q struct {
		Template    json.RawMessage `json:"template"`
		RequestName string          `json:"requestName"`
		Description string          `json:"description"`
		Session     string          `json:"session"`
		Record      json.RawMessage `json:"record"`
	}
	pkg, err := caller(r)
	if err != nil {
		return nil, err
	}
	if err := readJSON(r, &q); err != nil {
		return nil, err
	}
	name, err := templateName(q.Template)
	if err != nil {
		return nil, err
	}
	session := q.Session
	if session == "" {
		session = a.Session()
	}
	ids, err := a.Signatures.Queue(a.acting(r, pkg), signature.Queuing{Template: name, Name: q.RequestName, Description: q.Description,
		Session: session, Owner: pkg, Record: string(q.Record)})
	if err != nil {
		return nil, err
	}
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = id.String()
	}
	return map[string][]string{"uuids": out}, nil
}

// pending is getPendingAuthRequests, filtered by the query's user,
// template and name.
func (a *api) pending(r *http.Request) (any, error) {
	pkg, err := caller(r)
	if err != nil {
		return nil, err
	}
	q := r.URL.Query()
	reqs, err := a.Signatures.Pending(r.Context(), signature.Filter{User: q.Get("user"), Template: q.Get("template"), Name: q.Get("name"),
		Package: pkg})
	if err != nil {
		return nil, err
	}
	if reqs == nil {
		reqs = []signature.Request{}
	}
	return reqs, nil
}

// request is getAuthRequest: the request whose UUID, or whose slot's
// UUID, the path names, in any state, with its slots and signatures, for
// a page that reloaded and lost the outcomes it was waiting for. A page
// reads only what it may list; another package's request is 404 as an
// unknown UUID is (signature.Engine.Request).
func (a *api) request(r *http.Request) (any, error) {
	pkg, err := caller(r)
	if err != nil {
		return nil, err
	}
	id, err := signature.ParseUUID(r.PathValue("uuid"))
	if err != nil {
		return nil, err
	}
	return a.Signatures.Request(r.Context(), id, pkg)
}

func (a *api) cancelRequest(r *http.Request) (any, error) {
	pkg, err := caller(r)
	if err != nil {
		return nil, err
	}
	id, err := signature.ParseUUID(r.PathValue("uuid"))
	if err == nil {
		err = a.Signatures.Cancel(a.acting(r, pkg), id, pkg)
	}
	if err != nil {
		return nil, err
	}
	return done("cancelled"), nil
}

// trigger is triggerAuthRequest: it posts the slot's challenge to the
// shell's dialog; the outcome arrives on the event stream.
func (a *api) trigger(r *http.Request) (any, error) {
	var q struct {
		UUID    string `json:"uuid"`
		Session string `json:"session"`
		Page    string `json:"page"`
		// Approve is read by hand: the seed's approve is a Boolean,
		// and "true", 1 or null must not become one.
		Approve json.RawMessage `json:"approve"`
	}
	pkg, err := caller(r)
	if err != nil {
		return nil, err
	}
	if err := readJSON(r, &q); err != nil {
		return nil, err
	}
	approve, err := approval(q.Approve)
	if err != nil {
		return nil, err
	}
	id, err := signature.ParseUUID(q.UUID)
	if err == nil {
		err = a.Signatures.Trigger(a.acting(r, pkg), id, q.Session, q.Page, approve, pkg)
	}
	if err != nil {
		return nil, err
	}
	return done("posted"), nil
}

// approval reads triggerAuthRequest's approve: the JSON true or false,
// nothing else (absent, null, "true", 1 are 400), so a page's mistake
// never signs the other way than it meant.
func approval(raw json.RawMessage) (bool, error) {
	switch string(bytes.TrimSpace(raw)) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	case "", "null":
		return false, fault.Detail(errBadRequest, "approve (true or false) is required")
	default:
		return false, fault.Detail(errBadRequest, "approve must be true or false (a JSON boolean, not a string or a number)")
	}
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
	pkg, err := caller(r)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	flusher, ok := w.(http.Flusher)
	if !ok {
		a.writeError(w, r, fault.New(fault.Internal, "streaming unsupported"))
		return
	}
	session := r.URL.Query().Get("session")
	if session == "" {
		session = a.Session()
	}
	outcomes, stop := a.Signatures.SubscribeFor(session, pkg)
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

// acting is r's context saying who acts, for the trail: the person signed
// in to the shell, and the package pkg whose page asked.
func (a *api) acting(r *http.Request, pkg string) context.Context {
	who := "nobody signed in"
	if p, _, ok := a.Users.Current(); ok {
		who = p.Username
		if p.Name != "" && p.Name != p.Username {
			who += " (" + p.Name + ")"
		}
	}
	who += ", page of package " + pkg
	return signature.ActingAs(r.Context(), who)
}
