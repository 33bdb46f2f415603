package shell_test

import (
	"context"
	"errors"
	"iter"
	"strings"
	"testing"

	"loginshell/internal/audit"
	"loginshell/internal/configure"
	"loginshell/internal/online"
	"loginshell/internal/screen"
	"loginshell/internal/settings"
	"loginshell/internal/shell"
	"loginshell/internal/shell/shelltest"
	"loginshell/internal/user"
)

// TestEveryChangeOfTheLoginServerIsInTheTrail: each way the shell changes
// login_url writes one entry of event setting saying from what to what,
// through what, by whom and at which station; saving the same value again
// writes none; the trail still verifies, and an edited setting entry
// breaks it.
func TestEveryChangeOfTheLoginServerIsInTheTrail(t *testing.T) {
	t.Parallel()
	olga := user.Profile{Username: "olga", Name: "Olga Operator", Roles: []string{"Operator"}}
	for _, tc := range []struct {
		name       string
		flag       string // --login-url at start
		before     string // login_url already in settings.json, and in the trail
		edited     string // login_url written into settings.json by hand since
		unnoted    bool   // before was never in the trail (an older installation)
		signedIn   bool
		change     func(*shell.Shell) error
		wantDetail string // "" for no entry
		wantActor  string // a prefix
	}{
		{name: "the command line", flag: "https://idp.example/new", before: "https://idp.example/old",
			wantDetail: `login_url changed from "https://idp.example/old" to "https://idp.example/new" through the command line (--login-url)`, wantActor: "os:"},
		{name: "the command line with the value already set", flag: "https://idp.example/old", before: "https://idp.example/old"},
		{name: "settings.json edited by hand between two starts", before: "https://idp.example/old", edited: "https://idp.example/hand",
			wantDetail: `login_url changed from "https://idp.example/old" to "https://idp.example/hand" through the settings file, edited outside the shell or not yet in the audit trail`,
			wantActor:  "os:"},
		{name: "settings.json cleared by hand", before: "https://idp.example/old", edited: "-",
			wantDetail: `login_url "https://idp.example/old" cleared through the settings file, edited outside the shell or not yet in the audit trail`,
			wantActor:  "os:"},
		{name: "an installation that never recorded its login server", before: "https://idp.example/old", unnoted: true,
			wantDetail: `login_url is "https://idp.example/old" in the settings file as the shell found it, with no record of it before`,
			wantActor:  "os:"},
		{name: "the first start's form", change: func(sh *shell.Shell) error { return sh.Boot.SetLoginServer("https://idp.example/new") },
			wantDetail: `login_url set to "https://idp.example/new" (none before) through the first start's form`, wantActor: "os:"},
		{name: "the sign-in error's form", before: "https://wrong.example",
			change:     func(sh *shell.Shell) error { return sh.Boot.SetLoginServer("https://idp.example/new") },
			wantDetail: `login_url changed from "https://wrong.example" to "https://idp.example/new" through the sign-in error's login-server form`, wantActor: "os:"},
		{name: "the Settings place, by the person signed in", before: "https://idp.example/old", signedIn: true,
			change: func(sh *shell.Shell) error {
				_, err := sh.Configure.Save(configure.Change{LoginURL: "https://idp.example/new"})
				return err
			},
			wantDetail: `login_url changed from "https://idp.example/old" to "https://idp.example/new" through the Settings place`,
			wantActor:  "olga (Olga Operator)"},
		{name: "the Settings place with the login server unchanged", before: "https://idp.example/old", signedIn: true,
			change: func(sh *shell.Shell) error {
				_, err := sh.Configure.Save(configure.Change{LoginURL: "https://idp.example/old", RedirectPort: "8765"})
				return err
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			if tc.before != "" {
				st, err := settings.Open(dir + "/settings.json")
				if err != nil {
					t.Fatal(err)
				}
				if err := st.Set(settings.LoginURL, tc.before); err != nil {
					t.Fatal(err)
				}
				if !tc.unnoted {
					// As a shell that wrote it to its trail leaves it.
					if err := st.Noted(settings.Change{Key: settings.LoginURL, New: tc.before}); err != nil {
						t.Fatal(err)
					}
				}
				switch tc.edited {
				case "":
				case "-":
					if err := st.Delete(settings.LoginURL); err != nil {
						t.Fatal(err)
					}
				default:
					if err := st.Set(settings.LoginURL, tc.edited); err != nil {
						t.Fatal(err)
					}
				}
			}
			sh := buildWith(t, shell.Config{DataDir: dir, LoginURL: tc.flag})
			if tc.signedIn {
				sh.Users.SignIn(olga, user.Online)
			}
			if tc.change != nil {
				if err := tc.change(sh); err != nil {
					t.Fatal(err)
				}
			}
			entries := trail(t, sh)
			var got []audit.Entry
			for _, e := range entries {
				if e.Event == audit.EventSetting {
					got = append(got, e)
				}
			}
			switch {
			case tc.wantDetail == "" && len(got) != 0:
				t.Fatalf("the trail holds %d setting entries, want none: %+v", len(got), got)
			case tc.wantDetail == "":
			case len(got) != 1:
				t.Fatalf("the trail holds %d setting entries, want one: %+v", len(got), got)
			default:
				e := got[0]
				if e.Detail != tc.wantDetail || !strings.HasPrefix(e.Actor, tc.wantActor) || e.Station != "test-station" {
					t.Errorf("entry = detail %q actor %q station %q\nwant detail %q actor %q… station test-station", e.Detail, e.Actor, e.Station, tc.wantDetail, tc.wantActor)
				}
			}
			if err := audit.Verify(seq(entries)); err != nil {
				t.Fatalf("audit verify: %v", err)
			}
			for i, e := range entries {
				if e.Event != audit.EventSetting {
					continue
				}
				edited := append([]audit.Entry(nil), entries...)
				edited[i].Detail = strings.Replace(e.Detail, "idp.example", "evil.example", -1)
				if err := audit.Verify(seq(edited)); !errors.Is(err, audit.ErrBroken) {
					t.Errorf("audit verify of a trail whose setting entry #%d was edited = %v, want %v", e.Seq, err, audit.ErrBroken)
				}
			}
		})
	}
}

