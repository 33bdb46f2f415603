#!/usr/bin/env bash
# firsthour.sh: the operator's first hour in the real window (issue 11), on
# a virtual X display at 1280x800, keyboard only, with a screenshot of each
# step in build/artifacts/firsthour-*.png:
#   1. first start with no login server: the form, calm, focus in the field;
#   2. a wrong address: the error names it and keeps it in the field;
#   3. corrected (select all, type the right one): the organisation's sign-in
#      page (a demo provider run by `loginshell serve --demo` elsewhere);
#   4. operator signs in and sets up an offline password: the starter app;
#   5. operator logs out, supervisor signs in and sets up a password too;
#   6. a restart with --offline: the offline sign-in page for the last user;
#   7. the second user (operator) types their name and signs in offline.
# Each step waits for the binary's log line that says it happened.
#
# Usage: build/scripts/firsthour.sh [BINARY]   (default build/bin/loginshell)
set -euo pipefail

cd "$(dirname "$0")/../.."
name=firsthour
bin=$(realpath "${1:-build/bin/loginshell}")
artifacts=$PWD/build/artifacts
log=$artifacts/firsthour.log
pid=
# shellcheck source=window-lib.sh
source build/scripts/window-lib.sh

if [[ -z "${LOGINSHELL_FIRSTHOUR_IN_XVFB:-}" ]]; then
	[[ -x "$bin" ]] || fail "no binary at $bin (run make build)"
	for tool in xvfb-run xwininfo import xdotool; do
		command -v "$tool" >/dev/null || fail "$tool is missing (run build/scripts/deps.sh)"
	done
	mkdir -p "$artifacts"
	rm -f "$artifacts"/firsthour*
	export LOGINSHELL_FIRSTHOUR_IN_XVFB=1
	exec xvfb-run -a -s "-screen 0 1280x800x24" "$0" "$bin"
fi

data=$(mktemp -d)
idp_data=$(mktemp -d)
idp_pid=
cleanup() {
	for p in "$pid" "$idp_pid"; do
		[[ -n "$p" ]] && kill -KILL "$p" 2>/dev/null || true
	done
	rm -rf "$data" "$idp_data"
}
trap cleanup EXIT
pause() { sleep "${RENDER_SECONDS:-3}"; }

# The organisation's login server: the demo provider of another shell.
idp_log=$artifacts/firsthour-idp.log
"$bin" serve --demo --data "$idp_data" >"$idp_log" 2>&1 &
idp_pid=$!
issuer=
for _ in $(seq 1 60); do
	issuer=$(grep -o 'demo identity provider at http://127\.0\.0\.1:[0-9]*' "$idp_log" | grep -o 'http://.*' || true)
	[[ -n "$issuer" ]] && break
	sleep 0.5
done
[[ -n "$issuer" ]] || fail "the demo provider did not start: $(cat "$idp_log")"

echo "$name: 1. first start, no login server"
"$bin" --data "$data" >"$log" 2>&1 &
pid=$!
wait_window 60
wait_log 'no login server is set' 30 "the first-start view"
pause
shot firsthour-1-first-start.png

echo "$name: 2. a wrong address"
xdotool type --delay 20 "http://127.0.0.1:9/wrong"
xdotool key Return
wait_log 'login_url=http://127.0.0.1:9/wrong' 20 "the wrong address saved"
wait_log 'the login server cannot be reached' 30 "the unreachable server's view"
pause
shot firsthour-2-wrong-address.png

echo "$name: 3. corrected to $issuer"
xdotool key ctrl+a
xdotool type --delay 20 "$issuer"
xdotool key Return
wait_log "login_url=$issuer" 20 "the corrected address saved"
pause
shot firsthour-3-provider.png

# set_up USER OFFLINE_PASSWORD: signs USER in at the demo provider's page
# (USER-demo) and sets up an offline password on the setup page.
set_up() {
	xdotool type --delay 20 "$1"
	xdotool key Tab
	xdotool type --delay 20 "$1-demo"
	xdotool key Return
	wait_log "command=setup user=$1" 30 "$1's offline setup page"
	pause
	xdotool type --delay 20 "$2"
	xdotool key Tab
	xdotool type --delay 20 "$2"
	xdotool key Return
	wait_log "offline password set up\" component=auth user=$1" 30 "$1's offline password"
}

echo "$name: 4. operator signs in and sets up an offline password"
set_up operator first-hour-1
wait_log 'starter app shown' 30 "the starter app"
pause
shot firsthour-4-signed-in.png

echo "$name: 5. operator logs out (Tab to Log out), supervisor signs in"
for _ in 1 2 3; do
	xdotool key Tab
	sleep 0.3
done
xdotool key Return
wait_log 'msg="signed out" component=auth' 20 "operator's Log out"
pause
set_up supervisor first-hour-2
stop_binary

echo "$name: 6. a restart with --offline"
log=$artifacts/firsthour-offline.log
"$bin" --data "$data" --offline >"$log" 2>&1 &
pid=$!
wait_window 60
wait_log 'command=authenticate user=supervisor' 30 "the offline sign-in page for the last user"
pause
shot firsthour-5-offline-page.png

echo "$name: 7. the other user signs in offline on the same station"
xdotool key shift+Tab # from the password field to the user field
sleep 0.3
xdotool key ctrl+a
xdotool type --delay 20 operator
xdotool key Tab
xdotool type --delay 20 first-hour-1
xdotool key Return
wait_log 'signed in" component=auth user=operator method=offline' 30 "operator's offline sign-in"
wait_log 'starter app shown' 30 "the starter app"
pause
shot firsthour-6-second-user-offline.png
stop_binary

kill -TERM "$idp_pid" 2>/dev/null || true
wait "$idp_pid" 2>/dev/null || true
idp_pid=
if grep -qE '^(panic: |fatal error: )' "$artifacts"/firsthour*.log; then
	fail "the binary printed a Go panic"
fi
echo "$name: PASS (first start → wrong address → corrected → signed in; a second user signed in offline; screenshots build/artifacts/firsthour-[1-6]-*.png)"
