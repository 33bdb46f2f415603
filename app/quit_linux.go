package app

/*
#cgo linux pkg-config: gtk+-3.0
void loginshellQuit(void);
*/
import "C"

// quitOnMainThread ends the window's GTK main loop from the main loop
// itself. GTK is not thread-safe: gtk_main_quit called from a signal's
// goroutine (what runtime.Quit and Wails' own Ctrl+C handler do) races the
// main loop and crashed the window on SIGTERM ("signal arrived during cgo
// execution", a SIGSEGV inside gtk_main_quit). g_idle_add is the one GTK
// call that is safe from any thread. Safe from any goroutine.
func quitOnMainThread(Runtime) { C.loginshellQuit() }
