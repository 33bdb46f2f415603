// The C half of webview_linux.go: see webviewGuard (webview.go) for why.
#include <stdint.h>
#include <gtk/gtk.h>
#include <webkit2/webkit2.h>
#include "_cgo_export.h"
#include "webview_linux.h"

// Wails' own entry point for a message posted on the channel
// (internal/frontend/desktop/linux, //export processBindingMessage). Weak:
// cgo links this package's C on its own first, where Wails' is absent;
// the program's link resolves it. NULL means this Wails has none.
extern void processBindingMessage(char *message, char *source) __attribute__((weak));

int loginshellWailsEntryLinked(void) { return processBindingMessage != NULL; }

void loginshellForward(char *message, char *source) { processBindingMessage(message, source); }

// onMessage replaces Wails' sendMessageToBackend (window.c): the same
// message and source, handed to Go's webviewGuard instead of to Wails.
static void onMessage(WebKitUserContentManager *manager, WebKitJavascriptResult *result, gpointer data) {
	WebKitWebView *view = WEBKIT_WEB_VIEW(g_object_get_data(G_OBJECT(manager), "webview"));
	const char *uri = view ? webkit_web_view_get_uri(view) : NULL;
	char *source = g_strdup(uri ? uri : "");
	char *message = jsc_value_to_string(webkit_javascript_result_get_js_value(result));
	loginshellChannelMessage((uintptr_t)data, message, source);
	g_free(message);
	g_free(source);
}

// refuseFraming keeps the chrome out of every frame: a response from the
// chrome's scheme (wails://) for any frame but the main one is ignored,
// and the frame stays empty. The chrome frames nothing of its own origin
// (pages have theirs, the identity provider its own). It stands for the
// chrome's frame-ancestors 'none' (gateway.Unframed), which WebKitGTK
// does not apply to the answers of a custom URI scheme: a hosted page
// that framed wails://wails/ got the chrome rendered inside it.
static gboolean refuseFraming(WebKitWebView *view, WebKitPolicyDecision *decision, WebKitPolicyDecisionType type, gpointer data) {
	if (type != WEBKIT_POLICY_DECISION_TYPE_RESPONSE) {
		return FALSE;
	}
	WebKitResponsePolicyDecision *response = WEBKIT_RESPONSE_POLICY_DECISION(decision);
	if (webkit_response_policy_decision_is_main_frame_main_resource(response)) {
		return FALSE;
	}
	const char *uri = webkit_uri_request_get_uri(webkit_response_policy_decision_get_request(response));
	if (uri == NULL || g_ascii_strncasecmp(uri, "wails:", 6) != 0) {
		return FALSE;
	}
	webkit_policy_decision_ignore(decision);
	return TRUE;
}

// The last drag's file URIs, from a drag that started outside the window,
// and that drag: a drop takes them only when it is the same drag.
static GdkDragContext *dragContext = NULL;
static gchar **dragURIs = NULL;

static void forgetDrag(void) {
	g_strfreev(dragURIs);
	dragURIs = NULL;
	dragContext = NULL;
}

// dragDataReceived keeps the URIs WebKit fetches as a drag moves over
// the web view (it needs them for the document's drag events). A drag
// that started in this window has a source widget: a page's own drag,
// whose URI list the page wrote and may name any file, so it is never
// kept.
static void dragDataReceived(GtkWidget *view, GdkDragContext *context, gint x, gint y, GtkSelectionData *data, guint info, guint time, gpointer handle) {
	if (gtk_drag_get_source_widget(context) != NULL) {
		forgetDrag();
		return;
	}
	gchar **uris = gtk_selection_data_get_uris(data);
	if (uris == NULL) {
		return;
	}
	forgetDrag();
	dragURIs = uris;
	dragContext = context;
}

