package serve_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"loginshell/internal/signature"
)

// TestPagesCannotChangeTemplates attacks the templates from a package's
// own origin as a hostile page would (issue 20): every write is 403 naming
// the plant's way, and the template is exactly as it was afterwards.
func TestPagesCannotChangeTemplates(t *testing.T) {
	t.Parallel()
	e := newSigEnv(t)
	ctx := context.Background()
	before, err := e.sh.Signatures.Template(ctx, "Line Release Approval")
	if err != nil {
		t.Fatal(err)
	}
	weaker := map[string]any{"name": "Line Release Approval", "expression": "{role:Operator} AND {role:Supervisor}",
		"idp": "local", "forceUniqueUser": false, "meaning": "\u200b\u200b"}
	for _, tt := range []struct {
		method, path string
		body         any
	}{
		{"PUT", "/pmapi/signature/templates/Line%20Release%20Approval", weaker},
		{"PUT", "/pmapi/signature/templates/line%20release%20approval", weaker},
		{"POST", "/pmapi/signature/templates/Line%20Release%20Approval", weaker},
		{"POST", "/pmapi/signature/templates", weaker},
		{"PUT", "/pmapi/signature/templates", []any{weaker}},
		{"DELETE", "/pmapi/signature/templates/Line%20Release%20Approval", nil},
		{"PUT", "/pmapi/signature/templates/Evil", map[string]any{"name": "Evil", "expression": "{role:Operator}", "idp": "local", "meaning": "x"}},
	} {
		code, body := call(t, e.pages.URL, tt.method, tt.path, tt.body, nil)
		if code != 403 || !strings.Contains(body, "signature templates import") {
			t.Errorf("%s %s from a page = %d %s; want 403 naming the plant's way", tt.method, tt.path, code, body)
		}
	}
	after, err := e.sh.Signatures.Template(ctx, "Line Release Approval")
	if err != nil || after != before {
		t.Errorf("the template after the attack: %+v, %v; want it unchanged: %+v", after, err, before)
	}
	if _, err := e.sh.Signatures.Template(ctx, "Evil"); err == nil {
		t.Error("a page stored a template of its own")
	}
	var ts []map[string]any
	if code, _ := call(t, e.pages.URL, "GET", "/pmapi/signature/templates", nil, &ts); code != 200 || len(ts) != 1 {
		t.Errorf("reading the templates: %d, %d templates", code, len(ts))
	}
}

// outcomeStream opens a page's outcome stream at base and returns what it
// hears.
func outcomeStream(t *testing.T, base string) <-chan signature.Outcome {
	t.Helper()
	req, _ := http.NewRequest("GET", base+"/pmapi/signature/events", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	ch := make(chan signature.Outcome, 16)
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(resp.Body)
		once := false
		for sc.Scan() {
			if !once { // the stream's comment line: subscribed
				once = true
				close(ready)
			}
			if data, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
				var o signature.Outcome
				if json.Unmarshal([]byte(data), &o) == nil {
					ch <- o
				}
			}
		}
	}()
	<-ready
	return ch
}

