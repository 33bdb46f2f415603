package boot_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"loginshell/internal/auth"
	"loginshell/internal/boot"
	"loginshell/internal/fault"
	"loginshell/internal/screen"
	"loginshell/internal/settings"
	"loginshell/internal/user"
	"loginshell/internal/webapps"
)

const starterPage = "/webapps/lineapp/index.html"

// The first online sign-in sets up the offline password, then shows the
// starter app.
func TestRunFirstSignInSetsUpOfflinePassword(t *testing.T) {
	t.Parallel()
	e := newEnv(t, &fakeOnline{configured: true})
	done := e.run()
	path, token, username := e.waitPage(t, done)
	if path != "/webapps/offline-login/setup.html" || username != "alice" || token == "" {
		t.Fatalf("page %s t=%q u=%q, want the setup page for alice", path, token, username)
	}
	if v := e.screen.Current(); !v.Auth || v.Kind != screen.Page {
		t.Errorf("screen = %+v, want the setup page as an auth page", v)
	}
	if err := e.auth.CompleteSetup(token, goodPassword); err != nil {
		t.Fatalf("CompleteSetup: %v", err)
	}
	<-done
	v := e.screen.Current()
	if v.Kind != screen.Page || v.URL != starterPage || v.Auth {
		t.Errorf("screen = %+v, want the starter app %s", v, starterPage)
	}
	if v.User == nil || v.User.Username != "alice" {
		t.Errorf("status bar user = %+v, want alice", v.User)
	}
	if !e.kc.Exists("alice") {
		t.Error("no vault after setup")
	}
}

func TestRunWithVaultGoesStraightToStarter(t *testing.T) {
	t.Parallel()
	e := newEnv(t, &fakeOnline{configured: true})
	if err := e.kc.Create("alice", goodPassword, aliceProfile()); err != nil {
		t.Fatal(err)
	}
	<-e.run()
	if v := e.screen.Current(); v.Kind != screen.Page || v.URL != starterPage {
		t.Errorf("screen = %+v, want the starter app", v)
	}
	if n := len(e.shown); n != 0 {
		t.Errorf("%d auth pages shown, want none", n)
	}
}

// A skipped setup is not fatal: the user still gets the starter app.
func TestRunCancelledSetupStillShowsStarter(t *testing.T) {
	t.Parallel()
	e := newEnv(t, &fakeOnline{configured: true})
	done := e.run()
	e.waitPage(t, done)
	if err := e.auth.Cancel(); err != nil {
		t.Fatal(err)
	}
	<-done
	if v := e.screen.Current(); v.Kind != screen.Page || v.URL != starterPage {
		t.Errorf("screen = %+v, want the starter app", v)
	}
}

func TestRunLoginErrorShowsError(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		online        *fakeOnline
		wantErr       error
		wantConfigure bool // the view offers to set the login server
		wantHeading   string
	}{
		{"no login server and no vault shows the settings hint and the form", &fakeOnline{}, auth.ErrNotConfigured, true, "Connect this computer to your login server"},
		{"a refused online login says sign-in did not work", &fakeOnline{configured: true, answers: []error{errors.New("denied")}}, auth.ErrFailed, false, "Sign-in did not work"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, tt.online)
			<-e.run()
			v := e.screen.Current()
			// One next action: a button, or the login server form alone.
			if v.Kind != screen.Error || v.Configure != tt.wantConfigure || v.Heading != tt.wantHeading || (v.Action == "" && !v.Configure) {
				t.Fatalf("screen = %+v, want an error %q with configure %v and an action", v, tt.wantHeading, tt.wantConfigure)
			}
			if _, err := e.auth.Login(context.Background()); !errors.Is(err, tt.wantErr) { // the same refusal
				t.Errorf("Login = %v, want %v", err, tt.wantErr)
			}
		})
	}
}

