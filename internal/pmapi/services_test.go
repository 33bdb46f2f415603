package pmapi_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"loginshell/internal/user"
)

// send is do with a JSON body; it returns the status and the raw body.
func (e *env) send(method, path, body string) (int, string) {
	e.t.Helper()
	req, _ := http.NewRequest(method, e.srv.URL+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestServices(t *testing.T) {
	t.Parallel()
	steps := []struct {
		name, method, path, body string
		want                     int
		contains                 string
	}{
		{"the user service lists the signed-in user", "GET", "/pmapi/user", "", 200, `"username":"op"`},
		{"one user key is readable", "GET", "/pmapi/user/name", "", 200, "Olga Operator"},
		{"an absent user key is 404", "GET", "/pmapi/user/nope", "", 404, "error"},
		{"POST replaces the user dictionary", "POST", "/pmapi/user", `{"badge":"42"}`, 200, `"badge":"42"`},
		{"the replaced dictionary lost the old keys", "GET", "/pmapi/user/name", "", 404, ""},
		{"DELETE clears the user dictionary", "DELETE", "/pmapi/user", "", 200, ""},
		{"a bad JSON body names the problem", "POST", "/pmapi/user", `{"badge"`, 400, "JSON"},
		{"settings take a JSON dictionary", "PUT", "/pmapi/usersettings", `{"line":"4","shift":"night"}`, 200, `"line":"4"`},
		{"the client secret is never handed to pages", "GET", "/pmapi/usersettings", "", 200, `"client_secret":"[redacted]"`},
		{"one setting is readable", "GET", "/pmapi/usersettings/line", "", 200, "4"},
		{"a shell setting is readable", "GET", "/pmapi/usersettings/login_url", "", 200, "idp.example"},
		{"one setting is writable", "PUT", "/pmapi/usersettings/shift", `"day"`, 200, ""},
		{"one setting is deletable", "DELETE", "/pmapi/usersettings/shift", "", 200, ""},
		{"a deleted setting is 404", "GET", "/pmapi/usersettings/shift", "", 404, "error"},
		{"a page's log line is taken with 201", "PUT", "/pmapi/log", `{"level":"warn","log":"hello"}`, 201, ""},
		{"a log body without text is refused", "PUT", "/pmapi/log", `{"level":"warn"}`, 400, "error"},
		{"the version names the shell", "GET", "/pmapi/version", "", 200, `"name":"loginshell"`},
		{"connectivity is a JSON array", "GET", "/pmapi/connectivity", "", 200, `["Online"]`},
		{"a known web app is shown in the pane", "POST", "/pmapi/window/pane?webapp=lineapp", "", 200, "shown"},
		{"PUT shows it too", "PUT", "/pmapi/window/pane?webapp=lineapp", "", 200, "shown"},
		{"an unknown web app is 404", "POST", "/pmapi/window/pane?webapp=nope", "", 404, "unknown web app"},
		{"showing an app by GET is not allowed", "GET", "/pmapi/window/pane?webapp=lineapp", "", 405, "POST or PUT"},
		{"a wrong method on a service is 405", "DELETE", "/pmapi/version", "", 405, "use GET"},
		{"an unknown service is 404", "GET", "/pmapi/nosuch", "", 404, "no such service"},
		{"a page log line of 8 KiB is logged", "PUT", "/pmapi/log", `{"level":"info","log":"` + strings.Repeat("x", 8<<10) + `"}`, 201, "logged"},
		{"a longer page log line is 413", "PUT", "/pmapi/log", `{"level":"info","log":"` + strings.Repeat("x", 8<<10+1) + `"}`, 413, "at most 8192 bytes"},
		{"a body over 1 MiB is 413", "PUT", "/pmapi/usersettings", `{"x":"` + strings.Repeat("x", 1<<20) + `"}`, 413, "larger than 1048576 bytes"},
		{"settings past 64 KiB are 413", "PUT", "/pmapi/usersettings/note", `"` + strings.Repeat("x", 65<<10) + `"`, 413, "64 KiB"},
		// Issue 20: every setting the shell reads is the chrome's and the
		// plant's; a page that set login_url could sign as anyone at a
		// provider of its own.
		{"a page cannot repoint the login server", "PUT", "/pmapi/usersettings/login_url", `"https://evil.example"`, 403, `login_url\" is set in the shell's own Settings (its top bar) or --login-url`},
		{"nor under the container's alias", "PUT", "/pmapi/usersettings", `{"server_url":"https://evil.example"}`, 403, `server_url\" is set in`},
		{"nor in another letter case", "PUT", "/pmapi/usersettings/Login_URL", `"https://evil.example"`, 403, "the shell's own"},
		{"nor delete it", "DELETE", "/pmapi/usersettings/login_url", "", 403, "the shell's own"},
		{"nor move the redirect port", "PUT", "/pmapi/usersettings/redirect_port", `"8080"`, 403, "--redirect-port"},
		{"nor open installing to everyone", "PUT", "/pmapi/usersettings", `{"installer_role":""}`, 403, `installer_role\" is set in the settings file`},
		{"nor delete the installer role", "DELETE", "/pmapi/usersettings/installer_role", "", 403, "the shell's own"},
		{"nor change the client", "PUT", "/pmapi/usersettings/client_id", `"evil"`, 403, "the shell's own"},
		{"nor the fallback to offline", "PUT", "/pmapi/usersettings", `{"allow_offline_fallback":true}`, 403, "the shell's own"},
		// Issue 21.9: which claims are roles and which groups decides who
		// may sign {role:X} and {group:X}.
		{"nor say which claim holds the roles", "PUT", "/pmapi/usersettings/roles_claim", `"groups"`, 403, "the shell's own"},
		{"nor which claim holds the groups", "PUT", "/pmapi/usersettings", `{"groups_claim":"roles"}`, 403, "the shell's own"},
		{"nor delete the groups claim", "DELETE", "/pmapi/usersettings/Groups_Claim", "", 403, "the shell's own"},
		{"the login server is unchanged", "GET", "/pmapi/usersettings/login_url", "", 200, "idp.example"},
		{"a JSON error names no Go type", "PUT", "/pmapi/usersettings", `[1,2]`, 400, "not the JSON this service expects"},
		{"a page cannot move the signature store", "PUT", "/pmapi/usersettings/signature_store", `"postgres://evil.example/db"`, 403, "Settings or --store"},
		{"nor through a merge", "PUT", "/pmapi/usersettings", `{"Signature_Store":"postgres://evil.example/db"}`, 403, "Settings or --store"},
		{"nor delete the store", "DELETE", "/pmapi/usersettings/signature_store", "", 403, "Settings or --store"},
		{"an unknown service is 404", "GET", "/pmapi/nothing", "", 404, "error"},
		{"an escaped slash does not separate a path", "GET", "/pmapi/user%2Fname", "", 404, "no such service"},
		{"HEAD is answered where GET is", "HEAD", "/pmapi/version", "", 200, ""},
		{"a method a service lacks is 405", "PATCH", "/pmapi/user", "", 405, "use GET or POST or DELETE"},
	}
	e := newEnv(t, envOpt{signIn: user.Online})
	for _, s := range steps {
		got, body := e.send(s.method, s.path, s.body)
		if got != s.want || !strings.Contains(body, s.contains) {
			t.Errorf("%s: %s %s = %d %s; want %d containing %q", s.name, s.method, s.path, got, body, s.want, s.contains)
		}
	}
}

func TestOtherServicesAreForbiddenDuringAFlow(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOpt{signIn: user.Online})
	e.start("/pmapi/auth/setup")
	tests := []struct {
		method, path, body string
		want               int
	}{
		{"GET", "/pmapi/user", "", 403},
		{"GET", "/pmapi/usersettings", "", 403},
		{"GET", "/pmapi/connectivity", "", 403},
		{"POST", "/pmapi/window/pane?webapp=lineapp", "", 403},
		{"POST", "/pmapi/boot/restart", "", 403},
		{"PUT", "/pmapi/log", `{"level":"info","log":"still allowed"}`, 201},
		{"GET", "/pmapi/auth", "", 302},
	}
	for _, tt := range tests {
		if got, body := e.send(tt.method, tt.path, tt.body); got != tt.want {
			t.Errorf("%s %s during setup = %d %s, want %d", tt.method, tt.path, got, body, tt.want)
		}
	}
}

func TestLogIsRedacted(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	e := newEnvWithLog(t, envOpt{idp: &fakeIdP{}, vaultFor: "op"}, &buf)
	tok, done := e.start("/pmapi/auth")
	e.do("PUT", "/pmapi/auth/"+tok+"/authenticate?p=wrong-password-xyz")
	e.send("PUT", "/pmapi/log", `{"level":"info","log":"page saw http://pmapi/auth/`+tok+`/authenticate?p=right-password"}`)
	e.do("PUT", "/pmapi/auth/"+tok+"/authenticate?p=right-password")
	await(t, done)
	logs := buf.String()
	for _, secret := range []string{"wrong-password-xyz", "right-password", tok} {
		if strings.Contains(logs, secret) {
			t.Errorf("the log holds %q:\n%s", secret, logs)
		}
	}
	if !strings.Contains(logs, "request refused") {
		t.Errorf("the refused request was not logged at all:\n%s", logs)
	}
	var lines int
	for _, l := range strings.Split(strings.TrimSpace(logs), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(l), &m) == nil {
			lines++
		}
	}
	if lines == 0 {
		t.Error("no log lines captured")
	}
}

