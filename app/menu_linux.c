// The window's menus switched in place: see menu_linux.go.
#include <string.h>
#include <gtk/gtk.h>

// showMenus sets, in every menu bar under w (the window has one, Wails'
// GtkMenuBar above the web view), the top-level item labelled signInLabel
// visible when signIn is set and every other item visible when it is not.
static void showMenus(GtkWidget *w, gboolean signIn, const char *signInLabel) {
	if (GTK_IS_MENU_BAR(w)) {
		GList *items = gtk_container_get_children(GTK_CONTAINER(w));
		for (GList *l = items; l != NULL; l = l->next) {
			if (!GTK_IS_MENU_ITEM(l->data)) {
				continue;
			}
			const char *label = gtk_menu_item_get_label(GTK_MENU_ITEM(l->data));
			gboolean isSignIn = label != NULL && strcmp(label, signInLabel) == 0;
			gtk_widget_set_visible(GTK_WIDGET(l->data), isSignIn ? signIn : !signIn);
		}
		g_list_free(items);
		return;
	}
	if (!GTK_IS_CONTAINER(w)) {
		return;
	}
	GList *kids = gtk_container_get_children(GTK_CONTAINER(w));
	for (GList *l = kids; l != NULL; l = l->next) {
		showMenus(GTK_WIDGET(l->data), signIn, signInLabel);
	}
	g_list_free(kids);
}

typedef struct {
	gboolean signIn;
	char *label;
} menuChange;

static gboolean applyIdle(gpointer data) {
	menuChange *c = data;
	GList *tops = gtk_window_list_toplevels();
	for (GList *l = tops; l != NULL; l = l->next) {
		showMenus(GTK_WIDGET(l->data), c->signIn, c->label);
	}
	g_list_free(tops);
	g_free(c->label);
	g_free(c);
	return G_SOURCE_REMOVE;
}

void loginshellSignInMenu(int signIn, const char *signInLabel) {
	menuChange *c = g_new0(menuChange, 1);
	c->signIn = signIn ? TRUE : FALSE;
	c->label = g_strdup(signInLabel);
	g_idle_add(applyIdle, c);
}
