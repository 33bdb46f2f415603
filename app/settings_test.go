package app

import (
	"strings"
	"testing"

	"loginshell/internal/configure"
	"loginshell/internal/demoidp"
	"loginshell/internal/install"
	"loginshell/internal/screen"
	"loginshell/internal/settings"
	"loginshell/internal/shell"
	"loginshell/internal/user"
)

// The Settings place's bindings are the chrome's: a call without its
// token (what a hosted page could post blind on the window's channel)
// reads nothing and changes nothing.
func TestSettingsBindingsNeedTheToken(t *testing.T) {
	t.Parallel()
	ui, sh := newShell(t, false)
	if err := sh.Settings.Merge(map[string]any{settings.LoginURL: "https://login.example.com", settings.InstallerRole: "Supervisor"}); err != nil {
		t.Fatal(err)
	}
	for _, token := range []string{"", "forged", strings.ToUpper(ui.token)} {
		if v, err := ui.Settings(token); err != errToken || v != (configure.Values{}) {
			t.Errorf("Settings(%q) = %+v, %v; want nothing and the token refusal", token, v, err)
		}
		a := ui.SaveSettings(token, configure.Change{LoginURL: "https://evil.example", RedirectPort: "9", SignatureStore: "postgres://evil@evil.example/db"})
		if a.OK || a.Error != errToken.Error() {
			t.Errorf("SaveSettings(%q) = %+v, want the token refusal", token, a)
		}
	}
	if got := sh.Settings.String(settings.LoginURL); got != "https://login.example.com" {
		t.Errorf("login_url = %q after calls without the token", got)
	}
	if got := sh.Settings.Port(settings.RedirectPort); got != 0 {
		t.Errorf("redirect_port = %d after calls without the token", got)
	}
	if got := sh.Settings.String(settings.SignatureStore); got != "" {
		t.Errorf("signature_store = %q after calls without the token", got)
	}
	v, err := ui.Settings(ui.token)
	if err != nil || v.LoginURL != "https://login.example.com" || v.InstallerRole != "Supervisor" || v.StoreInUse == "" {
		t.Errorf("Settings(token) = %+v, %v", v, err)
	}
}

// Through the bindings, a refused address is shown beside its field, and a
// new login server signs in there at once, as the first-start form does.
func TestSaveSettingsThroughBinding(t *testing.T) {
	t.Parallel()
	idp, err := demoidp.Start(demoidp.Options{Addr: "127.0.0.1:0", ClientID: shell.DefaultClientID})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { idp.Close() })
	ui, sh, rt := attached(t)
	before := mustView(t, ui)
	a := ui.SaveSettings(ui.token, configure.Change{LoginURL: "login.example.com", RedirectPort: "8765"})
	if a.OK || a.Field != configure.FieldLoginURL || !strings.Contains(a.Error, "add https://") {
		t.Errorf("SaveSettings(no scheme) = %+v, want add https:// beside the login server", a)
	}
	a = ui.SaveSettings(ui.token, configure.Change{LoginURL: idp.Issuer(), RedirectPort: "70000"})
	if a.OK || a.Field != configure.FieldRedirectPort {
		t.Errorf("SaveSettings(bad port) = %+v, want the port refused", a)
	}
	if got := sh.Settings.String(settings.LoginURL); got != "" {
		t.Errorf("login_url = %q after refused changes", got)
	}
	a = ui.SaveSettings(ui.token, configure.Change{LoginURL: idp.Issuer()})
	if !a.OK || !strings.Contains(a.Message, "Signing in at the new login server") {
		t.Fatalf("SaveSettings(%s) = %+v, want ok", idp.Issuer(), a)
	}
	v := waitView(t, rt.views, func(v screen.View) bool {
		return v.Seq > before.Seq && (v.Kind == screen.Navigate || v.Kind == screen.Error)
	})
	if v.Kind != screen.Navigate || !strings.HasPrefix(v.URL, idp.Issuer()) {
		t.Fatalf("view event = %+v, want the window sent to %s", v, idp.Issuer())
	}
}

// The window asks the install rule before its file dialog opens: nobody
// signed in, or a person without installer_role's role, is told so and
// no dialog opens; the install service refuses a drop the same way.
func TestInstallNeedsAnInstaller(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name     string
		person   *user.Profile
		role     string
		wantText string
	}{
		{name: "nobody signed in", wantText: "Sign in first"},
		{name: "a person without the installer role", person: &user.Profile{Username: "operator", Roles: []string{"Operator"}},
			role: "Supervisor", wantText: `role "Supervisor"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ui, sh, rt := attached(t)
			if tt.person != nil {
				sh.Users.SignIn(*tt.person, user.Online)
			}
			if err := sh.Settings.Set(settings.InstallerRole, tt.role); err != nil {
				t.Fatal(err)
			}
			rt.mu.Lock()
			rt.dialogPath = goodZip(t)
			rt.mu.Unlock()
			for _, folder := range []bool{false, true} {
				r := ui.PickPackage(ui.token, folder)
				if r.Phase != install.PhaseRefused || !strings.Contains(r.Message, tt.wantText) {
					t.Errorf("PickPackage(folder %v) = %+v, want refused saying %q", folder, r, tt.wantText)
				}
			}
			ui.dropped([]string{goodZip(t)})
			if r := ui.InstallDrop(ui.token); r.Phase != install.PhaseRefused || !strings.Contains(r.Message, tt.wantText) {
				t.Errorf("InstallDrop = %+v, want refused saying %q", r, tt.wantText)
			}
			rt.mu.Lock()
			defer rt.mu.Unlock()
			if len(rt.dialogs)+len(rt.folderDialogs) != 0 {
				t.Errorf("%d dialogs opened for a person who may not install", len(rt.dialogs)+len(rt.folderDialogs))
			}
			if v := sh.Screen.Current(); v.User != nil && v.User.MayInstall {
				t.Errorf("the view offers installing: %+v", v.User)
			}
		})
	}
}
