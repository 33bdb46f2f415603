# window-lib.sh: what the window tests (smoke.sh, firsthour.sh) share.
# Source it after setting:
#   name  the script's name, for messages
#   log   the binary's log file (wait_log reads it; fail shows its tail)
#   pid   the binary's process id ("" when none runs)

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

# shot NAME: screenshots the screen to $artifacts/NAME.
shot() {
	import -window root "$artifacts/$1" || fail "could not take the screenshot $1"
}
