package app

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wailsapp/wails/v2/pkg/menu"
	"loginshell/internal/demoidp/strict"
	"loginshell/internal/online"
	"loginshell/internal/screen"
	"loginshell/internal/shell/shelltest"
)

// strictShell is the window's shell signing in at a strict provider
// (exact redirect URIs, cookie sessions), embedded in the window. With
// fixedPort, redirect_port is set and registered there; without it the
// provider knows only http://127.0.0.1/callback, as in the issue.
func strictShell(t *testing.T, fixedPort bool) (*Shell, *shelltest.Engines, *strict.Server) {
	t.Helper()
	idp, err := strict.Start(strict.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(idp.Close)
	settings := fmt.Sprintf(`{"login_url": %q}`, idp.Issuer())
	idp.Register([]string{"http://127.0.0.1/callback"}, nil)
	if fixedPort {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := ln.Addr().(*net.TCPAddr).Port
		ln.Close()
		base := fmt.Sprintf("http://127.0.0.1:%d", port)
		idp.Register([]string{base + "/callback"}, []string{base + "/logged-out"})
		settings = fmt.Sprintf(`{"login_url": %q, "redirect_port": %d}`, idp.Issuer(), port)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "settings.json"), []byte(settings), 0o600); err != nil {
		t.Fatal(err)
	}
	var win *Window
	sh := shelltest.New(t, shelltest.Options{DataDir: dir,
		SignIn: func(scr *screen.Screen) online.ProviderOptions {
			var err error
			if win, err = NewWindow(scr, nil); err != nil {
				t.Fatal(err)
			}
			win.reloadAfter = []time.Duration{time.Millisecond, time.Millisecond}
			return online.ProviderOptions{Open: win.OpenEmbedded, Returned: win.ReturnFromLogin}
		}})
	ui, err := New(sh.Shell, win)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ui.shutdown(context.Background()) })
	return ui, sh, idp
}

// The window's way back (the Sign-in menu, Alt+Left) works while the
// provider's page fills the window: it cancels the sign-in, the chrome is
// reloaded into the window, and the error view says the sign-in was
// cancelled, with Retry. Nothing reaches the token endpoint.
func TestBackToTheShellCancelsTheSignIn(t *testing.T) {
	t.Parallel()
	ui, sh, idp := strictShell(t, true)
	rt := newRuntime()
	reloaded := make(chan struct{}, 1)
	rt.onReload = func() {
		select {
		case reloaded <- struct{}{}:
		default:
		}
	}
	ui.attach(context.Background(), rt)
	nav := waitView(t, rt.views, func(v screen.View) bool { return v.Kind == screen.Navigate || v.Kind == screen.Error })
	if nav.Kind != screen.Navigate || !strings.HasPrefix(nav.URL, idp.Issuer()+"/authorize?") {
		t.Fatalf("the window shows %+v, want the provider's sign-in page", nav)
	}
	ui.backToShell()
	v := waitView(t, rt.views, func(v screen.View) bool { return v.Kind == screen.Error })
	if !strings.Contains(v.Message, "Nobody is signed in") {
		t.Errorf("after the way back the window says %q, want the calm cancelled text", v.Message)
	}
	sh.Boot.Wait()
	// The chrome comes back by the reloads (the provider's Returned), and
	// its first View call ends them.
	<-reloaded
	if got := mustView(t, ui); got.Kind != screen.Error {
		t.Errorf("the reloaded chrome reads %+v, want the error view", got)
	}
	if n := len(idp.TokenRequests()); n != 0 {
		t.Errorf("%d token requests after the way back", n)
	}
	// With no sign-in and the chrome in the window, the way back does
	// nothing: no reload starts.
	ui.backToShell()
	ui.win.mu.Lock()
	looping := ui.win.returned != nil
	ui.win.mu.Unlock()
	if looping {
		t.Error("the way back reloaded the chrome although it was in the window")
	}
}

// With nothing to cancel but the window still on a foreign page, the way
// back reloads the chrome into it.
func TestBackToTheShellBringsTheChromeBack(t *testing.T) {
	t.Parallel()
	ui, _, rt := attached(t)
	ui.win.reloadAfter = []time.Duration{time.Millisecond}
	reloaded := make(chan struct{}, 1)
	rt.mu.Lock()
	rt.onReload = func() { reloaded <- struct{}{} }
	rt.mu.Unlock()
	if err := ui.win.OpenEmbedded(context.Background(), "https://idp.example.com/authorize"); err != nil {
		t.Fatal(err)
	}
	ui.backToShell()
	<-reloaded
}

