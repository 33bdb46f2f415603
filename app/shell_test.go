package app

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wailsapp/wails/v2/pkg/runtime"
	"loginshell/internal/audit"
	"loginshell/internal/auth"
	"loginshell/internal/fault"
	"loginshell/internal/install"
	"loginshell/internal/keychain"
	"loginshell/internal/online"
	"loginshell/internal/screen"
	"loginshell/internal/settings"
	"loginshell/internal/shell"
	"loginshell/internal/shell/shelltest"
	"loginshell/internal/signature"
	"loginshell/internal/user"
)

const goodPassword = "correct horse battery"

// fakeRuntime records what app/ asks of the Wails runtime.
type fakeRuntime struct {
	views    chan screen.View // every "view" event, in order
	installs chan any         // every "install" event, in order

	mu       sync.Mutex
	events   []string
	reloads  int
	opened   []string
	quits    int
	onReload func()
	// The open and folder dialogs answer dialogPath, dialogErr; dialogs
	// and folderDialogs record their options.
	dialogPath    string
	dialogErr     error
	dialogs       []runtime.OpenDialogOptions
	folderDialogs []runtime.OpenDialogOptions
	// menus records every SignInMenu call: shown or taken away.
	menus []bool
}

func newRuntime() *fakeRuntime {
	return &fakeRuntime{views: make(chan screen.View, 64), installs: make(chan any, 256)}
}

func (f *fakeRuntime) EventsEmit(name string, data ...any) {
	f.mu.Lock()
	f.events = append(f.events, name)
	f.mu.Unlock()
	if name == InstallEvent && len(data) == 1 {
		f.installs <- data[0]
		return
	}
	if name != ViewEvent || len(data) != 1 {
		return
	}
	if v, ok := data[0].(screen.View); ok {
		select { // never block the forwarding goroutine (Shutdown waits for it)
		case f.views <- v:
		default:
		}
	}
}

func (f *fakeRuntime) WindowReloadApp() {
	f.mu.Lock()
	f.reloads++
	hook := f.onReload
	f.mu.Unlock()
	if hook != nil {
		hook()
	}
}

func (f *fakeRuntime) BrowserOpenURL(u string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.opened = append(f.opened, u)
}

func (f *fakeRuntime) Quit() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.quits++
}

func (f *fakeRuntime) SignInMenu(shown bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.menus = append(f.menus, shown)
}

// menuShown says whether the last SignInMenu call showed the menu, and
// whether there was one.
func (f *fakeRuntime) menuShown() (shown, called bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.menus) == 0 {
		return false, false
	}
	return f.menus[len(f.menus)-1], true
}

func (f *fakeRuntime) OpenFileDialog(opts runtime.OpenDialogOptions) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.dialogs = append(f.dialogs, opts)
	return f.dialogPath, f.dialogErr
}

func (f *fakeRuntime) OpenDirectoryDialog(opts runtime.OpenDialogOptions) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.folderDialogs = append(f.folderDialogs, opts)
	return f.dialogPath, f.dialogErr
}

// newShell builds every engine over a temp data directory, with the
// window's embedded sign-in. With vault, alice has an offline password and
// signed in last, so a login (no login server is configured) shows the
// offline login page.
func newShell(t *testing.T, vault bool) (*Shell, *shelltest.Engines) {
	t.Helper()
	return newShellWith(t, vault, nil)
}

func newShellWith(t *testing.T, vault bool, installer install.Installer) (*Shell, *shelltest.Engines) {
	t.Helper()
	dir := t.TempDir()
	if vault {
		if err := os.WriteFile(filepath.Join(dir, "state.json"), []byte(`{"last_user":"alice"}`), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	var win *Window
	sh := shelltest.New(t, shelltest.Options{DataDir: dir, Installer: installer,
		SignIn: func(scr *screen.Screen) online.ProviderOptions {
			var err error
			if win, err = NewWindow(scr, nil); err != nil {
				t.Fatal(err)
			}
			return online.ProviderOptions{Open: win.OpenEmbedded, Returned: win.ReturnFromLogin}
		}})
	if vault {
		if err := sh.Keychain.Create("alice", goodPassword, user.Profile{Username: "alice", Name: "Alice"}); err != nil {
			t.Fatal(err)
		}
	}
	ui, err := New(sh.Shell, win)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ui.shutdown(context.Background()) })
	return ui, sh
}

// waitView returns the first view of views that match wants.
func waitView(t *testing.T, views <-chan screen.View, want func(screen.View) bool) screen.View {
	t.Helper()
	for v := range views {
		if want(v) {
			return v
		}
	}
	t.Fatal("views ended")
	return screen.View{}
}

