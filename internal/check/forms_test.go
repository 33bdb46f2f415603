package check

import (
	"strings"
	"testing"
)

// TestFormRace pins the form-race rule (issue 23.5) by example: a form a
// person can send before the script that handles it has run, and the
// shapes that cannot be.
func TestFormRace(t *testing.T) {
	t.Parallel()
	const handler = `document.getElementById("f").addEventListener("submit", function (e) { e.preventDefault(); });`
	form := func(attrs, inside string) string {
		if inside == "" {
			inside = `<input name="p" type="password"><button>Sign in</button>`
		}
		return `<form id="f"` + attrs + `>` + inside + `</form>`
	}
	page := func(head, body string) string {
		return "<!doctype html>\n<html><head><title>t</title>" + head + "</head>\n<body>\n" + body + "\n</body></html>"
	}
	tests := []struct {
		name  string
		page  string
		files map[string]string // other files of the package
		want  string            // in the warning; "" for none
	}{
		{name: "a deferred script", page: page(`<script src="login.js" defer></script>`, form("", "")),
			files: map[string]string{"login.js": handler}, want: `line 4: the form "f" can be sent before the script that handles it has run: login.js runs only after the form is on the page`},
		{name: "a module script", page: page(`<script type="module" src="js/app.mjs"></script>`, form("", "")),
			files: map[string]string{"js/app.mjs": handler}, want: `js/app.mjs runs only after`},
		{name: "an async script", page: page(`<script async src="login.js"></script>`, form("", "")),
			files: map[string]string{"login.js": handler}, want: `login.js runs only after`},
		{name: "a script at the end of the page (the bundled offline page's race)", page: page("", form("", "")+`<script src="login.js"></script>`),
			files: map[string]string{"login.js": handler}, want: `to the page itself with what was typed in its address (a password too)`},
		{name: "an inline script after the form", page: page("", form("", "")+"<script>"+handler+"</script>"),
			want: `the inline script at line 4 runs only after`},
		{name: "a form posting elsewhere names where it goes", page: page("", form(` method="post" action="/login"`, "")+`<script src="login.js"></script>`),
			files: map[string]string{"login.js": handler}, want: `sends the form the browser's way, to "/login"`},
		{name: "a form without id or name", page: page("", `<form><input name="p"></form><script src="login.js"></script>`),
			files: map[string]string{"login.js": "addEventListener('submit', f)"}, want: `the form without id or name`},
		{name: "one text field and no button: Enter sends it", page: page("", form("", `<input name="p">`)+`<script src="login.js"></script>`),
			files: map[string]string{"login.js": handler}, want: `the form "f"`},

		{name: "the submit button disabled until the script enables it (the bundled offline page)",
			page:  page("", form("", `<input name="u"><input name="p" type="password"><button type="submit" disabled>Sign in</button>`)+`<script src="login.js"></script>`),
			files: map[string]string{"login.js": handler}},
		{name: "an onsubmit that stops it by itself", page: page("", form(` onsubmit="return false"`, "")+`<script src="login.js"></script>`),
			files: map[string]string{"login.js": handler}},
		{name: "an onsubmit that prevents the default", page: page("", form(` onsubmit="event.preventDefault()"`, "")+`<script src="login.js"></script>`),
			files: map[string]string{"login.js": handler}},
		{name: "an onsubmit that needs the late script does not stop it", page: page("", form(` onsubmit="return app.send(event)"`, "")+`<script src="login.js"></script>`),
			files: map[string]string{"login.js": handler}, want: `the form "f"`},
		{name: "a javascript: action", page: page("", form(` action="javascript:void 0"`, "")+`<script src="login.js"></script>`),
			files: map[string]string{"login.js": handler}},
		{name: "a classic script before the form handles it", page: page(`<script src="login.js"></script>`, form("", "")),
			files: map[string]string{"login.js": "document.addEventListener('submit', function (e) { e.preventDefault(); }, true);"}},
		{name: "two text fields and no button: Enter does nothing", page: page("", form("", `<input name="u"><input name="p" type="password">`)+`<script src="login.js"></script>`),
			files: map[string]string{"login.js": handler}},
		{name: "no script handles submitting: sent the browser's way on purpose", page: page(`<script src="menu.js" defer></script>`, form(` action="/search"`, "")),
			files: map[string]string{"menu.js": "document.body.classList.add('ready')"}},
		{name: "a script from elsewhere cannot be read", page: page(`<script defer src="https://cdn.example/login.js"></script>`, form("", ""))},
		{name: "a form in a comment is no form", page: page(`<script src="login.js" defer></script>`, "<!-- "+form("", "")+" -->"),
			files: map[string]string{"login.js": handler}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			texts := map[string][]byte{"login.html": []byte(tt.page)}
			for name, body := range tt.files {
				texts[name] = []byte(body)
			}
			var r Report
			r.checkForms("login.html", texts)
			if tt.want == "" {
				if len(r.Problems) != 0 {
					t.Errorf("warned: %v", r.Problems)
				}
				return
			}
			if len(r.Problems) != 1 {
				t.Fatalf("problems %v, want one warning", r.Problems)
			}
			p := r.Problems[0]
			if p.File != "login.html" || p.Rule != RuleFormRace || p.Severity != SeverityWarning || !strings.Contains(p.Message, tt.want) {
				t.Errorf("problem %+v, want a %s warning on login.html saying %q", p, RuleFormRace, tt.want)
			}
		})
	}
}

// TestFormRaceInCheck: the warning comes out of a whole check, on the page
// and not on its script, and the package still passes (a warning).
func TestFormRaceInCheck(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"webapp.json": `{"name":"app","version":"1.0","main":"index.html"}`,
		"index.html":  `<!doctype html><title>t</title><form id="login"><input name="p"><button>Go</button></form><script src="app.js"></script>`,
		"app.js":      `document.forms.login.onsubmit = function () { return false; };`,
	})
	r := Check(dir, Options{})
	if !r.OK() || len(r.Problems) != 1 || r.Problems[0].Rule != RuleFormRace || r.Problems[0].File != "index.html" ||
		!strings.Contains(r.Text(), `index.html: warning: form-race: line 1: the form "login" can be sent`) {
		t.Errorf("check:\n%s", r.Text())
	}
}