// TestTheDemoSaysItChangedTheLoginServer: --demo points login_url and
// client_id at its own provider, each change in the trail.
func TestTheDemoSaysItChangedTheLoginServer(t *testing.T) {
	t.Parallel()
	sh := buildDemo(t, t.TempDir())
	defer sh.Close()
	var details []string
	for _, e := range trail(t, sh) {
		if e.Event == audit.EventSetting {
			details = append(details, e.Detail)
		}
	}
	if len(details) != 2 || !strings.HasPrefix(details[0], "login_url set to") || !strings.HasPrefix(details[1], "client_id set to") ||
		!strings.HasSuffix(details[1], "through the command line (--demo)") {
		t.Errorf("setting entries = %q, want login_url's and client_id's through the command line (--demo)", details)
	}
}

// buildWith builds the shell of c as the window does, closed when the
// test ends.
func buildWith(t *testing.T, c shell.Config) *shell.Shell {
	t.Helper()
	c.Station, c.KeychainParams, c.InsecureAllowWeakParams = "test-station", shelltest.CheapParams, true
	c.SignIn = func(*screen.Screen, *settings.Store) (online.ProviderOptions, error) {
		return online.ProviderOptions{Open: func(context.Context, string) error { return nil }}, nil
	}
	sh, err := shell.Build(c)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sh.Close)
	return sh
}

// trail reads every entry of sh's audit trail.
func trail(t *testing.T, sh *shell.Shell) []audit.Entry {
	t.Helper()
	sh.SettingsWritten()
	var out []audit.Entry
	if err := sh.Store.AuditEntries(context.Background(), func(e audit.Entry) error { out = append(out, e); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

// seq is entries as audit.Verify reads them.
func seq(entries []audit.Entry) iter.Seq2[audit.Entry, error] {
	return func(yield func(audit.Entry, error) bool) {
		for _, e := range entries {
			if !yield(e, nil) {
				return
			}
		}
	}
}
