package app

/*
#cgo linux pkg-config: gtk+-3.0
void loginshellSignInMenu(int shown);
*/
import "C"

// showSignInMenu shows or hides the window's menu bar, which holds only
// the Sign-in menu. Wails v2 cannot change a GTK menu bar once the window
// is shown (its MenuUpdateApplicationMenu builds a new bar it never packs,
// and calls GTK off the main thread), so the bar Wails built is shown or
// hidden on the GTK main loop (g_idle_add, safe from any goroutine). A
// hidden bar takes its accelerator with it: GTK activates a menu item's
// key only while the item can be drawn, so Alt+Left does nothing then.
func showSignInMenu(_ wailsRuntime, shown bool) {
	v := C.int(0)
	if shown {
		v = 1
	}
	C.loginshellSignInMenu(v)
}