func TestNewRefusesMissingEngines(t *testing.T) {
	t.Parallel()
	ui, sh := newShell(t, false)
	if got, err := New(nil, ui.win); err == nil || got != nil {
		t.Errorf("New without a shell = %v, %v; want an error", got, err)
	}
	if got, err := New(sh.Shell, nil); err == nil || got != nil {
		t.Errorf("New without a window = %v, %v; want an error", got, err)
	}
	if got, err := NewWindow(nil, nil); err == nil || got != nil {
		t.Errorf("NewWindow without a screen = %v, %v; want an error", got, err)
	}
}

// Attach runs the boot flow and forwards each screen change as a "view"
// event: with nothing configured, the flow ends on the settings error.
func TestAttachForwardsViews(t *testing.T) {
	t.Parallel()
	ui, _ := newShell(t, false)
	rt := newRuntime()
	ui.attach(context.Background(), rt)
	v := waitView(t, rt.views, func(v screen.View) bool { return v.Kind == screen.Error })
	if !v.Configure || !strings.Contains(v.Message, "No login server is set yet") {
		t.Errorf("error view = %+v, want the not-configured problem with the login server form", v)
	}
	if got := mustView(t, ui); got.Seq < v.Seq || got.Kind != screen.Error {
		t.Errorf("View() = %+v, want the error view", got)
	}
}

// The chrome's Cancel on the offline login page ends the sign-in the boot
// flow started; with nothing running it says so.
func TestCancelThroughBindings(t *testing.T) {
	t.Parallel()
	ui, sh := newShell(t, true)
	rt := newRuntime()
	ui.attach(context.Background(), rt)
	waitView(t, rt.views, func(v screen.View) bool { return v.Auth })
	if r := ui.Cancel(ui.token); r != (Result{OK: true}) {
		t.Fatalf("Cancel = %+v", r)
	}
	v := waitView(t, rt.views, func(v screen.View) bool { return v.Kind == screen.Error })
	if !strings.Contains(v.Message, "Nobody is signed in") {
		t.Errorf("after Cancel the screen says %q, want the calm cancelled text", v.Message)
	}
	sh.Boot.Wait()
	if r := ui.Cancel(ui.token); r != (Result{Error: auth.ErrNotInProgress.Error()}) {
		t.Errorf("Cancel with nothing running = %+v, want the not-in-progress text", r)
	}
}

// attached returns a shell attached to a fake runtime whose boot flow has
// ended (on the not-configured error).
func attached(t *testing.T) (*Shell, *shelltest.Engines, *fakeRuntime) {
	t.Helper()
	ui, sh := newShell(t, false)
	rt := newRuntime()
	ui.attach(context.Background(), rt)
	sh.Boot.Wait()
	return ui, sh, rt
}

func TestReturnFromLoginLeavesNavigateBeforeReload(t *testing.T) {
	t.Parallel()
	ui, sh, rt := attached(t)
	if err := ui.win.OpenEmbedded(context.Background(), "https://idp.example.com/authorize?x=1"); err != nil {
		t.Fatal(err)
	}
	if v := sh.Screen.Current(); v.Kind != screen.Navigate || v.URL != "https://idp.example.com/authorize?x=1" {
		t.Fatalf("OpenEmbedded: screen = %+v, want navigate", v)
	}
	ui.win.reloadAfter = []time.Duration{time.Millisecond, time.Millisecond}
	reloaded := make(chan screen.View, len(ui.win.reloadAfter))
	rt.mu.Lock()
	rt.onReload = func() { reloaded <- sh.Screen.Current() }
	rt.mu.Unlock()
	ui.win.ReturnFromLogin()
	if v := sh.Screen.Current(); v.Kind == screen.Navigate {
		t.Errorf("ReturnFromLogin left the screen on the provider: %+v", v)
	}
	if v := <-reloaded; v.Kind == screen.Navigate {
		t.Errorf("the screen still navigated to the provider when the window reloaded: %+v", v)
	}
	// The chrome is back: it asks for its view, which ends the reloads.
	if v := mustView(t, ui); v.Kind != screen.Loading {
		t.Errorf("View() = %+v, want the loading view", v)
	}
}

