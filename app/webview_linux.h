// Shared by webview_linux.go and webview_linux.c (and so _cgo_export.h).
#ifndef LOGINSHELL_WEBVIEW_LINUX_H
#define LOGINSHELL_WEBVIEW_LINUX_H

#include <stdint.h>

// How installing the guard ended (loginshellGuarded's status).
enum {
	LOGINSHELL_GUARDED = 0,
	LOGINSHELL_NO_ENTRY,              // Wails' processBindingMessage is not linked in
	LOGINSHELL_NO_WEBVIEW,            // no web view among the toplevel windows (yet)
	LOGINSHELL_MANY_WEBVIEWS,         // more than one: which is the window's?
	LOGINSHELL_NO_SIGNAL,             // WebKit has no script-message-received signal
	LOGINSHELL_HANDLERS_UNEXPECTED,   // not exactly one handler (Wails') was disconnected
};

int loginshellWailsEntryLinked(void);
void loginshellForward(char *message, char *source);
void loginshellGuardWebview(uintptr_t handle);

#endif
