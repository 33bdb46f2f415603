package app

import (
	"strings"
	"testing"

	"loginshell/internal/auth"
	"loginshell/internal/demoidp"
	"loginshell/internal/loginurl"
	"loginshell/internal/screen"
	"loginshell/internal/settings"
	"loginshell/internal/shell"
)

func TestConfigureResult(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		url  string
		want Result
	}{
		{"a refused address says the rule", "", Result{Error: loginurl.ErrInvalid.Error() + ": it is empty; " + loginurlRule(t)}},
		{"plain http off this machine says the rule", "http://example.com", Result{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ui, sh := newShell(t, false)
			got := ui.Configure(ui.token, tt.url)
			if got.OK || !strings.HasPrefix(got.Error, loginurl.ErrInvalid.Error()+": ") {
				t.Errorf("Configure(%q) = %+v, want the rule it breaks", tt.url, got)
			}
			if tt.want.Error != "" && got != tt.want {
				t.Errorf("Configure(%q) = %+v, want %+v", tt.url, got, tt.want)
			}
			if v := sh.Settings.String(settings.LoginURL); v != "" {
				t.Errorf("login_url = %q after a refused address", v)
			}
		})
	}
}

// loginurlRule is the rule loginurl appends to every refusal.
func loginurlRule(t *testing.T) string {
	t.Helper()
	_, err := loginurl.Parse("")
	text := err.Error()
	return text[strings.LastIndex(text, "; ")+2:]
}

// The window's error view sets the login server through the binding: a
// refused address leaves the form, a good one signs in at that provider.
func TestConfigureThroughBinding(t *testing.T) {
	t.Parallel()
	idp, err := demoidp.Start(demoidp.Options{Addr: "127.0.0.1:0", ClientID: shell.DefaultClientID})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { idp.Close() })
	ui, sh, rt := attached(t)
	before := mustView(t, ui)
	if before.Kind != screen.Error || !before.Configure {
		t.Fatalf("View() = %+v, want the error view offering the form", before)
	}
	r := ui.Configure(ui.token, "http://example.com")
	if r.OK || !strings.Contains(r.Error, "only on this machine") {
		t.Errorf("Configure(http://example.com) = %+v, want the http rule", r)
	}
	if got := sh.Settings.String(settings.LoginURL); got != "" {
		t.Errorf("login_url = %q after a refused address", got)
	}
	if r := ui.Configure(ui.token, idp.Issuer()); r != (Result{OK: true}) {
		t.Fatalf("Configure(%s) = %+v, want ok", idp.Issuer(), r)
	}
	v := waitView(t, rt.views, func(v screen.View) bool {
		return v.Seq > before.Seq && (v.Kind == screen.Navigate || v.Kind == screen.Error)
	})
	if v.Kind != screen.Navigate || !strings.HasPrefix(v.URL, idp.Issuer()) {
		t.Fatalf("view event = %+v, want the window sent to %s", v, idp.Issuer())
	}
	if r := ui.Configure(ui.token, "https://login.example.com"); r != (Result{Error: auth.ErrInProgress.Error()}) {
		t.Errorf("Configure during the sign-in = %+v, want the in-progress text", r)
	}
	if got := sh.Settings.String(settings.LoginURL); got != idp.Issuer() {
		t.Errorf("login_url = %q, want %q", got, idp.Issuer())
	}
}
