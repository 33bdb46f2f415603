package configure

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"loginshell/internal/fault"
	"loginshell/internal/install"
	"loginshell/internal/loginurl"
	"loginshell/internal/settings"
	"loginshell/internal/user"
)

// fakes of the place's boundaries: who is signed in, whether a sign-in
// runs, and what the boot sequence was asked to do.
type fakeAuth struct{ running bool }

func (a fakeAuth) InProgress() bool { return a.running }

type fakeUsers struct {
	signedIn bool
	roles    []string
}

func (u fakeUsers) Current() (user.Profile, user.Method, bool) {
	if !u.signedIn {
		return user.Profile{}, "", false
	}
	return user.Profile{Username: "operator", Roles: u.roles}, user.Online, true
}

type fakeBoot struct {
	mu     sync.Mutex
	called []string
}

func (b *fakeBoot) Start(context.Context) { b.record("start") }
func (b *fakeBoot) Restart()              { b.record("restart") }
func (b *fakeBoot) record(what string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.called = append(b.called, what)
}

// place returns a Place over a settings file holding start.
func place(t *testing.T, start map[string]any, running, signedIn bool) (*Place, string, *fakeBoot) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "settings.json")
	st, err := settings.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Merge(start); err != nil {
		t.Fatal(err)
	}
	b := &fakeBoot{}
	p, err := New(options(st, fakeAuth{running}, fakeUsers{signedIn: signedIn}, b, false))
	if err != nil {
		t.Fatal(err)
	}
	return p, path, b
}

// options are a Place's over st whose Permit is the shell's rule
// (install.Permit over users and the installer_role setting); before
// says whether someone has signed in at the station.
func options(st *settings.Store, a Auth, u fakeUsers, b Boot, before bool) Options {
	permit := install.Permit(func() (string, []string, bool) {
		p, _, ok := u.Current()
		return p.Username, p.Roles, ok
	}, func() string { return st.String(settings.InstallerRole) })
	return Options{Settings: st, Auth: a, Users: u, Boot: b, StoreInUse: "signatures.db in /data", Permit: permit,
		SignedInBefore: func() bool { return before }}
}

func TestNewRefusesMissingCollaborators(t *testing.T) {
	t.Parallel()
	st, _ := settings.Open("")
	if _, err := New(Options{Settings: st, Auth: fakeAuth{}, Users: fakeUsers{}}); err == nil {
		t.Error("New accepted a missing Boot")
	}
	if _, err := New(Options{Settings: st, Auth: fakeAuth{}, Users: fakeUsers{}, Boot: &fakeBoot{}}); err == nil {
		t.Error("New accepted a missing Permit")
	}
	if _, err := New(Options{Auth: fakeAuth{}, Users: fakeUsers{}, Boot: &fakeBoot{}}); err == nil {
		t.Error("New accepted missing Settings")
	}
}

func TestCurrent(t *testing.T) {
	t.Parallel()
	p, _, _ := place(t, map[string]any{"login_url": "https://login.example.com", "redirect_port": "8765",
		"signature_store": "postgres://shell@db.plant/signatures", "installer_role": "Supervisor"}, false, false)
	want := Values{LoginURL: "https://login.example.com", RedirectPort: 8765, SignatureStore: "postgres://shell@db.plant/signatures",
		StoreInUse: "signatures.db in /data", InstallerRole: "Supervisor"}
	if got := p.Current(); got != want {
		t.Errorf("Current() = %+v, want %+v", got, want)
	}
}

