package app

import (
	"archive/zip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/wailsapp/wails/v2/pkg/runtime"
	"loginshell/internal/check"
	"loginshell/internal/install"
	"loginshell/internal/manifest"
	"loginshell/internal/pkginstall"
	"loginshell/internal/user"
)

// writeZip writes a zip of name/content pairs and returns its path.
func writeZip(t *testing.T, files ...string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "pkg.zip")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for i := 0; i+1 < len(files); i += 2 {
		w, err := zw.Create(files[i])
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, files[i+1])
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return p
}

func goodZip(t *testing.T) string {
	return writeZip(t, "webapp.json", `{"name":"lineapp","version":"1.2.0","main":"index.html"}`, "index.html", "<p>new</p>")
}

func evilZip(t *testing.T) string {
	return writeZip(t, "webapp.json", `{"name":"x","version":"1","main":"index.html"}`, "index.html", "<p>", "../evil.html", "<p>")
}

// installing returns a shell attached to a fake runtime whose install
// service runs in (the shell's Library when nil), with a person signed in
// who may install (no installer_role is set).
func installing(t *testing.T, in install.Installer) (*Shell, *fakeRuntime) {
	t.Helper()
	ui, sh := newShellWith(t, false, in)
	rt := newRuntime()
	ui.attach(context.Background(), rt)
	sh.Boot.Wait()
	sh.Users.SignIn(user.Profile{Username: "operator", Roles: []string{"Operator"}}, user.Online)
	return ui, rt
}

// nextResult returns the next install.Result among rt's install events.
func nextResult(t *testing.T, rt *fakeRuntime) install.Result {
	t.Helper()
	for e := range rt.installs {
		if r, ok := e.(install.Result); ok {
			return r
		}
	}
	t.Fatal("install events ended")
	return install.Result{}
}

func TestPickPackage(t *testing.T) {
	t.Parallel()
	unattached, _ := newShell(t, false)
	if r := unattached.PickPackage(unattached.token, false); r.Phase != install.PhaseRefused || r.Message != msgNotReady {
		t.Errorf("PickPackage before Startup = %+v, want the not-ready refusal", r)
	}
	good := goodZip(t)
	goodFolder := t.TempDir()
	for name, body := range map[string]string{"webapp.json": `{"name":"lineapp","version":"1.2.0","main":"index.html"}`, "index.html": "<p>new</p>"} {
		if err := os.WriteFile(filepath.Join(goodFolder, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	installed := install.Result{Phase: install.PhaseDone, OK: true, Name: "lineapp",
		Version: "1.2.0", Message: install.Installed("lineapp", "1.2.0"), Problems: []check.Problem{}}
	tests := []struct {
		name      string
		folder    bool // the folder dialog, not the .zip one
		path      string
		dialogErr error
		want      install.Result
	}{
		{"a closed dialog is cancelled", false, "", nil, install.Cancelled()},
		{"a dialog that cannot open is refused", false, "", errors.New("no portal"), install.Refused(msgNoDialog)},
		{"a chosen package installs", false, good, nil, installed},
		{"a closed folder dialog is cancelled", true, "", nil, install.Cancelled()},
		{"a chosen folder installs", true, goodFolder, nil, installed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ui, rt := installing(t, nil)
			rt.mu.Lock()
			rt.dialogPath, rt.dialogErr = tt.path, tt.dialogErr
			rt.mu.Unlock()
			if got := ui.PickPackage(ui.token, tt.folder); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("PickPackage = %+v, want %+v", got, tt.want)
			}
			rt.mu.Lock()
			dialogs, folderDialogs := rt.dialogs, rt.folderDialogs
			rt.mu.Unlock()
			switch {
			case tt.folder && (len(dialogs) != 0 || len(folderDialogs) != 1):
				t.Errorf("file dialogs %+v, folder dialogs %+v: want one folder dialog", dialogs, folderDialogs)
			case !tt.folder && (len(folderDialogs) != 0 || len(dialogs) != 1 || !reflect.DeepEqual(dialogs[0].Filters, []runtime.FileFilter{packageFilter})):
				t.Errorf("file dialogs %+v, folder dialogs %+v: want one file dialog with the zip filter", dialogs, folderDialogs)
			}
			if tt.want.Phase == install.PhaseDone {
				if ev := nextResult(t, rt); !reflect.DeepEqual(ev, tt.want) {
					t.Errorf("install event = %+v, want %+v", ev, tt.want)
				}
			} else if n := len(rt.installs); n != 0 {
				t.Errorf("%d install events for an install that did not run", n)
			}
		})
	}
}

// Files dropped on the window: their paths come from the web view's GTK
// drop handler (webviewGuard), never from JavaScript, and install only when
// the chrome, whose document took the drop, asks with its token, once,
// and soon.
func TestInstallDrop(t *testing.T) {
	t.Parallel()
	evil := evilZip(t)
	installed := func(t *testing.T, r install.Result) {
		if !r.OK || r.Phase != install.PhaseDone || r.Name != "lineapp" || r.Version != "1.2.0" {
			t.Errorf("result = %+v, want lineapp 1.2.0 installed", r)
		}
	}
	tests := []struct {
		name    string
		paths   []string // dropped; nil: no drop
		token   string   // "" the chrome's
		elapsed time.Duration
		check   func(t *testing.T, r install.Result)
	}{
		{"a dropped package installs", []string{goodZip(t)}, "", 0, installed},
		{"a drop just inside the wait installs", []string{goodZip(t)}, "", dropTTL, installed},
		{"a dropped bad package shows check's problems", []string{evil}, "", 0, func(t *testing.T, r install.Result) {
			want := check.Check(evil, check.Options{}).Problems
			if r.OK || r.Phase != install.PhaseDone || !reflect.DeepEqual(r.Problems, want) {
				t.Errorf("result = %+v, want check's problems %+v", r, want)
			}
			if len(want) == 0 || want[0].Rule != pkginstall.RulePathEscape {
				t.Errorf("check found %+v, want a path escape first", want)
			}
		}},
		{"several files at once are refused", []string{goodZip(t), "", evil}, "", 0, refusedWith(fmt.Sprintf(msgDropOneFmt, 3))},
		{"a link (no local file) is refused", []string{""}, "", 0, refusedWith(msgNoDrop)},
		{"nothing dropped, nothing installed", nil, "", 0, refusedWith(msgNoDrop)},
		{"a drop too old is refused", []string{goodZip(t)}, "", dropTTL + time.Second, refusedWith(msgNoDrop)},
		{"a call without the chrome's token is refused", []string{goodZip(t)}, "forged", 0, refusedWith(errToken.Error())},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ui, _ := installing(t, nil)
			now := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
			ui.now = func() time.Time { return now }
			if tt.paths != nil {
				ui.dropped(tt.paths)
			}
			now = now.Add(tt.elapsed)
			token := ui.token
			if tt.token != "" {
				token = tt.token
			}
			tt.check(t, ui.InstallDrop(token))
			again := ui.InstallDrop(ui.token)
			switch {
			case tt.token != "": // a forged call takes nothing: the person's drop is still the chrome's
				installed(t, again)
			case again.Phase != install.PhaseRefused || again.Message != msgNoDrop:
				t.Errorf("a second InstallDrop = %+v, want the drop taken once", again)
			}
		})
	}
}

