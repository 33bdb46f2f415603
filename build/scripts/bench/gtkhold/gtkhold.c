/*
 * gtkhold: an LD_PRELOAD library that holds a Wails app at the door of
 * GTK, so `make bench` (build/scripts/bench, pss.go) can measure what the
 * process holds before GTK starts: Go's runtime, the program's package
 * initialisation and whatever it does before it opens its window.
 *
 * Wails calls gtk_init_check once, before the window exists. There this
 * library writes "gtk\n" to the file descriptor GTKHOLD_FD names, waits
 * for one byte on GTKHOLD_WAIT_FD (the bench has measured), then calls
 * GTK's own gtk_init_check. It takes itself out of LD_PRELOAD at load,
 * so the WebKit processes the app starts run without it. The bench's
 * timed runs never load it.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <unistd.h>

static int fd_of(const char *name) {
	const char *v = getenv(name);
	return v ? atoi(v) : -1;
}

__attribute__((constructor)) static void unpreload(void) { unsetenv("LD_PRELOAD"); }

int gtk_init_check(int *argc, char ***argv) {
	static int held;
	int out = fd_of("GTKHOLD_FD"), in = fd_of("GTKHOLD_WAIT_FD");
	if (!held && out >= 0 && in >= 0) {
		held = 1;
		char b;
		if (write(out, "gtk\n", 4) == 4) {
			while (read(in, &b, 1) < 0) {
			}
		}
		close(out);
		close(in);
	}
	int (*real)(int *, char ***) = (int (*)(int *, char ***))dlsym(RTLD_NEXT, "gtk_init_check");
	return real ? real(argc, argv) : 0;
}
