#!/usr/bin/env bash
# startloop.sh: the window's start-up, over and over, in the real window (WebKitGTK under Xvfb), as
# a person meets it, keyboard only: RUNS times (default 20)
#   1. a first start with --demo in a fresh data folder: the demo provider's sign-in page with the
#      keyboard in its user field; signed in there, the offline password set up, the starter app;
#   2. that station started again with --offline: the offline sign-in page; the password typed at
#      once and Enter, so the sign-in proves the keyboard was in its password field (the
#      accessibility tree says only that it is in the page's frame), the starter app.
# Words and the keyboard's place are read from the window's accessibility tree (a11y.py), progress
# from the binary's log. A start that hangs, shows something else or has the keyboard elsewhere
# ends the loop with what the window showed (build/artifacts/startloop-window.txt, the log in
# build/artifacts/startloop.log). For changes to how the window starts (issue 24.3): the first page
# is the one place such a change can break.
#
# Usage: build/scripts/startloop.sh [RUNS] [BINARY]   (default 20, build/bin/loginshell)
set -euo pipefail

cd "$(dirname "$0")/../.."
name=startloop
runs=${1:-20}
bin=$(realpath "${2:-build/bin/loginshell}")
artifacts=$PWD/build/artifacts
log=$artifacts/startloop.log
pid=
# shellcheck source=window-lib.sh
source build/scripts/window-lib.sh

# Re-run inside a fresh Xvfb and D-Bus session.
in_xvfb_session LOGINSHELL_STARTLOOP_IN_XVFB "$runs" "$bin"

work=$(mktemp -d)
seen=$work/window.txt
cleanup() {
	[[ -n "$pid" ]] && kill -KILL "$pid" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

# start ARGS...: the binary with ARGS, its output the log's (each start's log replaces the last).
start() {
	"$bin" "$@" >"$log" 2>&1 &
	pid=$!
	wait_window 60
}

started=$SECONDS
for run in $(seq 1 "$runs"); do
	data=$work/station-$run
	start --data "$data" --demo
	wait_text "heading 'Demo sign" 60 "run $run: the demo provider's sign-in page"
	wait_text "entry '[^']*' FOCUSED" 10 "run $run: the keyboard in the provider's user field"
	demo_sign_in startloop-offline-1 "run $run: "
	stop_binary

	start --data "$data" --offline
	wait_text "heading 'Offline sign-in'" 60 "run $run: the offline sign-in page"
	wait_text "password text 'Offline password'" 10 "run $run: the offline password field"
	xdotool type --delay 20 startloop-offline-1
	xdotool key Return
	wait_log 'starter app shown' 30 "run $run: the starter app after the offline sign-in"
	stop_binary
	rm -rf "$data"
	echo "$name: run $run of $runs: both starts reached their first page, keyboard in place, and signed in ($((SECONDS - started)) s so far)"
done
echo "$name: PASS ($runs runs of a first start with --demo and a start with --offline, each through its first page, in $((SECONDS - started)) s)"
