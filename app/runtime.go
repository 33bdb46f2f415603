package app

import (
	"context"

	"github.com/wailsapp/wails/v2/pkg/runtime"
)

// Runtime is the part of the Wails runtime the shell uses. Wails' runtime
// functions need the context Wails hands to OnStartup (they log.Fatalf
// otherwise), so the rest of app/ goes through this interface and tests
// give it a fake.
type Runtime interface {
	EventsEmit(name string, data ...any)
	WindowReloadApp()
	BrowserOpenURL(url string)
	Quit()
	// OpenFileDialog shows the system's open dialog; "" means cancelled.
	OpenFileDialog(opts runtime.OpenDialogOptions) (string, error)
	// OpenDirectoryDialog shows the system's folder dialog; "" means cancelled.
	OpenDirectoryDialog(opts runtime.OpenDialogOptions) (string, error)
	// SignInMenu shows the window's Sign-in menu instead of its Shell
	// menu (windowMenus), or the Shell menu again, each with its keys:
	// safe from any goroutine.
	SignInMenu(shown bool)
}

// wailsRuntime is Runtime over the real Wails runtime; menus are the
// window's menus, switched by SignInMenu.
type wailsRuntime struct {
	ctx   context.Context
	menus windowMenus
}

func (w wailsRuntime) SignInMenu(shown bool) { showSignInMenu(w, shown) }

func (w wailsRuntime) EventsEmit(name string, data ...any) { runtime.EventsEmit(w.ctx, name, data...) }
func (w wailsRuntime) WindowReloadApp()                    { runtime.WindowReloadApp(w.ctx) }
func (w wailsRuntime) BrowserOpenURL(url string)           { runtime.BrowserOpenURL(w.ctx, url) }
func (w wailsRuntime) Quit()                               { runtime.Quit(w.ctx) }
func (w wailsRuntime) OpenFileDialog(opts runtime.OpenDialogOptions) (string, error) {
	return runtime.OpenFileDialog(w.ctx, opts)
}
func (w wailsRuntime) OpenDirectoryDialog(opts runtime.OpenDialogOptions) (string, error) {
	return runtime.OpenDirectoryDialog(w.ctx, opts)
}
