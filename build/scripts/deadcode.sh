#!/usr/bin/env bash
# deadcode.sh fails when the module holds a function nothing calls: it runs
# golang.org/x/tools/cmd/deadcode ($DEADCODE, pinned by the Makefile) with
# -test over the packages given as arguments, so the roots are main, the
# commands under build/scripts (pgcluster serves the browser tests a
# database through pgtest) and every test. A function that only tests call
# is reachable here; one that exists for tests alone belongs in a _test.go
# file (export_test.go for a package's external tests) or in a package for
# tests (pgtest, shelltest, storetest, demoidp/strict). deadcode does not
# report marker methods (empty, unexported, sealing an interface of the
# same package).
#
# tolerated are the functions only C calls: the window's cgo //export
# callbacks (app/webview_linux.go) and what only they call, which deadcode
# cannot see called, and wailsEntryLinked, whose test builds only with the
# desktop tag (make gotest runs it). A name tolerated but no longer found
# fails too, so the list cannot go stale.
set -euo pipefail

: "${DEADCODE:?set DEADCODE to the pinned deadcode command}"
: "${TAGS:?set TAGS to the build tags}"
if (($# == 0)); then
	echo "usage: deadcode.sh PACKAGES..." >&2
	exit 2
fi

# import/path.Func or import/path.Type.Method, sorted.
tolerated=(
	loginshell/app.loginshellChannelMessage
	loginshell/app.loginshellDropped
	loginshell/app.loginshellGuarded
	loginshell/app.loginshellInnerDrop
	loginshell/app.wailsEntryLinked
	loginshell/app.webviewGuard.guarded
)

# One line per finding: the name to compare, then where it is.
found=$($DEADCODE -tags "$TAGS" -test \
	-f '{{range .Funcs}}{{$.Path}}.{{.Name}} {{.Position}}{{"\n"}}{{end}}' "$@" | sed '/^$/d' | sort)

dead=$(awk 'NR == FNR { ok[$0] = 1; next } !($1 in ok)' <(printf '%s\n' "${tolerated[@]}") <(printf '%s\n' "$found"))
stale=$(awk 'NR == FNR { seen[$1] = 1; next } !($0 in seen)' <(printf '%s\n' "$found") <(printf '%s\n' "${tolerated[@]}"))

status=0
if [[ -n "$dead" ]]; then
	echo "deadcode: nothing calls these functions, tests included; delete them:" >&2
	sed 's/^/  /' <<<"$dead" >&2
	status=1
fi
if [[ -n "$stale" ]]; then
	echo "deadcode: tolerated in build/scripts/deadcode.sh but no longer found; take them off the list:" >&2
	sed 's/^/  /' <<<"$stale" >&2
	status=1
fi
if ((status == 0)); then
	echo "no unreachable functions (tolerated, called from C: ${tolerated[*]#loginshell/})"
fi
exit $status
