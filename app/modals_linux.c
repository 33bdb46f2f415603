// The window's answer to a page's alert, confirm and prompt while the
// signature dialog is open: see modals_linux.go.
#include <gtk/gtk.h>
#include <webkit2/webkit2.h>
#include <stdint.h>

extern int loginshellHoldModal(uintptr_t hold);

// Runs on the GTK main thread for every script dialog of the webview, the
// chrome's and every frame's. With a signature dialog open it answers at
// once, as a person who cancelled would (alert closed, confirm false,
// prompt null; a page leaving is let go), and shows nothing; otherwise
// WebKitGTK shows the dialog as usual.
static gboolean loginshellScriptDialog(WebKitWebView *view, WebKitScriptDialog *dialog, gpointer hold) {
	if (!loginshellHoldModal((uintptr_t)hold)) {
		return FALSE;
	}
	switch (webkit_script_dialog_get_dialog_type(dialog)) {
	case WEBKIT_SCRIPT_DIALOG_CONFIRM:
		webkit_script_dialog_confirm_set_confirmed(dialog, FALSE);
		break;
	case WEBKIT_SCRIPT_DIALOG_BEFORE_UNLOAD_CONFIRM:
		webkit_script_dialog_confirm_set_confirmed(dialog, TRUE);
		break;
	case WEBKIT_SCRIPT_DIALOG_PROMPT:
		webkit_script_dialog_prompt_set_text(dialog, NULL);
		break;
	default:
		break;
	}
	return TRUE;
}

static gboolean loginshellConnectModals(GtkWidget *w, uintptr_t hold) {
	if (WEBKIT_IS_WEB_VIEW(w)) {
		if (g_object_get_data(G_OBJECT(w), "loginshell-modals") == NULL) {
			g_object_set_data(G_OBJECT(w), "loginshell-modals", GINT_TO_POINTER(1));
			g_signal_connect(w, "script-dialog", G_CALLBACK(loginshellScriptDialog), (gpointer)hold);
		}
		return TRUE;
	}
	if (GTK_IS_CONTAINER(w)) {
		GList *children = gtk_container_get_children(GTK_CONTAINER(w));
		gboolean found = FALSE;
		for (GList *l = children; l != NULL && !found; l = l->next) {
			found = loginshellConnectModals(GTK_WIDGET(l->data), hold);
		}
		g_list_free(children);
		return found;
	}
	return FALSE;
}

typedef struct {
	uintptr_t hold;
	int tries;
} loginshellModalsJob;

// Runs on the GTK main loop every 100 ms until the webview is there (Wails
// creates it before OnStartup; the retries are for safety), at most 5 s.
static gboolean loginshellModalsTick(gpointer data) {
	loginshellModalsJob *job = data;
	gboolean found = FALSE;
	GList *tops = gtk_window_list_toplevels();
	for (GList *l = tops; l != NULL && !found; l = l->next) {
		found = loginshellConnectModals(GTK_WIDGET(l->data), job->hold);
	}
	g_list_free(tops);
	if (found || ++job->tries >= 50) {
		g_free(job);
		return G_SOURCE_REMOVE;
	}
	return G_SOURCE_CONTINUE;
}

void loginshellHoldModals(uintptr_t hold) {
	loginshellModalsJob *job = g_new0(loginshellModalsJob, 1);
	job->hold = hold;
	g_timeout_add(100, loginshellModalsTick, job);
}
