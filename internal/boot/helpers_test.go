package boot_test

import (
	"context"
	"log/slog"
	"net/url"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"loginshell/internal/auth"
	"loginshell/internal/boot"
	"loginshell/internal/keychain"
	"loginshell/internal/samples"
	"loginshell/internal/screen"
	"loginshell/internal/settings"
	"loginshell/internal/user"
	"loginshell/internal/webapps"
)

var cheapParams = keychain.Params{Time: 1, MemoryKiB: 64, Threads: 1}

const goodPassword = "correct horse battery"

func aliceProfile() user.Profile {
	return user.Profile{Username: "alice", Name: "Alice Martin", Roles: []string{"operator"},
		AuthenticatedAt: time.Date(2025, 3, 4, 7, 59, 0, 0, time.UTC)}
}

// fakeOnline is the identity provider: each Login takes the next answer
// (the last one repeats).
type fakeOnline struct {
	configured bool

	mu      sync.Mutex
	answers []error // nil: alice signs in
	logins  int
	logouts int
}

func (f *fakeOnline) Configured() bool           { return f.configured }
func (f *fakeOnline) Check(context.Context) bool { return f.configured }

func (f *fakeOnline) Login(context.Context) (user.Profile, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	i := min(f.logins, len(f.answers)-1)
	f.logins++
	if i >= 0 && f.answers[i] != nil {
		return user.Profile{}, f.answers[i]
	}
	return aliceProfile(), nil
}

func (f *fakeOnline) Logout(context.Context) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.logouts++
}

func (f *fakeOnline) counts() (int, int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.logins, f.logouts
}

// presenter forwards to the screen, as the shell wires it, and hands the
// shown URLs to the test.
type presenter struct {
	*screen.Screen
	shown chan string
}

func (p presenter) ShowAuthPage(u, title string) {
	p.Screen.ShowAuthPage(u, title)
	p.shown <- u
}

type env struct {
	seq    *boot.Sequence
	auth   *auth.Service
	screen *screen.Screen
	kc     *keychain.Keychain
	users  *user.Service
	online *fakeOnline
	shown  chan string
}

func newEnv(t *testing.T, online *fakeOnline) *env {
	t.Helper()
	dir := t.TempDir()
	kc, err := keychain.Open(keychain.Options{Dir: filepath.Join(dir, "keychain"), Now: time.Now,
		Params: cheapParams, Log: slog.New(slog.DiscardHandler), InsecureAllowWeakParams: true})
	if err != nil {
		t.Fatal(err)
	}
	last, err := auth.OpenLastUser(filepath.Join(dir, "state.json"))
	if err != nil {
		t.Fatal(err)
	}
	pkgs := samplePackages(t)
	users := user.NewService()
	scr := screen.New("test", "", func() *screen.UserRef {
		if p, _, ok := users.Current(); ok {
			return &screen.UserRef{Username: p.Username}
		}
		return nil
	}, nil)
	shown := make(chan string, 8)
	a, err := auth.New(auth.Options{Vault: kc, Online: online, Network: online, Pages: boot.OfflinePages(pkgs), Presenter: presenter{scr, shown},
		Users: users, LastUser: last, Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	st, err := settings.Open("")
	if err != nil {
		t.Fatal(err)
	}
	seq, err := boot.New(boot.Options{Auth: a, Screen: scr, Apps: pkgs, Vault: kc, Users: users, Settings: st})
	if err != nil {
		t.Fatal(err)
	}
	return &env{seq: seq, auth: a, screen: scr, kc: kc, users: users, online: online, shown: shown}
}

func samplePackages(t *testing.T) *webapps.Library {
	t.Helper()
	l, err := webapps.OpenLibrary(webapps.LibraryOptions{DataDir: t.TempDir(), Bundled: samples.FS(), BundledBoot: samples.BootDocument()})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// run runs the sequence in the background; the channel closes when it ends.
func (e *env) run() <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		e.seq.Run(context.Background())
	}()
	return done
}

// waitPage returns the t and u of the next page shown.
func (e *env) waitPage(t *testing.T, done <-chan struct{}) (path, token, username string) {
	t.Helper()
	select {
	case raw := <-e.shown:
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		return u.Path, u.Query().Get("t"), u.Query().Get("u")
	case <-done:
		t.Fatalf("the boot sequence ended without a page; screen = %+v", e.screen.Current())
	}
	return "", "", ""
}
