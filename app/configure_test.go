package app

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"loginshell/internal/auth"
	"loginshell/internal/demoidp"
	"loginshell/internal/loginurl"
	"loginshell/internal/screen"
	"loginshell/internal/settings"
	"loginshell/internal/shell"
)

// stubConfigurer answers err to every Configure.
type stubConfigurer struct{ err error }

func (s stubConfigurer) Configure(string) error { return s.err }

func TestConfigureResult(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		c    Configurer // nil: SetConfigurer is not called
		want Result
	}{
		{"without a configurer the window says how else to set it", nil, Result{Error: msgNoConfigure}},
		{"an applied address is ok", stubConfigurer{}, Result{OK: true}},
		{"a refused address says the rule", stubConfigurer{fmt.Errorf("%w: it is empty", loginurl.ErrInvalid)},
			Result{Error: loginurl.ErrInvalid.Error() + ": it is empty"}},
		{"a running sign-in says so", stubConfigurer{auth.ErrInProgress}, Result{Error: auth.ErrInProgress.Error()}},
		{"a storage error is hidden", stubConfigurer{errors.New("store login_url: rename /secret/settings.json: disk full")},
			Result{Error: "internal error in the shell; see its log"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ui, _ := newShell(t, false)
			if tt.c != nil {
				ui.SetConfigurer(tt.c)
			}
			if got := ui.Configure("https://login.example.com"); got != tt.want {
				t.Errorf("Configure = %+v, want %+v", got, tt.want)
			}
		})
	}
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
	sh.Online.Open = ui.OpenEmbedded
	ui.SetConfigurer(sh)
	before := ui.View()
	if before.Kind != screen.Error || !before.Configure {
		t.Fatalf("View() = %+v, want the error view offering the form", before)
	}
	r := ui.Configure("http://example.com")
	if r.OK || !strings.Contains(r.Error, "only on this machine") {
		t.Errorf("Configure(http://example.com) = %+v, want the http rule", r)
	}
	if got := sh.Settings.String(settings.LoginURL); got != "" {
		t.Errorf("login_url = %q after a refused address", got)
	}
	if r := ui.Configure(idp.Issuer()); r != (Result{OK: true}) {
		t.Fatalf("Configure(%s) = %+v, want ok", idp.Issuer(), r)
	}
	v := waitView(t, rt.views, func(v screen.View) bool {
		return v.Seq > before.Seq && (v.Kind == screen.Navigate || v.Kind == screen.Error)
	})
	if v.Kind != screen.Navigate || !strings.HasPrefix(v.URL, idp.Issuer()) {
		t.Fatalf("view event = %+v, want the window sent to %s", v, idp.Issuer())
	}
	if r := ui.Configure("https://login.example.com"); r != (Result{Error: auth.ErrInProgress.Error()}) {
		t.Errorf("Configure during the sign-in = %+v, want the in-progress text", r)
	}
	if got := sh.Settings.String(settings.LoginURL); got != idp.Issuer() {
		t.Errorf("login_url = %q, want %q", got, idp.Issuer())
	}
}
