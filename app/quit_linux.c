// The window's quit on SIGTERM and SIGINT: see quit_linux.go.
#include <gtk/gtk.h>

static gboolean loginshellQuitIdle(gpointer data) {
	(void)data;
	gtk_main_quit();
	return G_SOURCE_REMOVE;
}

void loginshellQuit(void) {
	g_idle_add(loginshellQuitIdle, NULL);
}