func TestRestartSignsOutAndRunsAgain(t *testing.T) {
	t.Parallel()
	// The second login fails, so the restart's sign-out stays visible.
	e := newEnv(t, &fakeOnline{configured: true, answers: []error{nil, errors.New("denied")}})
	if err := e.kc.Create("alice", goodPassword, aliceProfile()); err != nil {
		t.Fatal(err)
	}
	<-e.run()
	if _, m, ok := e.users.Current(); !ok || m != user.Online {
		t.Fatalf("not signed in online after the first run")
	}
	e.seq.Restart()
	e.seq.Wait()
	logins, logouts := e.online.counts()
	if logins != 2 || logouts != 1 {
		t.Errorf("logins = %d, logouts = %d; want 2 and 1", logins, logouts)
	}
	if p, _, ok := e.users.Current(); ok {
		t.Errorf("still signed in as %+v after Restart", p)
	}
	if v := e.screen.Current(); v.Kind != screen.Error || !strings.HasPrefix(strings.ToLower(v.Message), auth.ErrFailed.Error()) {
		t.Errorf("screen = %+v, want the second login's error", v)
	}
}

func TestShowApp(t *testing.T) {
	t.Parallel()
	e := newEnv(t, &fakeOnline{})
	if err := e.seq.ShowApp("nosuch"); !errors.Is(err, webapps.ErrUnknownApp) {
		t.Errorf("ShowApp(nosuch) = %v, want ErrUnknownApp", err)
	}
	if err := e.seq.ShowApp("lineapp"); err != nil {
		t.Fatal(err)
	}
	if v := e.screen.Current(); v.URL != starterPage || v.Title != "Line 4 — Release station" {
		t.Errorf("screen = %+v, want lineapp", v)
	}
}

func TestMessage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		err   error
		shown bool
	}{
		{"not configured is shown as written", auth.ErrNotConfigured, true},
		{"a refined failure is shown as written", fault.Detail(auth.ErrFailed, "the login server refused the sign-in"), true},
		{"a cancel is shown as written", auth.ErrCancelled, true},
		{"an internal error is hidden", fmt.Errorf("read /secret/path: %w", io.ErrUnexpectedEOF), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := boot.Message(tt.err)
			if (got == tt.err.Error()) != tt.shown {
				t.Errorf("Message = %q, shown = %v", got, tt.shown)
			}
		})
	}
}

func TestNewRefusesMissingEngines(t *testing.T) {
	t.Parallel()
	e := newEnv(t, &fakeOnline{})
	st, err := settings.Open("")
	if err != nil {
		t.Fatal(err)
	}
	full := func() boot.Options {
		return boot.Options{Auth: e.auth, Screen: e.screen, Apps: samplePackages(t), Vault: e.kc, Users: e.users, Settings: st}
	}
	if _, err := boot.New(full()); err != nil {
		t.Fatalf("New with every engine: %v", err)
	}
	tests := []struct {
		name string
		drop func(*boot.Options)
	}{
		{"without auth", func(o *boot.Options) { o.Auth = nil }},
		{"without a screen", func(o *boot.Options) { o.Screen = nil }},
		{"without packages", func(o *boot.Options) { o.Apps = nil }},
		{"without a vault", func(o *boot.Options) { o.Vault = nil }},
		{"without users", func(o *boot.Options) { o.Users = nil }},
		{"without settings", func(o *boot.Options) { o.Settings = nil }},
	}
	for _, tt := range tests {
		t.Run("New refuses "+tt.name, func(t *testing.T) {
			t.Parallel()
			o := full()
			tt.drop(&o)
			if s, err := boot.New(o); err == nil || s != nil {
				t.Errorf("New = %v, %v; want an error", s, err)
			}
		})
	}
}

// A restart while the first-time setup page is shown (the chrome's
// Logout) must not end on the starter app with nobody signed in: the
// sequence starts over and signs in again.
func TestRestartDuringSetupStartsOver(t *testing.T) {
	t.Parallel()
	// The second login fails, so the end state is unambiguous.
	e := newEnv(t, &fakeOnline{configured: true, answers: []error{nil, errors.New("denied")}})
	done := e.run()
	e.waitPage(t, done)
	e.seq.Restart()
	<-done
	e.seq.Wait()
	if logins, _ := e.online.counts(); logins != 2 {
		t.Errorf("logins = %d, want 2: the restart did not sign in again", logins)
	}
	if p, _, ok := e.users.Current(); ok {
		t.Errorf("signed in as %+v, want nobody", p)
	}
	if v := e.screen.Current(); v.Kind != screen.Error {
		t.Errorf("screen = %+v, want the second login's error", v)
	}
}
