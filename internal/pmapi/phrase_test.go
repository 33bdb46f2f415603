package pmapi_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"loginshell/internal/gateway"
	"loginshell/internal/pmapi"
	"loginshell/internal/shell/shelltest"
	"loginshell/internal/signature"
	"loginshell/internal/user"
	"loginshell/internal/webapps"
)

// The station's signing phrase marks a genuine signature dialog (issue 20,
// promise 5), so no page may know it: every /pmapi route (the route table
// itself, so a route added later is covered), each with its wildcards
// filled, a few paths that are no route, and paths that try to climb out
// of a package's files to DATA/signing-phrase, while a dialog that shows
// the phrase is open. None answers with it; the chrome's view has it.
func TestAPageCannotReadTheSigningPhrase(t *testing.T) {
	t.Parallel()
	const phrase = "kestrel over line four"
	sh := shelltest.New(t, shelltest.Options{})
	ctx := context.Background()
	if err := sh.Keychain.Create("operator", "operator-pass-1", user.Profile{Username: "operator", Roles: []string{"Operator"}}); err != nil {
		t.Fatal(err)
	}
	if err := sh.Signatures.PutTemplate(ctx, signature.Template{Name: "Line Release Approval", Expression: "{role:Operator}",
		IDP: signature.IDPLocal, Meaning: "Approval"}); err != nil {
		t.Fatal(err)
	}
	if err := sh.SetSigningPhrase(phrase); err != nil {
		t.Fatal(err)
	}
	// dialog puts a dialog showing the phrase on screen again, over the
	// line app's page, after a request that took it down (a sign-in, a
	// page shown, a request cancelled).
	var ids []uuid.UUID
	dialog := func() {
		t.Helper()
		_ = sh.Auth.Cancel()
		if sh.Screen.Current().Challenge != nil {
			return
		}
		q, err := sh.Signatures.Queue(ctx, signature.Queuing{Template: "Line Release Approval", Name: "Release line", Owner: "lineapp"})
		if err != nil {
			t.Fatal(err)
		}
		if ids == nil {
			ids = q
		}
		// An earlier request's work may still be ending (a sign-in it
		// started, cancelled above, puts the page back as it ends) and
		// replace the page between the read and the trigger: the engine
		// then refuses the trigger (ErrNotPosted), and it is made again
		// over the page now shown.
		for try := 0; ; try++ {
			if v := sh.Screen.Current(); v.Kind != "page" || v.Auth || !strings.Contains(v.URL, "/webapps/lineapp/") {
				sh.Screen.ShowPage("/webapps/lineapp/index.html", "Line")
			}
			err := sh.Signatures.Trigger(ctx, q[0], sh.Screen.Session(), sh.Screen.Current().Page, true, "lineapp")
			if err == nil {
				return
			}
			if !errors.Is(err, signature.ErrNotPosted) || try == 50 {
				t.Fatal(err)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	dialog()
	chrome, pages, err := gateway.ForBrowser(sh.Shell, nil, "p.localhost:1", []string{"http://127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	ps := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Host = webapps.PackageLabel("lineapp") + ".p.localhost:1"
		pages.ServeHTTP(w, r)
	}))
	t.Cleanup(ps.Close)
	cs := httptest.NewServer(chrome)
	t.Cleanup(cs.Close)

	fill := strings.NewReplacer("{token}", "x", "{key}", "login_url", "{name}", "Line%20Release%20Approval", "{uuid}", ids[0].String())
	var paths []string
	for _, r := range pmapi.RouteList(pmapi.Options{Signatures: sh.Signatures}) {
		paths = append(paths, fill.Replace(r))
	}
	if len(paths) < 30 {
		t.Fatalf("only %d routes: the route list is not the API's", len(paths))
	}
	paths = append(paths, "GET /pmapi/signing-phrase", "GET /pmapi/usersettings/signing_phrase", "GET /pmapi/signature/phrase",
		"GET /webapps/lineapp/../../signing-phrase", "GET /webapps/lineapp/%2e%2e/%2e%2e/signing-phrase",
		"GET /webapps/lineapp/..%2f..%2fsigning-phrase", "GET /signing-phrase", "GET /shell/view")
	// A sign-in waits for a person, an event stream for outcomes: each
	// answer is read for a second at most.
	client := &http.Client{Timeout: time.Second}
	for _, p := range paths {
		dialog()
		method, path, _ := strings.Cut(p, " ")
		var body io.Reader
		if method != http.MethodGet {
			body = strings.NewReader(`{}`)
		}
		req, err := http.NewRequest(method, ps.URL+path, body)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			continue // no answer within the second: nothing said
		}
		// An event stream is read until the client's timeout.
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if strings.Contains(strings.ToLower(string(b)), "kestrel") {
			t.Errorf("%s from a page answered %d with the signing phrase: %s", p, resp.StatusCode, b)
		}
	}
	dialog()
	resp, err := http.Get(cs.URL + "/shell/view")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), phrase) {
		t.Errorf("the chrome's view = %s; want the dialog with the phrase (else this test proves nothing)", b)
	}
}
