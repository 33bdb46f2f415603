package app

/*
#cgo linux pkg-config: gtk+-3.0
#cgo !webkit2_41 pkg-config: webkit2gtk-4.0
#cgo webkit2_41 pkg-config: webkit2gtk-4.1
#include <stdlib.h>
#include "webview_linux.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"runtime/cgo"
	"time"
	"unsafe"
)

// guardsChannel: WebKitGTK gives every frame the window's message
// channel, so Linux needs the guard.
const guardsChannel = true

// installTries and installEvery bound the wait for the web view: the
// startup hook runs while Wails is still building the window.
const (
	installTries = 100
	installEvery = 50 * time.Millisecond
)

// install puts the guard in place on the GTK main thread (the channel's
// handler swapped, wails:// refused in frames, drops taken from GTK: see
// webviewGuard) and returns at once; done (and so Prefix) reports the
// outcome. The guard lives as long as the process: its handle is never
// deleted, since the web view may still deliver a message while the
// window closes.
func (g *webviewGuard) install() {
	C.loginshellGuardWebview(C.uintptr_t(cgo.NewHandle(g)))
}

// guarded is installing's outcome, from the main thread: the status is
// one of webview_linux.h's.
func (g *webviewGuard) guarded(h cgo.Handle, status C.int) {
	switch status {
	case C.LOGINSHELL_GUARDED:
		g.done(nil)
	case C.LOGINSHELL_NO_WEBVIEW:
		g.tries++
		if g.tries >= installTries {
			g.done(errors.New("no web view found in the window"))
			return
		}
		time.AfterFunc(installEvery, func() { C.loginshellGuardWebview(C.uintptr_t(h)) })
	case C.LOGINSHELL_NO_ENTRY:
		g.done(errors.New("this Wails has no processBindingMessage to forward to"))
	case C.LOGINSHELL_MANY_WEBVIEWS:
		g.done(errors.New("more than one web view in the windows"))
	case C.LOGINSHELL_NO_SIGNAL:
		g.done(errors.New("WebKit has no script-message-received signal"))
	default:
		g.done(fmt.Errorf("the channel handler of Wails was not found where expected (status %d)", int(status)))
	}
}

//export loginshellGuarded
func loginshellGuarded(h C.uintptr_t, status C.int) {
	handle := cgo.Handle(h)
	handle.Value().(*webviewGuard).guarded(handle, status)
}

//export loginshellDropped
func loginshellDropped(h C.uintptr_t, paths **C.char, n C.int) {
	g := cgo.Handle(h).Value().(*webviewGuard)
	var dropped []string
	for _, p := range unsafe.Slice(paths, int(n)) {
		dropped = append(dropped, C.GoString(p))
	}
	g.drop(dropped)
}

//export loginshellInnerDrop
func loginshellInnerDrop(h C.uintptr_t) {
	cgo.Handle(h).Value().(*webviewGuard).log.Info("a drag that started in the window was dropped on it: its files are not taken (a page's drag names whatever files it likes)")
}

//export loginshellChannelMessage
func loginshellChannelMessage(h C.uintptr_t, message, source *C.char) {
	g := cgo.Handle(h).Value().(*webviewGuard)
	msg, ok := g.admit(C.GoString(message))
	if !ok {
		return
	}
	m := C.CString(msg)
	defer C.free(unsafe.Pointer(m))
	C.loginshellForward(m, source)
}

// wailsEntryLinked reports whether Wails' processBindingMessage, which
// the guard forwards to, is in this program.
func wailsEntryLinked() bool { return C.loginshellWailsEntryLinked() != 0 }