// TestUserAnswerFollowsEveryChange: GET /pmapi/user answers the bytes
// WriteJSON makes of the dictionary (it is encoded once per version, not
// per request), and every change of the dictionary — a page's POST or
// DELETE, a sign-in, a sign-out — is in the very next answer.
func TestUserAnswerFollowsEveryChange(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOpt{signIn: user.Online})
	want := func(step string) {
		t.Helper()
		var b bytes.Buffer
		enc := json.NewEncoder(&b) // what WriteJSON sends
		if err := enc.Encode(e.users.All()); err != nil {
			t.Fatal(err)
		}
		for range 2 { // the encoded answer, then the kept one
			if code, body := e.send("GET", "/pmapi/user", ""); code != 200 || body != b.String() {
				t.Errorf("%s: GET /pmapi/user = %d %q, want 200 %q", step, code, body, b.String())
			}
		}
	}
	want("signed in")
	if code, _ := e.send("POST", "/pmapi/user", `{"badge":"42","note":"<b>&"}`); code != 200 {
		t.Fatalf("POST /pmapi/user = %d", code)
	}
	want("after a page's POST")
	e.send("DELETE", "/pmapi/user", "")
	want("after a page's DELETE")
	e.users.SignIn(user.Profile{Username: "sam", Name: "Sam Supervisor"}, user.Offline)
	want("after another sign-in")
	e.users.SignOut()
	want("after the sign-out")
}