// TestSave: every field is checked with the rule its key has everywhere
// (the command line's, the first-start form's), a refusal names the field
// and stores nothing, and each change says in words when it takes effect.
func TestSave(t *testing.T) {
	t.Parallel()
	const old = "https://old.example.com"
	start := map[string]any{"login_url": old, "redirect_port": float64(8765)}
	tests := []struct {
		name      string
		change    Change
		running   bool // a sign-in runs
		signedIn  bool
		wantField string
		wantErr   error
		wantText  string // in the refusal, or in the message
		wantBoot  []string
		want      Values // what is stored afterwards (StoreInUse aside)
	}{
		{name: "nothing changed", change: Change{LoginURL: old, RedirectPort: "8765"},
			wantText: "Nothing changed.", want: Values{LoginURL: old, RedirectPort: 8765}},
		{name: "a new login server signs in there at once", change: Change{LoginURL: " https://login.example.com ", RedirectPort: "8765"},
			wantText: "Signing in at the new login server", wantBoot: []string{"start"}, want: Values{LoginURL: "https://login.example.com", RedirectPort: 8765}},
		{name: "a new login server signs the signed-in person out, then in there", signedIn: true,
			change: Change{LoginURL: "https://login.example.com", RedirectPort: "8765"}, wantText: "You were signed out",
			wantBoot: []string{"restart"}, want: Values{LoginURL: "https://login.example.com", RedirectPort: 8765}},
		{name: "an address without https:// says add https://", change: Change{LoginURL: "login.example.com", RedirectPort: "1"},
			wantField: FieldLoginURL, wantErr: loginurl.ErrInvalid, wantText: "add https://", want: Values{LoginURL: old, RedirectPort: 8765}},
		{name: "plain http off this machine is refused", change: Change{LoginURL: "http://login.example.com"},
			wantField: FieldLoginURL, wantErr: loginurl.ErrInvalid, wantText: "only on this machine", want: Values{LoginURL: old, RedirectPort: 8765}},
		{name: "clearing the login server is refused as on the first-start form", change: Change{LoginURL: "  "},
			wantField: FieldLoginURL, wantErr: loginurl.ErrInvalid, wantText: "it is empty", want: Values{LoginURL: old, RedirectPort: 8765}},
		{name: "a new login server waits for a running sign-in", running: true, change: Change{LoginURL: "https://login.example.com", RedirectPort: "8765"},
			wantField: FieldLoginURL, wantErr: ErrSignInRunning, wantText: "cancel it", want: Values{LoginURL: old, RedirectPort: 8765}},
		{name: "a running sign-in does not stop a new redirect port", running: true, change: Change{LoginURL: old, RedirectPort: "9000"},
			wantText: "from the next sign-in", want: Values{LoginURL: old, RedirectPort: 9000}},
		{name: "an empty redirect port is a random one", change: Change{LoginURL: old},
			wantText: "redirect port", want: Values{LoginURL: old}},
		{name: "a redirect port that is no port is refused", change: Change{LoginURL: "https://login.example.com", RedirectPort: "80000"},
			wantField: FieldRedirectPort, wantErr: settings.ErrInvalid, wantText: "from 1 to 65535", want: Values{LoginURL: old, RedirectPort: 8765}},
		{name: "a redirect port in words is refused", change: Change{LoginURL: old, RedirectPort: "eighty"},
			wantField: FieldRedirectPort, wantErr: settings.ErrInvalid, wantText: "port number", want: Values{LoginURL: old, RedirectPort: 8765}},
		{name: "a PostgreSQL store is used at the next start", change: Change{LoginURL: old, RedirectPort: "8765", SignatureStore: "postgres://shell@db.plant/signatures"},
			wantText: "when loginshell starts again", want: Values{LoginURL: old, RedirectPort: 8765, SignatureStore: "postgres://shell@db.plant/signatures"}},
		{name: "a store with a password is refused", change: Change{LoginURL: old, RedirectPort: "8765", SignatureStore: "postgres://shell:hunter2@db.plant/signatures"},
			wantField: FieldSignatureStore, wantErr: settings.ErrInvalid, wantText: "~/.pgpass", want: Values{LoginURL: old, RedirectPort: 8765}},
		{name: "a store that is no DSN is refused", change: Change{LoginURL: old, RedirectPort: "8765", SignatureStore: "mysql://db"},
			wantField: FieldSignatureStore, wantErr: settings.ErrInvalid, wantText: "PostgreSQL", want: Values{LoginURL: old, RedirectPort: 8765}},
		{name: "every change at once says each", change: Change{LoginURL: "https://login.example.com", RedirectPort: "", SignatureStore: "host=db.plant dbname=sig"},
			wantText: "Saved. Signing in at the new login server… The redirect port is used from the next sign-in. The signature store is used when loginshell starts again.",
			wantBoot: []string{"start"}, want: Values{LoginURL: "https://login.example.com", SignatureStore: "host=db.plant dbname=sig"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, path, b := place(t, start, tt.running, tt.signedIn)
			saved, err := p.Save(tt.change)
			if !errors.Is(err, tt.wantErr) || (err == nil) != (tt.wantErr == nil) {
				t.Fatalf("Save = %+v, %v; want %v", saved, err, tt.wantErr)
			}
			var fe *FieldError
			if tt.wantErr != nil && (!errors.As(err, &fe) || fe.Field != tt.wantField) {
				t.Errorf("Save's refusal %v names field %+v, want %q", err, fe, tt.wantField)
			}
			text := saved.Message
			if err != nil {
				text = fault.Text(err)
			}
			if !strings.Contains(text, tt.wantText) {
				t.Errorf("Save says %q, want it to say %q", text, tt.wantText)
			}
			if tt.change.SignatureStore != "" && strings.Contains(text, "hunter2") {
				t.Errorf("the refusal repeats the password: %q", text)
			}
			got := p.Current()
			got.StoreInUse = ""
			if got != tt.want {
				t.Errorf("stored %+v, want %+v", got, tt.want)
			}
			again, err := settings.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			if again.String(settings.LoginURL) != tt.want.LoginURL || again.Port(settings.RedirectPort) != tt.want.RedirectPort {
				t.Errorf("on disk: login_url %q, redirect_port %d; want %+v", again.String(settings.LoginURL), again.Port(settings.RedirectPort), tt.want)
			}
			b.mu.Lock()
			defer b.mu.Unlock()
			if strings.Join(b.called, ",") != strings.Join(tt.wantBoot, ",") {
				t.Errorf("boot was asked to %v, want %v", b.called, tt.wantBoot)
			}
		})
	}
}

