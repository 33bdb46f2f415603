// The window's Sign-in menu, shown and taken away: see menu_linux.go.
#include <gtk/gtk.h>

// setBars shows or hides every menu bar under w (the window has one,
// Wails' GtkMenuBar above the web view).
static void setBars(GtkWidget *w, gboolean shown) {
	if (GTK_IS_MENU_BAR(w)) {
		gtk_widget_set_visible(w, shown);
		return;
	}
	if (!GTK_IS_CONTAINER(w)) {
		return;
	}
	GList *kids = gtk_container_get_children(GTK_CONTAINER(w));
	for (GList *l = kids; l != NULL; l = l->next) {
		setBars(GTK_WIDGET(l->data), shown);
	}
	g_list_free(kids);
}

static gboolean applyIdle(gpointer data) {
	gboolean shown = GPOINTER_TO_INT(data);
	GList *tops = gtk_window_list_toplevels();
	for (GList *l = tops; l != NULL; l = l->next) {
		setBars(GTK_WIDGET(l->data), shown);
	}
	g_list_free(tops);
	return G_SOURCE_REMOVE;
}

void loginshellSignInMenu(int shown) {
	g_idle_add(applyIdle, GINT_TO_POINTER(shown ? 1 : 0));
}