// The Sign-in menu is there only while the provider's page fills the
// window (issue 22): the Shell menu when the window starts, the Sign-in
// menu once the screen sends the window to the provider (also while the
// chrome, loading, is about to follow), the Shell menu again once the
// screen moves on.
func TestSignInMenuOnlyOnTheProvidersPage(t *testing.T) {
	t.Parallel()
	ui, sh, rt := attached(t)
	want := func(step string, shown bool) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for {
			got, called := rt.menuShown()
			if called && got == shown {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: menu shown %v (set: %v), want %v", step, got, called, shown)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	want("the window started on the shell's own view", false)
	if err := ui.win.OpenEmbedded(context.Background(), "https://idp.example.com/authorize"); err != nil {
		t.Fatal(err)
	}
	want("the window went to the provider's page", true)
	mustView(t, ui) // the chrome loads, and follows the screen to the provider
	want("the chrome on its way to the provider", true)
	sh.Screen.ShowPage("/webapps/lineapp/index.html", "Line")
	want("an app page in the chrome", false)
	rt.mu.Lock()
	n := len(rt.menus)
	rt.mu.Unlock()
	sh.Screen.ShowLoading("Loading…")
	sh.Screen.ShowPage("/webapps/lineapp/index.html", "Line")
	time.Sleep(50 * time.Millisecond)
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if len(rt.menus) != n {
		t.Errorf("the menu was set %d more times for views that did not change it", len(rt.menus)-n)
	}
}

// A provider that compares redirect URIs exactly refuses the random port:
// the window never goes to its error page, and the shell's error view says
// what to register and that redirect_port is needed.
func TestRandomPortRefusalIsShownInTheWindow(t *testing.T) {
	t.Parallel()
	ui, sh, _ := strictShell(t, false)
	rt := newRuntime()
	ui.attach(context.Background(), rt)
	v := waitView(t, rt.views, func(v screen.View) bool {
		if v.Kind == screen.Navigate {
			t.Errorf("the window was sent to %s", v.URL)
		}
		return v.Kind == screen.Error
	})
	sh.Boot.Wait()
	for _, want := range []string{"refused the sign-in request (HTTP 403)", "Set redirect_port", "/callback"} {
		if !strings.Contains(v.Message, want) {
			t.Errorf("error view %q does not say %q", v.Message, want)
		}
	}
}

// The window's menus: Shell with Settings… on Ctrl+, and Sign-in with the
// way back on Alt+Left; all holds both (GTK switches them in place), the
// others one each (Windows sets one or the other).
func TestWindowMenus(t *testing.T) {
	t.Parallel()
	var back, settings atomic.Bool
	m := newWindowMenus(func() { back.Store(true) }, func() { settings.Store(true) })
	item := func(t *testing.T, menu *menu.Menu, i int, label string) *menu.MenuItem {
		t.Helper()
		if len(menu.Items) <= i || menu.Items[i].Label != label || menu.Items[i].SubMenu == nil || len(menu.Items[i].SubMenu.Items) != 1 {
			t.Fatalf("menu %+v: want %q with one item at %d", menu.Items, label, i)
		}
		return menu.Items[i].SubMenu.Items[0]
	}
	if len(m.all.Items) != 2 || len(m.shell.Items) != 1 || len(m.signIn.Items) != 1 {
		t.Fatalf("menus all %d, shell %d, sign-in %d items; want 2, 1, 1", len(m.all.Items), len(m.shell.Items), len(m.signIn.Items))
	}
	for _, sets := range []struct {
		shell, signIn *menu.MenuItem
	}{{item(t, m.all, 0, shellMenu), item(t, m.all, 1, backMenu)}, {item(t, m.shell, 0, shellMenu), item(t, m.signIn, 0, backMenu)}} {
		if sets.signIn.Label != backLabel || sets.signIn.Accelerator == nil || sets.signIn.Accelerator.Key != "left" ||
			len(sets.signIn.Accelerator.Modifiers) != 1 || sets.signIn.Accelerator.Modifiers[0] != "optionoralt" {
			t.Errorf("item = %q %+v, want %q on Alt+Left", sets.signIn.Label, sets.signIn.Accelerator, backLabel)
		}
		if sets.shell.Label != settingsLabel || sets.shell.Accelerator == nil || sets.shell.Accelerator.Key != "," ||
			len(sets.shell.Accelerator.Modifiers) != 1 || sets.shell.Accelerator.Modifiers[0] != "cmdorctrl" {
			t.Errorf("item = %q %+v, want %q on Ctrl+,", sets.shell.Label, sets.shell.Accelerator, settingsLabel)
		}
		back.Store(false)
		settings.Store(false)
		sets.signIn.Click(&menu.CallbackData{MenuItem: sets.signIn})
		sets.shell.Click(&menu.CallbackData{MenuItem: sets.shell})
		if !back.Load() || !settings.Load() {
			t.Errorf("the items call the way back %v and Settings %v", back.Load(), settings.Load())
		}
	}
}

// Settings… asks the chrome to open its Settings place.
func TestSettingsMenuOpensThePlace(t *testing.T) {
	t.Parallel()
	ui, _, rt := attached(t)
	ui.openSettings()
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if !slices.Contains(rt.events, SettingsEvent) {
		t.Errorf("events %v, want %q", rt.events, SettingsEvent)
	}
}
