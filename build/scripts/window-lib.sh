# window-lib.sh: what the window tests (smoke.sh, firsthour.sh) share.
# Source it after setting:
#   name  the script's name, for messages
#   log   the binary's log file (wait_log reads it; fail shows its tail)
#   pid   the binary's process id ("" when none runs)
#   seen  where the window's words are read to (read_window; walk.sh, startloop.sh), under a
#         folder of the script's own, with artifacts the folder a failure copies them to

# fail prints why, the log's last lines, and exits 1.
fail() {
	echo "$name: FAIL: $*" >&2
	if [[ -s "$log" ]]; then
		echo "---- last 40 lines of $log" >&2
		tail -n 40 "$log" >&2
		echo "----" >&2
	fi
	exit 1
}

# wait_log PATTERN SECONDS WHAT: waits for the binary to log PATTERN (grep).
# Progress is read from the log, not from pixels.
wait_log() {
	for _ in $(seq 1 $(($2 * 2))); do
		grep -q -- "$1" "$log" && return 0
		kill -0 "$pid" 2>/dev/null || fail "the binary exited while waiting for $3"
		sleep 0.5
	done
	fail "no $3 after $2 s"
}

# wait_window SECONDS: waits for a window named loginshell.
wait_window() {
	for _ in $(seq 1 $(($1 * 2))); do
		if ! kill -0 "$pid" 2>/dev/null; then
			wait "$pid" && status=0 || status=$?
			pid=
			fail "the binary exited (status $status) before opening a window"
		fi
		xwininfo -root -tree 2>/dev/null | grep -q '"loginshell"' && return 0
		sleep 0.5
	done
	fail "no window named loginshell after $1 s"
}

# stop_binary: SIGTERM, and exit status 0 within 15 s.
stop_binary() {
	kill -TERM "$pid"
	local status=timeout
	for _ in $(seq 1 30); do
		if ! kill -0 "$pid" 2>/dev/null; then
			wait "$pid" && status=0 || status=$?
			break
		fi
		sleep 0.5
	done
	[[ "$status" != timeout ]] || fail "still running 15 s after SIGTERM"
	pid=
	[[ "$status" == 0 ]] || fail "exit status $status after SIGTERM, want 0"
}

# in_xvfb_session VAR ARG...: unless VAR is set, runs this script again with ARGs inside a fresh
# Xvfb and D-Bus session (the accessibility bus starts on demand in it: read_window) and ends
# with it, after checking the tools and clearing this script's artifacts ($artifacts/$name*).
# $bin must be set.
in_xvfb_session() {
	local var=$1
	shift
	[[ -z "${!var:-}" ]] || return 0
	[[ -x "$bin" ]] || fail "no binary at $bin (run make build)"
	for tool in xvfb-run xwininfo import xdotool dbus-run-session; do
		command -v "$tool" >/dev/null || fail "$tool is missing (run build/scripts/deps.sh)"
	done
	/usr/bin/python3 -c 'import gi; gi.require_version("Atspi", "2.0"); from gi.repository import Atspi' 2>/dev/null ||
		fail "python3-gi or gir1.2-atspi-2.0 is missing (run build/scripts/deps.sh)"
	mkdir -p "$artifacts"
	rm -f "$artifacts/$name"*
	export "$var=1"
	# The session's daemons say they started, and that they may not raise their file limit.
	xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- "$0" "$@" \
		2> >(sed -u '/^dbus-daemon\[/d' >&2) | sed -u '/^SpiRegistry daemon is running/d'
	exit 0 # a failure has ended the script already (set -e, pipefail)
}

# demo_sign_in OFFLINE_PASSWORD WHAT: on the demo provider's page, the keyboard in its user field,
# signs in as operator, sets up OFFLINE_PASSWORD on the offline setup page that follows, and waits
# for the starter app; WHAT begins the failures' words ("run 3: ", or nothing).
demo_sign_in() {
	xdotool type --delay 20 operator
	xdotool key Tab
	xdotool type --delay 20 operator-demo
	xdotool key Return
	wait_log 'command=setup user=operator' 30 "${2}operator's offline setup page"
	wait_text "password text" 20 "${2}the offline setup page's fields"
	xdotool type --delay 20 "$1"
	xdotool key Tab
	xdotool type --delay 20 "$1"
	xdotool key Return
	wait_log 'starter app shown' 30 "${2}the starter app after the online sign-in"
}

# shot NAME: screenshots the screen to $artifacts/NAME.
shot() {
	import -window root "$artifacts/$1" || fail "could not take the screenshot $1"
}

# The window read as a screen reader reads it: its accessibility tree on the AT-SPI bus
# (build/scripts/a11y.py, in a D-Bus session), outside the shell's process, where no hosted page
# reaches.
# read_window: the window's accessibility tree into $seen.
read_window() { /usr/bin/python3 build/scripts/a11y.py >"$seen" 2>"$seen.err"; }
# shown: what the window said at the last reading, for a failure's message: the lines with
# words, without the indentation (all of it stays in $artifacts/$name-window.txt).
shown() {
	cp "$seen" "$artifacts/$name-window.txt" 2>/dev/null || true
	grep -E "'|text=|FOCUSED" "$seen" | sed -E 's/^ +//' | grep -vE '^(menu|menu item) ' | head -n 40 | sed 's/^/    /'
}
# wait_text PATTERN SECONDS WHAT: waits for the window to show PATTERN (grep -E).
wait_text() {
	for _ in $(seq 1 $(($2 * 2))); do
		read_window && grep -qE -- "$1" "$seen" && return 0
		kill -0 "$pid" 2>/dev/null || fail "the binary exited while waiting for $3"
		sleep 0.5
	done
	fail "expected $3 in the window after $2 s (/$1/); it shows:
$(shown)"
}
# gone_text PATTERN SECONDS WHAT: waits for the window to stop showing PATTERN.
gone_text() {
	for _ in $(seq 1 $(($2 * 2))); do
		read_window && ! grep -qE -- "$1" "$seen" && return 0
		sleep 0.5
	done
	fail "expected $3 after $2 s, but the window still shows /$1/:
$(shown)"
}
# keyboard_on ROLE NAME: fails unless the element with the keyboard is that one.
keyboard_on() {
	read_window
	grep -F "$1 '$2'" "$seen" | grep -q ' FOCUSED$' ||
		fail "expected the keyboard on the $1 \"$2\"; it is on: $(grep FOCUSED "$seen" | sed -E 's/^ +//' | tr '\n' ';')"
}