func TestOpenSystem(t *testing.T) {
	t.Parallel()
	unattached, _ := newShell(t, false)
	if err := unattached.win.OpenSystem(context.Background(), "https://idp.example.com/"); err == nil {
		t.Error("OpenSystem before the window is ready succeeded")
	}
	ui, sh, rt := attached(t)
	raw := "https://idp.example.com/authorize?scope=openid profile&redirect_uri=http://127.0.0.1:5000/cb&state=a<b"
	if err := ui.win.OpenSystem(context.Background(), raw); err != nil {
		t.Fatal(err)
	}
	rt.mu.Lock()
	opened := append([]string(nil), rt.opened...)
	rt.mu.Unlock()
	if len(opened) != 1 {
		t.Fatalf("BrowserOpenURL calls = %v, want one", opened)
	}
	got := opened[0]
	if strings.ContainsAny(got, " <") {
		t.Errorf("opened %q, want it percent-encoded", got)
	}
	u, err := url.Parse(got)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if u.Host != "idp.example.com" || q.Get("scope") != "openid profile" ||
		q.Get("redirect_uri") != "http://127.0.0.1:5000/cb" || q.Get("state") != "a<b" {
		t.Errorf("opened %q does not carry the same parameters", got)
	}
	if v := sh.Screen.Current(); v.Kind != screen.Loading || !strings.Contains(v.Message, "web browser") {
		t.Errorf("screen = %+v, want a loading view pointing at the browser", v)
	}
	if err := ui.win.OpenSystem(context.Background(), "https://idp.example.com/%zz"); err == nil {
		t.Error("OpenSystem accepted an unparsable URL")
	}
}

func TestResult(t *testing.T) {
	t.Parallel()
	pathErr := &fs.PathError{Op: "open", Path: "/home/alice/.loginshell/keychain/616c696365.vault", Err: fs.ErrPermission}
	tests := []struct {
		name string
		err  error
		want Result
	}{
		{"nil is ok", nil, Result{OK: true}},
		{"an engine error is shown as written", auth.ErrNotInProgress, Result{Error: auth.ErrNotInProgress.Error()}},
		{"a refined engine error keeps its detail", fault.Detail(auth.ErrBadQuery, "p (the password) is required"),
			Result{Error: auth.ErrBadQuery.Error() + ": p (the password) is required"}},
		{"a lockout says until when", &keychain.LockedError{Failures: 10},
			Result{Error: "Offline sign-in is locked after 10 wrong passwords; try again after " + time.Time{}.Local().Format("15:04:05") + "."}},
		{"a file error is hidden", fmt.Errorf("open vault: %w", pathErr), Result{Error: "internal error in the shell; see its log"}},
		{"an unknown error is hidden", errors.New("secret cause"), Result{Error: "internal error in the shell; see its log"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := result(tt.err); got != tt.want {
				t.Errorf("result = %+v, want %+v", got, tt.want)
			}
		})
	}
}

