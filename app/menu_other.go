//go:build !linux

package app

import (
	"github.com/wailsapp/wails/v2/pkg/menu"
	"github.com/wailsapp/wails/v2/pkg/runtime"
)

// firstMenu is the menu the window starts with: the Shell menu.
func firstMenu(m windowMenus) *menu.Menu { return m.shell }

// showSignInMenu sets the window's menu to the Sign-in menu or to the
// Shell menu: Windows' Wails rebuilds its menu bar from the menu given.
func showSignInMenu(w wailsRuntime, shown bool) {
	m := w.menus.shell
	if shown {
		m = w.menus.signIn
	}
	runtime.MenuSetApplicationMenu(w.ctx, m)
}
