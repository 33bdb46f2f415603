//go:build !linux

package app

import (
	"github.com/wailsapp/wails/v2/pkg/menu"
	"github.com/wailsapp/wails/v2/pkg/runtime"
)

// showSignInMenu sets the window's menu to the Sign-in menu or to none:
// Windows' Wails rebuilds its menu bar from the menu it is given.
func showSignInMenu(w wailsRuntime, shown bool) {
	m := w.menu
	if !shown || m == nil {
		m = menu.NewMenu()
	}
	runtime.MenuSetApplicationMenu(w.ctx, m)
}