// mustView is the chrome's View call, with its token.
func mustView(t *testing.T, ui *Shell) screen.View {
	t.Helper()
	v, err := ui.View(ui.token)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// A hosted page can post binding calls blind through the window's message
// channel; without the chrome's token each is refused and changes nothing.
func TestBindingsRefuseCallsWithoutTheToken(t *testing.T) {
	t.Parallel()
	ui, sh := newShell(t, true)
	rt := newRuntime()
	ui.attach(context.Background(), rt)
	waitView(t, rt.views, func(v screen.View) bool { return v.Auth })
	for _, token := range []string{"", "00000000000000000000000000000000", ui.token + "x"} {
		if _, err := ui.View(token); !errors.Is(err, errToken) {
			t.Errorf("View(%q) = %v, want errToken", token, err)
		}
		if err := ui.Retry(token); !errors.Is(err, errToken) {
			t.Errorf("Retry(%q) = %v, want errToken", token, err)
		}
		if r := ui.Cancel(token); r.OK || r.Error != errToken.Error() {
			t.Errorf("Cancel(%q) = %+v, want the refusal", token, r)
		}
		if r := ui.Configure(token, "http://127.0.0.1:9/evil"); r.OK {
			t.Errorf("Configure(%q) = %+v, want the refusal", token, r)
		}
		if r := ui.PickPackage(token, false); r.Phase != install.PhaseRefused {
			t.Errorf("PickPackage(%q) = %+v, want the refusal", token, r)
		}
	}
	if !sh.Auth.InProgress() {
		t.Error("a refused Cancel ended the sign-in")
	}
	if got := sh.Settings.String(settings.LoginURL); got != "" {
		t.Errorf("login_url = %q after refused Configure calls", got)
	}
	rt.mu.Lock()
	dialogs := len(rt.dialogs)
	rt.mu.Unlock()
	if dialogs != 0 {
		t.Errorf("a refused PickPackage opened %d file dialogs", dialogs)
	}
	if len(ui.token) != 32 {
		t.Errorf("token %q is not 128 bits of hex", ui.token)
	}
}

// The dialog's bindings too (issue 20): a page posting AnswerChallenge,
// DismissChallenge or ReportExposure blind, without the chrome's token, neither signs nor
// ends an open challenge, nor writes into the trail.
func TestDialogBindingsRefuseCallsWithoutTheToken(t *testing.T) {
	t.Parallel()
	ui, sh := newShell(t, true)
	ctx := context.Background()
	if err := sh.Signatures.PutTemplate(ctx, signature.Template{Name: "Alice signs", Expression: "{userName:alice}",
		IDP: signature.IDPLocal, Meaning: "Approval"}); err != nil {
		t.Fatal(err)
	}
	ids, err := sh.Signatures.Queue(ctx, signature.Queuing{Template: "Alice signs", Name: "Release"})
	if err != nil {
		t.Fatal(err)
	}
	sh.Screen.ShowPage("/webapps/lineapp/index.html", "Line")
	if err := sh.Signatures.Trigger(ctx, ids[0], sh.Screen.Session(), sh.Screen.Current().Page, true, signature.Plant); err != nil {
		t.Fatal(err)
	}
	c := sh.Screen.Current().Challenge
	for _, token := range []string{"", "00000000000000000000000000000000", ui.token + "x"} {
		if r := ui.AnswerChallenge(token, c.ID, "alice", goodPassword, ""); r.OK || r.Error != errToken.Error() {
			t.Errorf("AnswerChallenge(%q) = %+v, want the refusal", token, r)
		}
		if err := ui.DismissChallenge(token, c.ID); !errors.Is(err, errToken) {
			t.Errorf("DismissChallenge(%q) = %v, want the refusal", token, err)
		}
		if r := ui.ReportExposure(token, c.ID, signature.Exposure{UserID: "alice", Field: "password"}); r.OK || r.Error != errToken.Error() {
			t.Errorf("ReportExposure(%q) = %+v, want the refusal", token, r)
		}
	}
	alerts := func() (n int) {
		if err := sh.Store.AuditEntries(ctx, func(en audit.Entry) error {
			if en.Event == audit.EventAlert {
				n++
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := alerts(); n != 0 {
		t.Fatalf("refused reports wrote %d alerts", n)
	}
	if r := ui.ReportExposure(ui.token, c.ID, signature.Exposure{UserID: "alice", Field: "password"}); !r.OK || alerts() != 1 {
		t.Errorf("the chrome's own report = %+v, %d alerts in the trail", r, alerts())
	}
	if _, open := sh.Signatures.Open(c.ID); !open {
		t.Fatal("a refused call ended the challenge")
	}
	if _, req, err := sh.Store.Slot(ctx, ids[0]); err != nil || req.State != signature.Pending {
		t.Fatalf("the request after refused calls: %v, %v", req.State, err)
	}
	if r := ui.AnswerChallenge(ui.token, c.ID, "alice", goodPassword, ""); !r.OK {
		t.Errorf("the chrome's own answer = %+v", r)
	}
}

// The chrome's report of a page that took the keyboard from the sign-in
// page over it: a page posting it blind, without the token, writes nothing
// into the trail; the chrome's own writes one alert naming the page behind
// and the sign-in page without its query, and only while one is over a page.
func TestSignInExposureBindingRefusesCallsWithoutTheToken(t *testing.T) {
	t.Parallel()
	ui, sh := newShell(t, true)
	ctx := context.Background()
	alerts := func() (details []string) {
		if err := sh.Store.AuditEntries(ctx, func(en audit.Entry) error {
			if en.Event == audit.EventAlert {
				details = append(details, en.Detail)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return details
	}
	if r := ui.ReportSignInExposure(ui.token, true); r.OK || r.Error != shell.ErrNoPageBehind.Error() {
		t.Errorf("a report with no sign-in page over a page = %+v, want the refusal", r)
	}
	sh.Screen.ShowPage("/webapps/lineapp/index.html", "Line")
	sh.Screen.ShowAuthPage("/webapps/offline-login/manage.html?t=secret-token&u=op", "Change offline password")
	for _, token := range []string{"", "00000000000000000000000000000000", ui.token + "x"} {
		if r := ui.ReportSignInExposure(token, true); r.OK || r.Error != errToken.Error() {
			t.Errorf("ReportSignInExposure(%q) = %+v, want the refusal", token, r)
		}
	}
	if got := alerts(); len(got) != 0 {
		t.Fatalf("refused reports wrote alerts: %q", got)
	}
	if r := ui.ReportSignInExposure(ui.token, true); !r.OK {
		t.Fatalf("the chrome's own report = %+v", r)
	}
	got := alerts()
	if len(got) != 1 || !strings.Contains(got[0], `the page of package "lineapp" (page-`) ||
		!strings.Contains(got[0], "/webapps/offline-login/manage.html) was shown over it") ||
		!strings.Contains(got[0], "a whole password") || strings.Contains(got[0], "secret-token") {
		t.Errorf("alerts = %q, want one naming the line app and the manage page, without its query", got)
	}
}

// The signing phrase (issue 20, promise 5): the chrome sets it once
// through its binding, never a call without the token; the dialog's view
// carries it from then on, and the file it lives in is no page's.
func TestSigningPhraseBinding(t *testing.T) {
	t.Parallel()
	ui, sh := newShell(t, true)
	ctx := context.Background()
	if err := sh.Signatures.PutTemplate(ctx, signature.Template{Name: "Alice signs", Expression: "{userName:alice}",
		IDP: signature.IDPLocal, Meaning: "Approval"}); err != nil {
		t.Fatal(err)
	}
	ids, err := sh.Signatures.Queue(ctx, signature.Queuing{Template: "Alice signs", Name: "Release"})
	if err != nil {
		t.Fatal(err)
	}
	sh.Screen.ShowPage("/webapps/lineapp/index.html", "Line")
	if err := sh.Signatures.Trigger(ctx, ids[0], sh.Screen.Session(), sh.Screen.Current().Page, true, signature.Plant); err != nil {
		t.Fatal(err)
	}
	if v := mustView(t, ui); v.Challenge == nil || v.SigningPhrase != "" {
		t.Fatalf("the first dialog on a station = %+v; want it without a phrase (it asks for one)", v)
	}
	if r := ui.SetSigningPhrase("", "blue heron"); r.OK || r.Error != errToken.Error() {
		t.Errorf("SetSigningPhrase without the token = %+v, want the refusal", r)
	}
	if r := ui.SetSigningPhrase(ui.token, "ab"); r.OK || !strings.Contains(r.Error, "at least") {
		t.Errorf("a phrase too short = %+v, want the rule", r)
	}
	if r := ui.SetSigningPhrase(ui.token, "blue  heron"); !r.OK {
		t.Fatalf("SetSigningPhrase = %+v", r)
	}
	if v := mustView(t, ui); v.SigningPhrase != "blue heron" {
		t.Errorf("the dialog's view after the phrase was chosen = %+v", v)
	}
	if r := ui.SetSigningPhrase(ui.token, "green frog"); r.OK || !strings.Contains(r.Error, "has its signing phrase already") {
		t.Errorf("a second phrase = %+v, want the refusal", r)
	}
	b, err := os.ReadFile(filepath.Join(sh.DataDir, "signing-phrase"))
	if err != nil || string(b) != "blue heron\n" {
		t.Errorf("DATA/signing-phrase = %q, %v", b, err)
	}
}

// While a signature dialog is open the window answers a page's message
// boxes unseen (holdModals); before and after, they show.
func TestModalsHeldOnlyWhileADialogIsOpen(t *testing.T) {
	t.Parallel()
	ui, sh := newShell(t, true)
	ctx := context.Background()
	if err := sh.Signatures.PutTemplate(ctx, signature.Template{Name: "Alice signs", Expression: "{userName:alice}",
		IDP: signature.IDPLocal, Meaning: "Approval"}); err != nil {
		t.Fatal(err)
	}
	ids, err := sh.Signatures.Queue(ctx, signature.Queuing{Template: "Alice signs", Name: "Release"})
	if err != nil {
		t.Fatal(err)
	}
	sh.Screen.ShowPage("/webapps/lineapp/index.html", "Line")
	if ui.holdingModals() {
		t.Error("a page's alert is held with no dialog open")
	}
	if err := sh.Signatures.Trigger(ctx, ids[0], sh.Screen.Session(), sh.Screen.Current().Page, true, signature.Plant); err != nil {
		t.Fatal(err)
	}
	for i := range 2 { // a loop of boxes: every one held, not only the first
		if !ui.holdingModals() {
			t.Errorf("box %d of a page shows over the signature dialog", i+1)
		}
	}
	if err := sh.Signatures.Dismiss(ctx, sh.Screen.Current().Challenge.ID); err != nil {
		t.Fatal(err)
	}
	if ui.holdingModals() {
		t.Error("a page's alert is held after the dialog closed")
	}
}