// refusedWith checks for install.Refused(message).
func refusedWith(message string) func(t *testing.T, r install.Result) {
	return func(t *testing.T, r install.Result) {
		t.Helper()
		if want := install.Refused(message); !reflect.DeepEqual(r, want) {
			t.Errorf("result = %+v, want %+v", r, want)
		}
	}
}

// gatedInstaller reports that it started, then waits for its gate.
type gatedInstaller struct {
	started, gate chan struct{}
}

func (g *gatedInstaller) Install(string, func(done, total int64), bool) (manifest.WebApp, error) {
	g.started <- struct{}{}
	<-g.gate
	return manifest.WebApp{Name: "slow", Version: "1"}, nil
}

func TestSecondInstallIsRefusedWhileOneRuns(t *testing.T) {
	t.Parallel()
	g := &gatedInstaller{started: make(chan struct{}, 1), gate: make(chan struct{})}
	ui, rt := installing(t, g)
	ui.dropped([]string{goodZip(t)})
	first := make(chan install.Result, 1)
	go func() { first <- ui.InstallDrop(ui.token) }()
	<-g.started
	ui.dropped([]string{goodZip(t)})
	if r := ui.InstallDrop(ui.token); !reflect.DeepEqual(r, install.Busy()) {
		t.Errorf("second drop: %+v, want the busy refusal", r)
	}
	if r := ui.PickPackage(ui.token, false); !reflect.DeepEqual(r, install.Busy()) {
		t.Errorf("PickPackage while one runs = %+v, want the busy refusal", r)
	}
	rt.mu.Lock()
	dialogs := len(rt.dialogs)
	rt.mu.Unlock()
	if dialogs != 0 {
		t.Errorf("the dialog opened %d times while an install ran", dialogs)
	}
	close(g.gate)
	if r := <-first; !r.OK || r.Name != "slow" {
		t.Errorf("first drop: %+v, want slow installed", r)
	}
}

// askingInstaller wants a yes before it installs.
type askingInstaller struct {
	mu    sync.Mutex
	paths []string
}

func (a *askingInstaller) Install(path string, _ func(done, total int64), replace bool) (manifest.WebApp, error) {
	a.mu.Lock()
	a.paths = append(a.paths, fmt.Sprintf("%s replace=%v", filepath.Base(path), replace))
	a.mu.Unlock()
	if !replace {
		return manifest.WebApp{}, &pkginstall.ReplaceError{Name: "lineapp", New: "1.2.0", Old: "1.0.0"}
	}
	return manifest.WebApp{Name: "lineapp", Version: "1.2.0"}, nil
}

// A dropped package that replaces an installed one waits for the person:
// the chrome gets the question, and ConfirmInstall installs that same file
// (its path never comes from JavaScript); a second yes finds nothing.
func TestConfirmInstall(t *testing.T) {
	t.Parallel()
	a := &askingInstaller{}
	ui, _ := installing(t, a)
	if r := ui.ConfirmInstall(ui.token); r.Phase != install.PhaseRefused || r.Message != msgNothingToConfirm {
		t.Errorf("ConfirmInstall with nothing waiting = %+v", r)
	}
	ui.dropped([]string{goodZip(t)})
	if r := ui.InstallDrop(ui.token); r.Phase != install.PhaseConfirm || r.Replaces != "1.0.0" || r.Version != "1.2.0" {
		t.Fatalf("drop = %+v, want the question", r)
	}
	if r := ui.ConfirmInstall("wrong"); r.Phase != install.PhaseRefused {
		t.Errorf("ConfirmInstall without the token = %+v, want refused", r)
	}
	if r := ui.ConfirmInstall(ui.token); !r.OK || r.Name != "lineapp" {
		t.Fatalf("ConfirmInstall = %+v, want installed", r)
	}
	if r := ui.ConfirmInstall(ui.token); r.Phase != install.PhaseRefused {
		t.Errorf("a second ConfirmInstall = %+v, want refused", r)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	want := []string{"pkg.zip replace=false", "pkg.zip replace=true"}
	if !reflect.DeepEqual(a.paths, want) {
		t.Errorf("installs = %v, want %v", a.paths, want)
	}
}
