package pagefiles

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// TestShimRewrites runs the embedded shim under Node against a fake window
// (testdata/shim_harness.js). It is skipped where Node is not installed; a
// real browser test of the pages covers the same ground end to end.
func TestShimRewrites(t *testing.T) {
	t.Parallel()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not installed")
	}
	shim := filepath.Join(t.TempDir(), "shim.js")
	if err := os.WriteFile(shim, []byte(shimJS), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.CommandContext(t.Context(), node, filepath.Join("testdata", "shim_harness.js"), shim).Output()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, out)
	}
	var got struct {
		Marker map[string]any    `json:"marker"`
		Seen   []json.RawMessage `json:"seen"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("harness output %q: %v", out, err)
	}
	if !reflect.DeepEqual(got.Marker, map[string]any{"version": float64(1)}) {
		t.Errorf("window.loginshell = %v, want {version: 1}", got.Marker)
	}
	want := []string{
		`{"via":"xhr","args":["GET","/pmapi/user"]}`,
		`{"via":"xhr","args":["GET","/pmapi/auth/abc/authenticate?p=s%20cret"]}`,
		`{"via":"xhr","args":["GET","/pmapi/"]}`,
		`{"via":"xhr","args":["GET","/pmapi/?x=1"]}`,
		`{"via":"xhr","args":["GET","/pmapi/#frag"]}`,
		`{"via":"xhr","args":["GET","http://pmapi.example.com/user"]}`,
		`{"via":"xhr","args":["GET","http://pmapi:8080/user"]}`,
		`{"via":"xhr","args":["GET","http://pmapiX/user"]}`,
		`{"via":"xhr","args":["GET","https://example.com/http://pmapi/"]}`,
		`{"via":"xhr","args":["GET","/pmapi/already"]}`,
		`{"via":"xhr","args":["GET","relative/page.html"]}`,
		`{"via":"xhr","args":["PUT","/pmapi/auth/t/setup",false]}`,
		`{"via":"xhr","args":["GET","/pmapi/user",true,"user","pw"]}`,
		`{"via":"fetch","input":"/pmapi/connectivity","argc":1,"init":null}`,
		`{"via":"fetch","input":"/pmapi/auth/t/update?o=a&p=b","argc":2,"init":{"method":"PUT"}}`,
		`{"via":"fetch","input":"/pmapi/user","argc":1,"init":null}`,
		`{"via":"fetch","input":{"urlObject":"https://example.com/x"},"argc":1,"init":null}`,
		`{"via":"fetch","input":{"request":"/pmapi/auth","method":"POST","headers":{"a":"b"},"body":"payload"},"argc":1,"init":null}`,
		`{"via":"fetch","input":{"request":"/pmapi/user","method":"GET","headers":{},"body":null},"argc":1,"init":null}`,
		`{"via":"fetch","input":{"request":"https://example.com/y","method":"GET","headers":{},"body":null},"argc":1,"init":null}`,
	}
	if len(got.Seen) != len(want) {
		t.Fatalf("harness saw %d calls, want %d:\n%s", len(got.Seen), len(want), out)
	}
	for i, w := range want {
		var g, wv any
		if err := json.Unmarshal(got.Seen[i], &g); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(w), &wv); err != nil {
			t.Fatalf("want[%d]: %v", i, err)
		}
		if !reflect.DeepEqual(g, wv) {
			t.Errorf("call %d = %s, want %s", i, got.Seen[i], w)
		}
	}
}

// TestShimSignatureSDK drives the SDK (system.mes.signature) under Node
// against a fake fetch answering as the shell's services do
// (testdata/sdk_harness.js): triggerAuthRequest's approve is a boolean or
// the call throws at once and posts nothing; every error carries the
// seed's exception as its name and the HTTP status; getAuthRequest reads
// a request by UUID (issue 21.8). Skipped where Node is not installed;
// frontend/e2e/signature.test.mjs runs the same SDK in Chromium against a
// real shell.
func TestShimSignatureSDK(t *testing.T) {
	t.Parallel()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not installed")
	}
	shim := filepath.Join(t.TempDir(), "shim.js")
	if err := os.WriteFile(shim, []byte(shimJS), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.CommandContext(t.Context(), node, filepath.Join("testdata", "sdk_harness.js"), shim).Output()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, out)
	}
	type failure struct {
		IsError bool
		Name    string
		Status  int
		Message string
	}
	type fetched struct {
		Method, URL string
		Body        map[string]any
	}
	var got map[string]struct {
		Threw, Rejected *failure
		Resolved        json.RawMessage
		Fetched         []fetched
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("harness output %q: %v", out, err)
	}
	const (
		threw    = "threw"
		rejected = "rejected"
		resolved = "resolved"
	)
	for _, tt := range []struct {
		name   string
		how    string
		exc    string // the error's name
		status int
		text   string // in the message
		posts  int    // calls that reached fetch
	}{
		{"approve left out", threw, "IllegalArgumentException", 400, "approve must be true or false", 0},
		{`approve "true"`, threw, "IllegalArgumentException", 400, `not "true"`, 0},
		{"approve 1", threw, "IllegalArgumentException", 400, "not 1", 0},
		{"approve null", threw, "IllegalArgumentException", 400, "not null", 0},
		{"approve a Boolean object", threw, "IllegalArgumentException", 400, "approve must be true or false", 0},
		{"approve true", resolved, "", 0, "", 2},
		{"approve false", resolved, "", 0, "", 1},
		{"an unknown UUID", rejected, "IllegalArgumentException", 404, "No pending authentication challenge with UUID 00000000-0000-4000-8000-000000000000", 1},
		{"a UUID string that does not parse", rejected, "IllegalArgumentException", 400, "not a valid UUID", 1},
		{"a page that cannot show it", rejected, "RuntimeException", 409, "Could not post authorization challenge", 1},
		{"an identity provider without challenges", rejected, "UnsupportedOperationException", 501, "not supported", 1},
		{"the shell not reached", rejected, "RuntimeException", 0, "could not be reached", 1},
		{"a busy shell", rejected, "RuntimeException", 403, "authentication is in progress", 1},
		{"a body that is not JSON", rejected, "RuntimeException", 500, "HTTP 500", 1},
		{"getAuthRequest of a known UUID", resolved, "", 0, "", 1},
		{"getAuthRequest of an unknown UUID", rejected, "IllegalArgumentException", 404, "No authorization request with UUID", 1},
		{"getAuthRequest of a string that is not a UUID", rejected, "IllegalArgumentException", 400, "not a valid UUID", 1},
	} {
		g, ok := got[tt.name]
		if !ok {
			t.Errorf("%s: the harness did not run it", tt.name)
			continue
		}
		f := g.Threw
		if tt.how == rejected {
			f = g.Rejected
		}
		switch {
		case tt.how == resolved && (g.Resolved == nil || g.Threw != nil || g.Rejected != nil):
			t.Errorf("%s: %+v, want it resolved", tt.name, g)
		case tt.how != resolved && f == nil:
			t.Errorf("%s: %+v, want it %s", tt.name, g, tt.how)
		case tt.how != resolved && (!f.IsError || f.Name != tt.exc || f.Status != tt.status || !strings.Contains(f.Message, tt.text)):
			t.Errorf("%s: %s %+v, want an Error named %s, status %d, saying %q", tt.name, tt.how, *f, tt.exc, tt.status, tt.text)
		}
		if len(g.Fetched) != tt.posts {
			t.Errorf("%s: %d calls reached the shell (%+v), want %d", tt.name, len(g.Fetched), g.Fetched, tt.posts)
		}
	}
	// What was posted for the booleans, and read for getAuthRequest.
	for name, want := range map[string]any{"approve true": true, "approve false": false} {
		if f := got[name].Fetched; len(f) == 0 || f[len(f)-1].URL != "/pmapi/signature/trigger" || f[len(f)-1].Body["approve"] != want {
			t.Errorf("%s posted %+v, want approve %v", name, f, want)
		}
	}
	// The page's name comes from the shell's chrome (the parent frame)
	// alone, asked for as the shim starts; the chrome's pings are answered
	// (issue 20: only the page shown raises a dialog; a page that stops
	// answering is closed while the dialog is open).
	var chrome struct {
		Shell struct {
			Hello, Pongs  []struct{ Data map[string]any }
			Forged, Named string
			Refocus       map[string][]string
			Refocused     int
		}
	}
	if err := json.Unmarshal(out, &chrome); err != nil {
		t.Fatal(err)
	}
	sh := chrome.Shell
	if len(sh.Hello) != 1 || sh.Hello[0].Data["loginshell"] != "hello" {
		t.Errorf("the shim told its parent %+v as it started; want one hello", sh.Hello)
	}
	if sh.Forged != "" || sh.Named != "page-from-the-chrome" {
		t.Errorf("system.page = %q after another window's message, %q after the parent's; want \"\" and the parent's", sh.Forged, sh.Named)
	}
	if len(sh.Pongs) != 1 || sh.Pongs[0].Data["n"] != "7-x" {
		t.Errorf("pongs = %+v; want one, to the parent's ping", sh.Pongs)
	}
	// When the dialog closes the keyboard goes back to the control that asked (issue 22.3), also
	// when the page triggered the next slot with nothing focused (WebKitGTK empties a frame's focus
	// when the dialog takes the keyboard), whether the last dialog's refocus came before or after.
	for name, want := range map[string][]string{
		"the control that asked": {"release"},
		"the next slot triggered with nothing focused, before the refocus": {"release"},
		"the next slot triggered with nothing focused, after the refocus":  {"release"},
		"a later control that asked":                                       {"other"},
		"a control no longer in the page":                                  {},
	} {
		if got, ok := sh.Refocus[name]; !ok || !slices.Equal(got, want) {
			t.Errorf("refocus, %s: focused %q, want %q", name, got, want)
		}
	}
	// Each refocus is answered when done: the chrome holds the next dialog until then.
	if sh.Refocused != len(sh.Refocus) {
		t.Errorf("the shim answered %d refocus requests, want %d (one per request from the chrome, none to another window's)", sh.Refocused, len(sh.Refocus))
	}
	if f := got["approve true"].Fetched; len(f) == 0 || f[len(f)-1].Body["page"] != "page-from-the-chrome" {
		t.Errorf("the trigger posted %+v; want the page's name from the chrome", f)
	}
	if g := got["getAuthRequest of a known UUID"]; len(g.Fetched) != 1 || g.Fetched[0].Method != "GET" ||
		g.Fetched[0].URL != "/pmapi/signature/requests/11111111-1111-4111-8111-111111111111" ||
		!strings.Contains(string(g.Resolved), `"state":"approved"`) {
		t.Errorf("getAuthRequest = %+v, want the service's request", g)
	}
}
