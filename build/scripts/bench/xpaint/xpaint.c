/*
 * xpaint: starts a command on the X display and reports, from the X server
 * itself, when its window is mapped and when the screen last changed.
 * `make bench` (build/scripts/bench) times start-ups with it: the final
 * screen a person sees, not a guess from the process.
 *
 * The screen's changes come from the DAMAGE extension on the root window
 * (raw rectangles: every drawing of any window), not from screenshots.
 * A change smaller than MIN_AREA pixels (a text caret blinking) does not
 * count; a spinner does, so a "loading" screen is never final.
 *
 * Usage: xpaint QUIET_MS TIMEOUT_MS -- COMMAND [ARG]...
 * Prints on stdout, times in milliseconds since COMMAND was started:
 *   pid PID
 *   map MS       the first window of at least 200x200 mapped on the root
 *   final MS     the last change before QUIET_MS without one (after map)
 * and exits 0, leaving COMMAND running (the caller measures and stops it).
 * Exit 2: TIMEOUT_MS passed first; 3: COMMAND exited first; 1: X failed.
 * With XPAINT_TRACE set, every change that counts goes to stderr as
 * "paint MS WxH+X+Y" (to see what a start-up paints when). With
 * XPAINT_PROBE=X,Y set, it also prints
 *   probe MS     the first change after which the pixel at X,Y (on the
 *                root) is dark: loginshell's chrome (its dark header) is
 *                painted, not only the window's blank background
 * With XPAINT_SHOTS=DIR set, the screen after each change that counts is
 * written to DIR/MS.ppm (what each of a start-up's paints showed; the
 * reading itself takes a few ms, so do not time with it).
 */
#define _GNU_SOURCE
#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include <X11/extensions/Xdamage.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MIN_AREA 400

static struct timespec t0;

static double ms_since_start(void) {
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0.tv_sec) * 1e3 + (t.tv_nsec - t0.tv_nsec) / 1e6;
}

/* dark: each channel of the pixel at x,y below half its range. */
static int dark(Display *dpy, Window root, int x, int y) {
	XImage *img = XGetImage(dpy, root, x, y, 1, 1, AllPlanes, ZPixmap);
	if (!img) return 0;
	unsigned long p = XGetPixel(img, 0, 0);
	int is = ((p >> 16) & 0xff) < 0x80 && ((p >> 8) & 0xff) < 0x80 && (p & 0xff) < 0x80;
	XDestroyImage(img);
	return is;
}

/* shot writes the root window to dir/MS.ppm (binary PPM). */
static void shot(Display *dpy, Window root, const char *dir, double ms) {
	XWindowAttributes wa;
	if (!XGetWindowAttributes(dpy, root, &wa)) return;
	XImage *img = XGetImage(dpy, root, 0, 0, wa.width, wa.height, AllPlanes, ZPixmap);
	if (!img) return;
	char path[4096];
	snprintf(path, sizeof path, "%s/%06.1f.ppm", dir, ms);
	FILE *f = fopen(path, "wb");
	if (f) {
		fprintf(f, "P6\n%d %d\n255\n", wa.width, wa.height);
		for (int y = 0; y < wa.height; y++) {
			for (int x = 0; x < wa.width; x++) {
				unsigned long p = XGetPixel(img, x, y);
				unsigned char rgb[3] = {(p >> 16) & 0xff, (p >> 8) & 0xff, p & 0xff};
				fwrite(rgb, 1, 3, f);
			}
		}
		fclose(f);
	}
	XDestroyImage(img);
}

int main(int argc, char **argv) {
	if (argc < 5 || strcmp(argv[3], "--") != 0) {
		fprintf(stderr, "usage: xpaint QUIET_MS TIMEOUT_MS -- COMMAND [ARG]...\n");
		return 1;
	}
	double quiet = atof(argv[1]), timeout = atof(argv[2]);
	int trace = getenv("XPAINT_TRACE") != NULL; /* every counted change on stderr */
	const char *shots = getenv("XPAINT_SHOTS");
	int probe_x = -1, probe_y = -1;
	if (getenv("XPAINT_PROBE") && sscanf(getenv("XPAINT_PROBE"), "%d,%d", &probe_x, &probe_y) != 2) {
		fprintf(stderr, "xpaint: XPAINT_PROBE is X,Y\n");
		return 1;
	}
	Display *dpy = XOpenDisplay(NULL);
	if (!dpy) {
		fprintf(stderr, "xpaint: cannot open the display (DISPLAY=%s)\n", getenv("DISPLAY") ? getenv("DISPLAY") : "");
		return 1;
	}
	int dmg_event, dmg_error;
	if (!XDamageQueryExtension(dpy, &dmg_event, &dmg_error)) {
		fprintf(stderr, "xpaint: the X server has no DAMAGE extension\n");
		return 1;
	}
	Window root = DefaultRootWindow(dpy);
	XSelectInput(dpy, root, SubstructureNotifyMask);
	XDamageCreate(dpy, root, XDamageReportRawRectangles);
	XSync(dpy, False);

	fflush(stdout);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid_t pid = fork();
	if (pid < 0) {
		perror("xpaint: fork");
		return 1;
	}
	if (pid == 0) {
		close(ConnectionNumber(dpy));
		setpgid(0, 0); /* the caller stops the whole group */
		execvp(argv[4], argv + 4);
		perror("xpaint: exec");
		_exit(127);
	}
	printf("pid %d\n", (int)pid);
	fflush(stdout);

	double mapped = -1, last = -1;
	int fd = ConnectionNumber(dpy);
	for (;;) {
		while (XPending(dpy)) {
			XEvent ev;
			XNextEvent(dpy, &ev);
			double now = ms_since_start();
			if (ev.type == MapNotify && mapped < 0) {
				XWindowAttributes wa;
				if (XGetWindowAttributes(dpy, ev.xmap.window, &wa) && wa.width >= 200 && wa.height >= 200) {
					mapped = now;
					printf("map %.1f\n", mapped);
					fflush(stdout);
				}
			} else if (ev.type == dmg_event + XDamageNotify) {
				XDamageNotifyEvent *d = (XDamageNotifyEvent *)&ev;
				if (mapped >= 0 && (long)d->area.width * d->area.height >= MIN_AREA) {
					last = now;
					if (trace) fprintf(stderr, "paint %.1f %dx%d+%d+%d\n", now, d->area.width, d->area.height, d->area.x, d->area.y);
					if (shots) shot(dpy, root, shots, now);
					if (probe_x >= 0 && dark(dpy, root, probe_x, probe_y)) {
						printf("probe %.1f\n", now);
						fflush(stdout);
						probe_x = -1; /* once */
					}
				}
			}
		}
		double now = ms_since_start();
		if (last >= 0 && now - last >= quiet) {
			printf("final %.1f\n", last);
			fflush(stdout);
			return 0;
		}
		if (now >= timeout) {
			printf("timeout %.1f\n", now);
			return 2;
		}
		int status;
		if (waitpid(pid, &status, WNOHANG) == pid) {
			printf("exited %d\n", status);
			return 3;
		}
		fd_set fds;
		FD_ZERO(&fds);
		FD_SET(fd, &fds);
		struct timeval tv = {0, 20000}; /* wake to check the quiet period and the child */
		if (select(fd + 1, &fds, NULL, NULL, &tv) < 0 && errno != EINTR) {
			perror("xpaint: select");
			return 1;
		}
	}
}
