package serve_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"loginshell/internal/gateway"
	"loginshell/internal/shell/shelltest"
	"loginshell/internal/signature"
	"loginshell/internal/user"
	"loginshell/internal/webapps"
)

// sigEnv is a whole shell with the line app shown, operator and supervisor
// holding offline passwords, its pages' and chrome's handlers on test
// servers (the chrome's as the browser mode serves it, without the guard).
type sigEnv struct {
	sh            *shelltest.Engines
	pages, chrome *httptest.Server
	pagesHandler  http.Handler
}

// origin serves the pages' handler as package pkg's own origin (its Host),
// as a page of that package reaches it.
func (e *sigEnv) origin(t *testing.T, pkg string) string {
	t.Helper()
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Host = webapps.PackageLabel(pkg) + ".p.localhost:1"
		e.pagesHandler.ServeHTTP(w, r)
	}))
	t.Cleanup(s.Close)
	return s.URL
}

func newSigEnv(t *testing.T) *sigEnv {
	t.Helper()
	sh := shelltest.New(t, shelltest.Options{})
	for name, roles := range map[string][]string{"operator": {"Operator"}, "supervisor": {"Supervisor", "Operator"}} {
		if err := sh.Keychain.Create(name, name+"-pass-1", user.Profile{Username: name, Name: name + " example", Roles: roles}); err != nil {
			t.Fatal(err)
		}
	}
	err := sh.Signatures.PutTemplate(context.Background(), signature.Template{Name: "Line Release Approval",
		Expression: "{role:Operator} AND {role:Supervisor}", IDP: "local", ForceUniqueUser: true, Meaning: "Approval"})
	if err != nil {
		t.Fatal(err)
	}
	sh.Screen.ShowPage("/webapps/lineapp/index.html", "Line")
	chrome, pages, err := gateway.ForBrowser(sh.Shell, nil, "p.localhost:1", []string{"http://127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	ps := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Host = webapps.PackageLabel("lineapp") + ".p.localhost:1"
		pages.ServeHTTP(w, r)
	}))
	cs := httptest.NewServer(chrome)
	t.Cleanup(ps.Close)
	t.Cleanup(cs.Close)
	return &sigEnv{sh: sh, pages: ps, chrome: cs, pagesHandler: pages}
}

// pageContext is what the SDK of the page shown knows: system.session from
// /pmapi/signature/context, and system.page, which only the chrome hands
// the page (here read from the chrome's view, as the chrome does).
func (e *sigEnv) pageContext(t *testing.T) struct{ Session, Page string } {
	t.Helper()
	var c struct{ Session, Page string }
	if code, body := call(t, e.pages.URL, "GET", "/pmapi/signature/context", nil, &c); code != 200 || c.Session == "" || c.Page != "" {
		t.Fatalf("context = %d %s; want the session and no page", code, body)
	}
	var v struct{ Page string }
	if code, body := call(t, e.chrome.URL, "GET", "/shell/view", nil, &v); code != 200 || v.Page == "" {
		t.Fatalf("the chrome's view = %d %s; want the page's name", code, body)
	}
	c.Page = v.Page
	return c
}

// call sends a JSON request and decodes the answer into out (if not nil).
func call(t *testing.T, base, method, path string, body any, out any) (int, string) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = strings.NewReader(string(b))
	}
	req, err := http.NewRequest(method, base+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil {
		_ = json.Unmarshal(b, out)
	}
	return resp.StatusCode, string(b)
}

