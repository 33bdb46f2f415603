package auth_test

import (
	"context"
	"errors"
	"log/slog"
	"net/url"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"loginshell/internal/auth"
	"loginshell/internal/boot"
	"loginshell/internal/keychain"
	"loginshell/internal/samples"
	"loginshell/internal/user"
	"loginshell/internal/webapps"
)

// cheapParams keep argon2id fast enough for -race; the keychain accepts
// them only with InsecureAllowWeakParams, which tests set.
var cheapParams = keychain.Params{Time: 1, MemoryKiB: 64, Threads: 1}

const (
	goodPassword  = "correct horse battery"
	otherPassword = "tr0ub4dor&3-nope"
)

// errIdP stands for whatever the identity provider answered.
var errIdP = errors.New("the login server refused the sign-in")

func aliceProfile() user.Profile {
	return user.Profile{
		Username:        "alice",
		Name:            "Alice Martin",
		Email:           "alice@example.com",
		Roles:           []string{"operator"},
		IdP:             "https://idp.example.com",
		AuthenticatedAt: time.Date(2025, 3, 4, 7, 59, 0, 0, time.UTC),
	}
}

// idp is how the fake identity provider behaves: Login answers profile or
// err, or, with block, signals started and waits for its context.
type idp struct {
	configured bool
	reachable  bool
	profile    user.Profile
	err        error
	block      bool
	started    chan struct{}
	// notLoginServer is what NotLoginServer says: an address that answers
	// as something else than an OpenID provider.
	notLoginServer error
}

// fakeOnline is auth.Online over an idp the test may change.
type fakeOnline struct {
	mu      sync.Mutex
	cfg     idp
	logins  int
	logouts int
}

func (f *fakeOnline) Configured() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.cfg.configured
}

func (f *fakeOnline) Check(context.Context) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.cfg.reachable
}

func (f *fakeOnline) NotLoginServer(context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.cfg.notLoginServer
}

func (f *fakeOnline) Login(ctx context.Context) (user.Profile, error) {
	f.mu.Lock()
	f.logins++
	c := f.cfg
	f.mu.Unlock()
	if c.block {
		if c.started != nil {
			c.started <- struct{}{}
		}
		<-ctx.Done()
		return user.Profile{}, ctx.Err()
	}
	return c.profile, c.err
}

func (f *fakeOnline) Logout(context.Context) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.logouts++
}

func (f *fakeOnline) counts() (logins, logouts int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.logins, f.logouts
}

// fakePresenter records the pages shown and hands their URLs to the test.
type fakePresenter struct {
	shown  chan string
	mu     sync.Mutex
	closed int
}

func newPresenter() *fakePresenter { return &fakePresenter{shown: make(chan string, 8)} }

func (p *fakePresenter) ShowAuthPage(u, _ string) { p.shown <- u }

func (p *fakePresenter) CloseAuthPage() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed++
}

func (p *fakePresenter) closedCount() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.closed
}

// env is a Service over real engines (keychain, user service, last-user
// file, packages from the bundled samples) and the two fakes.
type env struct {
	svc    *auth.Service
	kc     *keychain.Keychain
	users  *user.Service
	last   *auth.FileLastUser
	online *fakeOnline
	pres   *fakePresenter
	dir    string
	pkgs   *webapps.Library
}

// pages returns the offline pages over the environment's packages, for a
// rebuilt service.
func (e *env) pages(*testing.T) auth.Pages { return boot.OfflinePages(e.pkgs) }

type envOptions struct {
	online       idp // zero is "not configured"
	forceOffline bool
	fallback     bool
	vault        bool   // alice has an offline password and signed in last
	bootDoc      []byte // nil: the sample boot document
}

func newEnv(t *testing.T, o envOptions) *env {
	t.Helper()
	dir := t.TempDir()
	kc, err := keychain.Open(keychain.Options{
		Dir: filepath.Join(dir, "keychain"), Now: time.Now, Params: cheapParams,
		Log: slog.New(slog.DiscardHandler), InsecureAllowWeakParams: true,
	})
	if err != nil {
		t.Fatalf("keychain.Open: %v", err)
	}
	last, err := auth.OpenLastUser(filepath.Join(dir, "state.json"))
	if err != nil {
		t.Fatalf("OpenLastUser: %v", err)
	}
	doc := o.bootDoc
	if doc == nil {
		doc = samples.BootDocument()
	}
	pkgs, err := webapps.OpenLibrary(webapps.LibraryOptions{DataDir: dir, Bundled: samples.FS(), BundledBoot: doc})
	if err != nil {
		t.Fatalf("OpenLibrary: %v", err)
	}
	if o.vault {
		if err := kc.Create("alice", goodPassword, aliceProfile()); err != nil {
			t.Fatalf("Create: %v", err)
		}
		if err := last.Set("alice"); err != nil {
			t.Fatalf("last.Set: %v", err)
		}
	}
	e := &env{kc: kc, users: user.NewService(), last: last, pres: newPresenter(), dir: dir,
		online: &fakeOnline{cfg: o.online}, pkgs: pkgs}
	fallback := o.fallback
	e.svc, err = auth.New(auth.Options{
		Vault: kc, Online: e.online, Network: e.online, Pages: boot.OfflinePages(e.pkgs), Presenter: e.pres,
		Users: e.users, LastUser: last, Now: time.Now, ForceOffline: o.forceOffline,
		AllowFallback: func() bool { return fallback },
	})
	if err != nil {
		t.Fatalf("auth.New: %v", err)
	}
	return e
}

// onlineOK is an identity provider that signs alice in.
func onlineOK() idp {
	return idp{configured: true, reachable: true, profile: aliceProfile()}
}

type outcome struct {
	p   user.Profile
	err error
}

// goRun runs a blocking starting call (Login, Setup, Update) and hands
// back its outcome.
func goRun(f func() (user.Profile, error)) <-chan outcome {
	ch := make(chan outcome, 1)
	go func() {
		p, err := f()
		ch <- outcome{p, err}
	}()
	return ch
}

func (e *env) goLogin(ctx context.Context) <-chan outcome {
	return goRun(func() (user.Profile, error) { return e.svc.Login(ctx) })
}

func (e *env) goSetup(ctx context.Context) <-chan outcome {
	return goRun(func() (user.Profile, error) { return user.Profile{}, e.svc.Setup(ctx) })
}

func (e *env) goUpdate(ctx context.Context) <-chan outcome {
	return goRun(func() (user.Profile, error) { return user.Profile{}, e.svc.Update(ctx) })
}

// page is an authentication page as the presenter was asked to show it.
type page struct {
	path, token, username string
}

// waitPage returns the next page shown, failing if the starting call ends
// first.
func (e *env) waitPage(t *testing.T, running <-chan outcome) page {
	t.Helper()
	select {
	case raw := <-e.pres.shown:
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatalf("page URL %q: %v", raw, err)
		}
		q := u.Query()
		if _, err := uuid.Parse(q.Get("t")); err != nil {
			t.Fatalf("page URL %q: t is not a UUID: %v", raw, err)
		}
		return page{path: u.Path, token: q.Get("t"), username: q.Get("u")}
	case o := <-running:
		t.Fatalf("the flow ended before showing a page: %v", o.err)
	}
	return page{}
}

// signInOnline signs alice in through the fake identity provider.
func (e *env) signInOnline(t *testing.T) {
	t.Helper()
	if _, err := e.svc.Login(context.Background()); err != nil {
		t.Fatalf("online Login: %v", err)
	}
	if _, m, _ := e.users.Current(); m != user.Online {
		t.Fatalf("method = %q, want online", m)
	}
}