// TestWhoMayChange: once someone has signed in at the station, a change
// needs a signed-in person who may install packages; before, whoever is
// at it may (the first start). A refusal says why and what to do, names
// no field, and stores nothing; "Nothing changed." is never refused.
func TestWhoMayChange(t *testing.T) {
	t.Parallel()
	const old = "https://old.example.com"
	newServer := Change{LoginURL: "https://login.example.com"}
	tests := []struct {
		name     string
		before   bool // someone has signed in at this station
		role     string
		users    fakeUsers
		change   Change
		wantErr  error
		wantText string
	}{
		{name: "a station nobody has signed in at: whoever is at it", change: newServer},
		{name: "nobody signed in, after someone has", before: true, change: newServer,
			wantErr: ErrSignInFirst, wantText: "correct it in the form the sign-in error shows"},
		{name: "nobody signed in, nothing changed", before: true, change: Change{LoginURL: old}, wantText: "Nothing changed."},
		{name: "a signed-in person, no installer role set", before: true, users: fakeUsers{signedIn: true}, change: newServer},
		{name: "a signed-in person without the installer role", before: true, role: "Supervisor",
			users: fakeUsers{signedIn: true, roles: []string{"Operator"}}, change: Change{LoginURL: old, RedirectPort: "9000"},
			wantErr: ErrNotPermitted, wantText: `role "Supervisor" (the installer_role setting), and operator does not have it`},
		{name: "a signed-in person with the installer role", before: true, role: "Supervisor",
			users: fakeUsers{signedIn: true, roles: []string{"supervisor"}}, change: Change{LoginURL: old, SignatureStore: "host=db dbname=sig"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			st, err := settings.Open("")
			if err != nil {
				t.Fatal(err)
			}
			if err := st.Merge(map[string]any{"login_url": old, "installer_role": tt.role}); err != nil {
				t.Fatal(err)
			}
			p, err := New(options(st, fakeAuth{}, tt.users, &fakeBoot{}, tt.before))
			if err != nil {
				t.Fatal(err)
			}
			saved, err := p.Save(tt.change)
			if !errors.Is(err, tt.wantErr) || (err == nil) != (tt.wantErr == nil) {
				t.Fatalf("Save = %+v, %v; want %v", saved, err, tt.wantErr)
			}
			if err != nil {
				if fault.KindOf(err) != fault.Forbidden || !strings.Contains(fault.Text(err), tt.wantText) {
					t.Errorf("refusal %v (%v) says %q, want Forbidden saying %q", err, fault.KindOf(err), fault.Text(err), tt.wantText)
				}
				if a := Reply(saved, err, slog.New(slog.DiscardHandler)); a.Field != "" {
					t.Errorf("the refusal names field %q, want none", a.Field)
				}
				if got := p.Current(); got.LoginURL != old || got.RedirectPort != 0 || got.SignatureStore != "" {
					t.Errorf("a refused change stored %+v", got)
				}
			} else if tt.wantText != "" && saved.Message != tt.wantText {
				t.Errorf("Save says %q, want %q", saved.Message, tt.wantText)
			}
		})
	}
}

// TestReply: the answer names the field at fault and never shows an
// internal cause.
func TestReply(t *testing.T) {
	t.Parallel()
	log := slog.New(slog.DiscardHandler)
	if a := Reply(Saved{Message: "Nothing changed."}, nil, log); a != (Answer{OK: true, Message: "Nothing changed."}) {
		t.Errorf("Reply(ok) = %+v", a)
	}
	_, perr := loginurl.Parse("login.example.com")
	if a := Reply(Saved{}, &FieldError{FieldLoginURL, perr}, log); a.OK || a.Field != FieldLoginURL || a.Error != fault.Text(perr) {
		t.Errorf("Reply(field error) = %+v", a)
	}
	if a := Reply(Saved{}, errors.New("open /data/settings.json: disk full"), log); a.OK || a.Field != "" || a.Error != msgSaveFailure {
		t.Errorf("Reply(internal) = %+v, want the internal error's words, not its cause", a)
	}
}
