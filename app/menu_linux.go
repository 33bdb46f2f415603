package app

/*
#cgo linux pkg-config: gtk+-3.0
#include <stdlib.h>
void loginshellSignInMenu(int signIn, const char *signInLabel);
*/
import "C"

import (
	"unsafe"

	"github.com/wailsapp/wails/v2/pkg/menu"
)

// firstMenu is the menu Wails builds the window's menu bar from: both
// menus, switched in place by showSignInMenu.
func firstMenu(m windowMenus) *menu.Menu { return m.all }

// showSignInMenu shows the Sign-in menu and hides the Shell menu, or the
// other way round. Wails v2 cannot change a GTK menu bar once the window
// is shown (its MenuUpdateApplicationMenu builds a new bar it never packs,
// and calls GTK off the main thread), so the items of the bar Wails built
// are taken out of it and put back on the GTK main loop (g_idle_add, safe
// from any goroutine): hidden, an item would stay in the window's
// accessibility tree. A menu out of the bar takes its keys with it: GTK
// activates a menu item's accelerator only through a parent that can, so
// Alt+Left does nothing outside the provider's page, and Ctrl+, nothing
// on it.
func showSignInMenu(_ wailsRuntime, shown bool) {
	v := C.int(0)
	if shown {
		v = 1
	}
	label := C.CString(backMenu)
	defer C.free(unsafe.Pointer(label))
	C.loginshellSignInMenu(v, label)
}
