package app

/*
#cgo linux pkg-config: gtk+-3.0
#cgo !webkit2_41 pkg-config: webkit2gtk-4.0
#cgo webkit2_41 pkg-config: webkit2gtk-4.1
#include <stdint.h>
void loginshellHoldModals(uintptr_t hold);
*/
import "C"

import "runtime/cgo"

// holdModals makes the window answer a page's alert, confirm and prompt at
// once, without showing them, whenever hold says so (a signature dialog is
// open): WebKitGTK runs every frame of the window in one process, so a
// page's message box would freeze the chrome's dialog too, and could sit
// over it asking for a password. It hooks WebKitGTK's "script-dialog"
// signal of the window's webview (found through GTK's list of windows, as
// enableInspector does, without patching Wails); hold runs on the GTK main
// thread and must answer at once. Safe from any goroutine.
func holdModals(hold func() bool) {
	C.loginshellHoldModals(handleOf(hold)) // lives as long as the window
}

// handleOf is hold as C keeps it: a cgo.Handle.
func handleOf(hold func() bool) C.uintptr_t { return C.uintptr_t(cgo.NewHandle(hold)) }

// loginshellHoldModal answers WebKitGTK's script-dialog handler
// (modals_linux.c): 1 to answer the page's box at once, 0 to show it.
//
//export loginshellHoldModal
func loginshellHoldModal(h C.uintptr_t) C.int {
	if hold, ok := cgo.Handle(h).Value().(func() bool); ok && hold() {
		return 1
	}
	return 0
}