// The seed's flow over REST, as the SDK drives it: the page queues, asks
// for its session and page, triggers; the shell's dialog (the chrome's
// endpoint) takes the password; the page hears the outcomes.
func TestSignatureServices(t *testing.T) {
	t.Parallel()
	e := newSigEnv(t)
	ctx := e.pageContext(t)
	// The outcome stream, opened before anything happens.
	req, _ := http.NewRequest("GET", e.pages.URL+"/pmapi/signature/events", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	events := make(chan signature.Outcome, 8)
	go func() {
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			if data, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
				var o signature.Outcome
				if json.Unmarshal([]byte(data), &o) == nil {
					events <- o
				}
			}
		}
	}()
	var tmpl signature.Template
	if code, _ := call(t, e.pages.URL, "GET", "/pmapi/signature/templates/line%20release%20approval", nil, &tmpl); code != 200 || tmpl.Name != "Line Release Approval" {
		t.Fatalf("getSignatureTemplate = %d %+v", code, tmpl)
	}
	var queued struct{ UUIDs []string }
	code, body := call(t, e.pages.URL, "POST", "/pmapi/signature/requests",
		map[string]any{"template": tmpl, "requestName": "Release line", "description": "Batch 4711"}, &queued)
	if code != 200 || len(queued.UUIDs) != 2 {
		t.Fatalf("queueAuthRequest = %d %s", code, body)
	}
	var pending []signature.Request
	if code, body := call(t, e.pages.URL, "GET", "/pmapi/signature/requests?name=Release+line", nil, &pending); code != 200 || len(pending) != 1 || len(pending[0].Slots) != 2 {
		t.Fatalf("getPendingAuthRequests = %d %s", code, body)
	}

	trigger := func(uuid string, page string, approve bool) (int, string) {
		return call(t, e.pages.URL, "POST", "/pmapi/signature/trigger",
			map[string]any{"uuid": uuid, "session": ctx.Session, "page": page, "approve": approve}, nil)
	}
	// The seed's errors, one status each.
	unknown := uuid.NewString()
	for _, tt := range []struct {
		name, uuid, page string
		want             int
		text             string
	}{
		{"an unknown UUID", unknown, ctx.Page, 404, "No pending authentication challenge with UUID " + unknown},
		{"a string that is not a UUID", "nope", ctx.Page, 400, "not a valid UUID"},
		{"a page that is not shown", queued.UUIDs[0], "page-999", 409, "Could not post authorization challenge"},
	} {
		if code, body := trigger(tt.uuid, tt.page, true); code != tt.want || !strings.Contains(body, tt.text) {
			t.Errorf("%s: %d %s, want %d saying %q", tt.name, code, body, tt.want, tt.text)
		}
	}

	answer := func(password string) (int, string) {
		c := e.sh.Screen.Current().Challenge
		if c == nil {
			t.Fatal("no dialog is shown")
		}
		return call(t, e.chrome.URL, "POST", "/shell/challenge/"+c.ID,
			map[string]string{"userId": strings.Split(password, "-")[0], "password": password, "comment": "ok"}, nil)
	}
	if code, body := trigger(queued.UUIDs[0], ctx.Page, true); code != 200 {
		t.Fatalf("trigger = %d %s", code, body)
	}
	if code, body := answer("operator-wrong"); code != 200 || !strings.Contains(body, `"ok":false`) {
		t.Fatalf("a wrong password = %d %s, want ok false", code, body)
	}
	if o := nextOutcome(t, events); o.Kind != signature.OutcomeError {
		t.Errorf("after a wrong password the page heard %+v, want an error", o)
	}
	if code, body := answer("operator-pass-1"); code != 200 || body != "{\"ok\":true}\n" {
		t.Fatalf("the right password = %d %q", code, body)
	}
	if o := nextOutcome(t, events); o.Kind != signature.OutcomeSigned {
		t.Errorf("after the first signature: %+v", o)
	}
	if code, body := trigger(queued.UUIDs[1], ctx.Page, true); code != 200 {
		t.Fatalf("trigger 2 = %d %s", code, body)
	}
	if code, body := answer("supervisor-pass-1"); code != 200 || !strings.Contains(body, `"ok":true`) {
		t.Fatalf("the supervisor = %d %s", code, body)
	}
	if o := nextOutcome(t, events); o.Kind != signature.OutcomeApprove || o.UserID != "supervisor" || o.Comment != "ok" {
		t.Errorf("the approval = %+v", o)
	}
	// The page cannot answer its own dialog: the chrome's endpoint is not on its origin.
	if code, _ := call(t, e.pages.URL, "POST", "/shell/challenge/x", map[string]string{"password": "p"}, nil); code != 404 {
		t.Errorf("POST /shell/challenge on the pages' origin = %d, want 404", code)
	}
	// Nor report a page that took the keyboard (an alert in the trail): that is the chrome's alone.
	if code, _ := call(t, e.pages.URL, "POST", "/shell/challenge/x/exposed", map[string]string{"field": "password"}, nil); code != 404 {
		t.Errorf("POST /shell/challenge/{id}/exposed on the pages' origin = %d, want 404", code)
	}
}

func nextOutcome(t *testing.T, ch <-chan signature.Outcome) signature.Outcome {
	t.Helper()
	select {
	case o := <-ch:
		return o
	case <-time.After(10 * time.Second):
		t.Fatal("no outcome reached the page")
		return signature.Outcome{}
	}
}
