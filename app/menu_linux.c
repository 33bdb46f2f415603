// The window's menus switched in place: see menu_linux.go.
#include <string.h>
#include <gtk/gtk.h>

// parkedKey names the list, on the menu bar, of the top-level items taken
// out of it (each holding a reference, its position in "loginshell-pos").
#define parkedKey "loginshell-parked"
#define posKey "loginshell-pos"

// isSignInItem: the top-level item labelled signInLabel.
static gboolean isSignInItem(GtkWidget *item, const char *signInLabel) {
	const char *label = gtk_menu_item_get_label(GTK_MENU_ITEM(item));
	return label != NULL && strcmp(label, signInLabel) == 0;
}

// switchMenus makes, in the menu bar bar, the top-level item labelled
// signInLabel present when signIn is set and every other item present
// when it is not. An item that is not wanted is taken out of the bar, not
// only hidden: GTK keeps a hidden item in the window's accessibility tree
// (a screen reader would list a menu the window does not show); taken
// out, it keeps its submenu and accelerators, which do nothing while the
// item has no parent (GtkMenuItem activates an accelerator only through
// a parent that can). An item put back goes where it was.
static void switchMenus(GtkWidget *bar, gboolean signIn, const char *signInLabel) {
	GList *parked = g_object_get_data(G_OBJECT(bar), parkedKey);
	GList *items = gtk_container_get_children(GTK_CONTAINER(bar));
	gint pos = 0;
	for (GList *l = items; l != NULL; l = l->next, pos++) {
		GtkWidget *item = GTK_WIDGET(l->data);
		if (!GTK_IS_MENU_ITEM(item) || isSignInItem(item, signInLabel) == signIn) {
			continue;
		}
		g_object_ref(item);
		g_object_set_data(G_OBJECT(item), posKey, GINT_TO_POINTER(pos));
		gtk_container_remove(GTK_CONTAINER(bar), item);
		parked = g_list_append(parked, item);
		pos--;
	}
	g_list_free(items);
	// Put back in order of position, so each goes where it was.
	GList *keep = NULL;
	for (GList *l = parked; l != NULL; l = l->next) {
		GtkWidget *item = GTK_WIDGET(l->data);
		if (isSignInItem(item, signInLabel) != signIn) {
			keep = g_list_append(keep, item);
			continue;
		}
		gtk_menu_shell_insert(GTK_MENU_SHELL(bar), item, GPOINTER_TO_INT(g_object_get_data(G_OBJECT(item), posKey)));
		gtk_widget_show(item);
		g_object_unref(item);
	}
	g_list_free(parked);
	g_object_set_data(G_OBJECT(bar), parkedKey, keep);
}

// showMenus switches the menus of every menu bar under w (the window has
// one, Wails' GtkMenuBar above the web view).
static void showMenus(GtkWidget *w, gboolean signIn, const char *signInLabel) {
	if (GTK_IS_MENU_BAR(w)) {
		switchMenus(w, signIn, signInLabel);
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