// TestAPageReachesOnlyItsOwnRequests attacks another package's requests
// from a hostile package's origin (issue 20): it cannot list them, cancel
// them or hear their outcomes; it sees the plant's requests routed to it
// or to every package, and not those routed to another.
func TestAPageReachesOnlyItsOwnRequests(t *testing.T) {
	t.Parallel()
	e := newSigEnv(t)
	ctx := context.Background()
	hostile := e.origin(t, "hostile")
	pctx := e.pageContext(t)

	queue := func(base, name string) []string {
		var q struct{ UUIDs []string }
		if code, body := call(t, base, "POST", "/pmapi/signature/requests",
			map[string]any{"template": "Line Release Approval", "requestName": name}, &q); code != 200 {
			t.Fatalf("queue %s = %d %s", name, code, body)
		}
		return q.UUIDs
	}
	names := func(base string) []string {
		var rs []signature.Request
		if code, body := call(t, base, "GET", "/pmapi/signature/requests", nil, &rs); code != 200 {
			t.Fatalf("list = %d %s", code, body)
		}
		var out []string
		for _, r := range rs {
			out = append(out, r.Name)
		}
		return out
	}
	lineSlots := queue(e.pages.URL, "line's release")
	queue(hostile, "hostile's own")
	if _, err := e.sh.Signatures.Queue(ctx, signature.Queuing{Template: "Line Release Approval", Name: "plant, all"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.sh.Signatures.Queue(ctx, signature.Queuing{Template: "Line Release Approval", Name: "plant, to line", AddressedTo: "lineapp"}); err != nil {
		t.Fatal(err)
	}

	if got := strings.Join(names(hostile), ", "); got != "hostile's own, plant, all" {
		t.Errorf("the hostile page lists %q; want its own and the plant's for every package", got)
	}
	if got := strings.Join(names(e.pages.URL), ", "); got != "line's release, plant, all, plant, to line" {
		t.Errorf("the line app lists %q", got)
	}

	// Cancel the line's request from the hostile origin: to it, there is
	// no such request.
	var lineReq string
	for _, r := range mustList(t, e) {
		if r.Name == "line's release" {
			lineReq = r.ID.String()
		}
	}
	if code, body := call(t, hostile, "DELETE", "/pmapi/signature/requests/"+lineReq, nil, nil); code != 404 {
		t.Errorf("the hostile page cancelled the line's request: %d %s", code, body)
	}
	if got := strings.Join(names(e.pages.URL), ", "); !strings.Contains(got, "line's release") {
		t.Errorf("the line's request is gone after the hostile cancel: %q", got)
	}

	// Outcomes: the hostile stream hears its own, never the line's. The
	// line signs first; then the hostile's own challenge is dismissed. If
	// the line's outcome reached the hostile stream, it would come first.
	lineHears, hostileHears := outcomeStream(t, e.pages.URL), outcomeStream(t, hostile)
	if code, body := call(t, e.pages.URL, "POST", "/pmapi/signature/trigger",
		map[string]any{"uuid": lineSlots[0], "session": pctx.Session, "page": pctx.Page, "approve": true}, nil); code != 200 {
		t.Fatalf("trigger = %d %s", code, body)
	}
	c := e.sh.Screen.Current().Challenge
	if _, err := e.sh.Signatures.Answer(ctx, c.ID, "operator", "operator-pass-1", "line"); err != nil {
		t.Fatal(err)
	}
	if o := nextOutcome(t, lineHears); o.Kind != signature.OutcomeSigned || o.RequestName != "line's release" {
		t.Errorf("the line heard %+v", o)
	}
	var own []signature.Request
	call(t, hostile, "GET", "/pmapi/signature/requests?name=hostile's+own", nil, &own)
	if len(own) != 1 {
		t.Fatalf("the hostile page's own request: %+v", own)
	}
	// Over the line app's page, which is shown, the hostile package's
	// trigger raises nothing, even with the page's name (issue 20: only the
	// page shown raises a dialog); over its own page, it does.
	if code, body := call(t, hostile, "POST", "/pmapi/signature/trigger",
		map[string]any{"uuid": own[0].Slots[0].ID.String(), "session": pctx.Session, "page": pctx.Page, "approve": true}, nil); code != 409 {
		t.Fatalf("the hostile package's trigger over the line app's page = %d %s; want 409", code, body)
	}
	if c := e.sh.Screen.Current().Challenge; c != nil {
		t.Fatalf("a dialog is up over the line app for the hostile package: %+v", c)
	}
	e.sh.Screen.ShowPage("/webapps/hostile/index.html", "Hostile")
	hctx := e.pageContext(t)
	if code, body := call(t, hostile, "POST", "/pmapi/signature/trigger",
		map[string]any{"uuid": own[0].Slots[0].ID.String(), "session": hctx.Session, "page": hctx.Page, "approve": true}, nil); code != 200 {
		t.Fatalf("the hostile page's trigger of its own slot over its own page = %d %s", code, body)
	}
	if err := e.sh.Signatures.Dismiss(ctx, e.sh.Screen.Current().Challenge.ID); err != nil {
		t.Fatal(err)
	}
	if o := nextOutcome(t, hostileHears); o.RequestName != "hostile's own" {
		t.Errorf("the hostile page heard %+v first: another package's outcome reached it", o)
	}
}

func mustList(t *testing.T, e *sigEnv) []signature.Request {
	t.Helper()
	rs, err := e.sh.Signatures.Pending(context.Background(), signature.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	return rs
}
