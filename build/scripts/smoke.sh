#!/usr/bin/env bash
# smoke.sh: does the production binary open a window that shows something,
# and quit cleanly on SIGTERM? Runs it in window mode (--demo, a fresh data
# directory) on a virtual X display, then:
#   1. waits up to 60 s for a window named "loginshell" (xwininfo);
#   2. gives the page a few seconds to render and screenshots the screen to
#      build/artifacts/smoke.png (kept for people to look at);
#   3. requires more than MIN_COLOURS distinct colours (a blank or solid
#      window has a handful);
#   4. sends SIGTERM and requires exit status 0 within 15 s;
#   5. fails if the binary printed a Go panic.
# The binary's output is kept in build/artifacts/smoke.log.
#
# Usage: build/scripts/smoke.sh [BINARY]   (default build/bin/loginshell)
set -euo pipefail

cd "$(dirname "$0")/../.."
bin=$(realpath "${1:-build/bin/loginshell}")
artifacts=$PWD/build/artifacts
shot=$artifacts/smoke.png
log=$artifacts/smoke.log
MIN_COLOURS=${MIN_COLOURS:-30}
RENDER_SECONDS=${RENDER_SECONDS:-5}

fail() {
	echo "smoke: FAIL: $*" >&2
	if [[ -s "$log" ]]; then
		echo "---- last 40 lines of $log" >&2
		tail -n 40 "$log" >&2
		echo "----" >&2
	fi
	exit 1
}

# Re-run this script inside a fresh Xvfb; the steps below need its DISPLAY.
if [[ -z "${LOGINSHELL_SMOKE_IN_XVFB:-}" ]]; then
	[[ -x "$bin" ]] || fail "no binary at $bin (run make build)"
	for tool in xvfb-run xwininfo import convert xdotool; do
		command -v "$tool" >/dev/null || fail "$tool is missing (run build/scripts/deps.sh)"
	done
	mkdir -p "$artifacts"
	rm -f "$shot" "$log"
	export LOGINSHELL_SMOKE_IN_XVFB=1
	exec xvfb-run -a -s "-screen 0 1280x800x24" "$0" "$bin"
fi

data=$(mktemp -d)
pid=
cleanup() {
	if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
		kill -KILL "$pid" 2>/dev/null || true
	fi
	rm -rf "$data"
}
trap cleanup EXIT

echo "smoke: starting $bin --data $data --demo on display $DISPLAY"
"$bin" --data "$data" --demo >"$log" 2>&1 &
pid=$!

echo "smoke: waiting up to 60 s for a window named loginshell"
found=
for _ in $(seq 1 120); do
	if ! kill -0 "$pid" 2>/dev/null; then
		wait "$pid" && status=0 || status=$?
		pid=
		fail "the binary exited (status $status) before opening a window"
	fi
	if xwininfo -root -tree 2>/dev/null | grep -q '"loginshell"'; then
		found=1
		break
	fi
	sleep 0.5
done
[[ -n "$found" ]] || fail "no window named loginshell after 60 s; windows: $(xwininfo -root -tree | grep -c '"' || true)"
echo "smoke: window is up; waiting ${RENDER_SECONDS} s for it to render"
sleep "$RENDER_SECONDS"

kill -0 "$pid" 2>/dev/null || fail "the binary exited while rendering"
import -window root "$shot" || fail "could not take a screenshot"
colours=$(convert "$shot" -format %k info:)
echo "smoke: screenshot $shot has $colours distinct colours (need more than $MIN_COLOURS)"
((colours > MIN_COLOURS)) || fail "the screen looks blank ($colours colours); see $shot"

# Sign in through the real window: the demo provider's form has focus on
# the username field; then the first-time offline setup page; then the
# starter app. Progress is read from the binary's log, not from pixels.
wait_log() { # pattern, seconds, what
	for _ in $(seq 1 $(($2 * 2))); do
		grep -q "$1" "$log" && return 0
		kill -0 "$pid" 2>/dev/null || fail "the binary exited while waiting for $3"
		sleep 0.5
	done
	fail "no $3 after $2 s"
}
echo "smoke: signing in as operator through the window"
xdotool type --delay 30 operator
xdotool key Tab
xdotool type --delay 30 operator-demo
xdotool key Return
wait_log 'command=setup' 30 "offline setup page"
sleep 2
xdotool type --delay 30 smoke-offline-1
xdotool key Tab
xdotool type --delay 30 smoke-offline-1
xdotool key Return
wait_log 'offline password set up' 30 "saved offline password"
wait_log 'starter app shown' 30 "starter app"
sleep "$RENDER_SECONDS"
import -window root "$artifacts/smoke-starter.png" || fail "could not take the second screenshot"
colours2=$(convert "$artifacts/smoke-starter.png" -format %k info:)
echo "smoke: starter app screenshot has $colours2 distinct colours"
((colours2 > MIN_COLOURS)) || fail "the starter app looks blank; see $artifacts/smoke-starter.png"

echo "smoke: sending SIGTERM"
kill -TERM "$pid"
status=timeout
for _ in $(seq 1 30); do
	if ! kill -0 "$pid" 2>/dev/null; then
		wait "$pid" && status=0 || status=$?
		pid=
		break
	fi
	sleep 0.5
done
[[ "$status" != timeout ]] || fail "still running 15 s after SIGTERM"
[[ "$status" == 0 ]] || fail "exit status $status after SIGTERM, want 0"

# Dialogs: a page written for the mobile container uses confirm() and
# alert(); the window must show them (WebKitGTK's own dialogs) and return
# the answer. The page reports through /pmapi/log. The same data directory
# A new run signs in again; its boot document has no offline package, so
# the page comes straight after the sign-in.
dialogs_log=$artifacts/smoke-dialogs.log
"$bin" --data "$data" --demo --boot "$PWD/build/scripts/dialogs/boot.json" >"$dialogs_log" 2>&1 &
pid=$!
log=$dialogs_log
for _ in $(seq 1 120); do
	xwininfo -root -tree 2>/dev/null | grep -q '"loginshell"' && break
	sleep 0.5
done
sleep "$RENDER_SECONDS"
echo "smoke: dialogs: signing in again"
xdotool type --delay 30 operator
xdotool key Tab
xdotool type --delay 30 operator-demo
xdotool key Return
wait_log 'starter app shown' 30 "dialog page"
sleep 3
import -window root "$artifacts/smoke-confirm.png" || true
xdotool key Return # OK on confirm()
wait_log 'dialogs: confirm answered true' 20 "confirm() answer"
sleep 1
xdotool key Return # OK on alert()
wait_log 'dialogs: alert closed' 20 "alert() closed"
echo "smoke: dialogs: confirm() and alert() shown and answered in the window"
kill -TERM "$pid"
for _ in $(seq 1 30); do
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.5
done
kill -0 "$pid" 2>/dev/null && fail "dialogs run: still running 15 s after SIGTERM"
wait "$pid" && status=0 || status=$?
pid=
[[ "$status" == 0 ]] || fail "dialogs run: exit status $status after SIGTERM, want 0"

log=$artifacts/smoke.log
if grep -qE '^(panic: |fatal error: )' "$log" "$dialogs_log"; then
	fail "the binary printed a Go panic"
fi
echo "smoke: PASS (window up, $colours colours; signed in and set up offline through the window, starter $colours2 colours; clean exit on SIGTERM; confirm() and alert() work)"
