package app

/*
#cgo linux pkg-config: gtk+-3.0
#cgo !webkit2_41 pkg-config: webkit2gtk-4.0
#cgo webkit2_41 pkg-config: webkit2gtk-4.1
#include <gtk/gtk.h>
#include <webkit2/webkit2.h>

static void loginshellEnableExtras(GtkWidget *w, gpointer data) {
	if (WEBKIT_IS_WEB_VIEW(w)) {
		webkit_settings_set_enable_developer_extras(webkit_web_view_get_settings(WEBKIT_WEB_VIEW(w)), TRUE);
		return;
	}
	if (GTK_IS_CONTAINER(w)) {
		gtk_container_forall(GTK_CONTAINER(w), loginshellEnableExtras, data);
	}
}

// Runs on the GTK main thread (g_idle_add), the only one that may touch widgets.
static gboolean loginshellEnableInspector(gpointer data) {
	GList *tops = gtk_window_list_toplevels();
	for (GList *l = tops; l != NULL; l = l->next) {
		loginshellEnableExtras(GTK_WIDGET(l->data), data);
	}
	g_list_free(tops);
	return G_SOURCE_REMOVE;
}

static void loginshellScheduleInspector(void) {
	g_idle_add(loginshellEnableInspector, NULL);
}
*/
import "C"

// enableInspector turns on WebKitGTK's developer extras in the window's
// webview: "Inspect Element" in the context menu, for the chrome and the
// hosted pages alike. Wails enables them only in debug builds (or with the
// devtools build tag); a production build reaches the webview through
// GTK's list of windows instead, without patching Wails. Safe from any
// goroutine: the work is queued to the GTK main loop.
func enableInspector() bool {
	C.loginshellScheduleInspector()
	return true
}