// dragDrop hands the dropped files' paths to Go, then lets WebKit go on:
// the document under the drop hears it, and only the chrome's asks Go to
// install it (Shell.InstallDrop); a page's gets no file.
static gboolean dragDrop(GtkWidget *view, GdkDragContext *context, gint x, gint y, guint time, gpointer handle) {
	if (gtk_drag_get_source_widget(context) != NULL) {
		forgetDrag();
		loginshellInnerDrop((uintptr_t)handle);
		return FALSE;
	}
	if (context != dragContext || dragURIs == NULL) {
		forgetDrag();
		return FALSE;
	}
	GPtrArray *paths = g_ptr_array_new_with_free_func(g_free);
	for (gchar **u = dragURIs; *u != NULL; u++) {
		gchar *path = g_filename_from_uri(*u, NULL, NULL); // NULL for anything but a local file
		g_ptr_array_add(paths, path != NULL ? path : g_strdup(""));
	}
	forgetDrag();
	loginshellDropped((uintptr_t)handle, (char **)paths->pdata, (int)paths->len);
	g_ptr_array_free(paths, TRUE);
	return FALSE;
}

static void findWebViews(GtkWidget *w, gpointer found) {
	if (WEBKIT_IS_WEB_VIEW(w)) {
		g_ptr_array_add((GPtrArray *)found, w);
		return;
	}
	if (GTK_IS_CONTAINER(w)) {
		gtk_container_forall(GTK_CONTAINER(w), findWebViews, found);
	}
}

// guard runs on the GTK main thread, the only one that may touch widgets.
static gboolean guard(gpointer data) {
	uintptr_t handle = (uintptr_t)data;
	if (!loginshellWailsEntryLinked()) {
		loginshellGuarded(handle, LOGINSHELL_NO_ENTRY);
		return G_SOURCE_REMOVE;
	}
	GPtrArray *found = g_ptr_array_new();
	GList *tops = gtk_window_list_toplevels();
	for (GList *l = tops; l != NULL; l = l->next) {
		findWebViews(GTK_WIDGET(l->data), found);
	}
	g_list_free(tops);
	if (found->len != 1) {
		int status = found->len == 0 ? LOGINSHELL_NO_WEBVIEW : LOGINSHELL_MANY_WEBVIEWS;
		g_ptr_array_free(found, TRUE);
		loginshellGuarded(handle, status);
		return G_SOURCE_REMOVE;
	}
	WebKitWebView *view = WEBKIT_WEB_VIEW(g_ptr_array_index(found, 0));
	g_ptr_array_free(found, TRUE);
	g_signal_connect(view, "decide-policy", G_CALLBACK(refuseFraming), NULL);
	g_signal_connect(view, "drag-data-received", G_CALLBACK(dragDataReceived), (gpointer)handle);
	g_signal_connect(view, "drag-drop", G_CALLBACK(dragDrop), (gpointer)handle);
	WebKitUserContentManager *manager = webkit_web_view_get_user_content_manager(view);
	guint id;
	GQuark detail;
	if (!g_signal_parse_name("script-message-received::external", WEBKIT_TYPE_USER_CONTENT_MANAGER, &id, &detail, FALSE)) {
		loginshellGuarded(handle, LOGINSHELL_NO_SIGNAL);
		return G_SOURCE_REMOVE;
	}
	// By id and detail, whatever function Wails' handler has. Not
	// g_signal_handlers_disconnect_matched: it disconnects nothing unless
	// the mask names a closure, function or data too.
	guint n = 0;
	gulong handler;
	while ((handler = g_signal_handler_find(manager, G_SIGNAL_MATCH_ID | G_SIGNAL_MATCH_DETAIL, id, detail, NULL, NULL, NULL)) != 0) {
		g_signal_handler_disconnect(manager, handler);
		n++;
	}
	g_signal_connect(manager, "script-message-received::external", G_CALLBACK(onMessage), (gpointer)handle);
	loginshellGuarded(handle, n == 1 ? LOGINSHELL_GUARDED : LOGINSHELL_HANDLERS_UNEXPECTED);
	return G_SOURCE_REMOVE;
}

void loginshellGuardWebview(uintptr_t handle) { g_idle_add(guard, (gpointer)handle); }
