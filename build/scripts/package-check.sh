#!/usr/bin/env bash
# package-check.sh installs the Debian package on this machine the way the
# README tells people to (apt-get install ./loginshell_<version>_amd64.deb,
# as root or through sudo) and checks the installed shell:
#   1. dpkg lists /usr/bin/loginshell, the .desktop file and the icon, and
#      the installed binary is the one that was packaged (`make smoke` ran
#      its full smoke test before: same bytes);
#   2. the dynamic linker finds every library it needs (the Depends line
#      is enough) and `loginshell version` says the package's version;
#   3. the .desktop file validates and its Exec and Icon resolve;
#   4. /usr/bin/loginshell --demo opens a window named loginshell on Xvfb
#      that shows something, and exits 0 on SIGTERM.
# Not the whole smoke test again (sign-in, dialogs, signatures): it would
# add its full minute-plus to CI to test the same bytes a second time; what
# the package adds is paths, dependencies and the desktop entry.
# A package that was not installed before is removed again afterwards.
# The binary's output is kept in build/artifacts/package-check.log.
#
# Usage: build/scripts/package-check.sh DEB [BINARY]   (BINARY: what was
# packaged, default build/bin/loginshell)
set -euo pipefail

cd "$(dirname "$0")/../.."
deb=$(realpath "${1:?usage: package-check.sh DEB [BINARY]}")
bin=$(realpath "${2:-build/bin/loginshell}")
artifacts=$PWD/build/artifacts
log=$artifacts/package-check.log
MIN_COLOURS=${MIN_COLOURS:-30}

name=package-check
pid=
# shellcheck source=window-lib.sh
source build/scripts/window-lib.sh

# The window check runs inside a fresh Xvfb, like smoke.sh.
if [[ -z "${LOGINSHELL_PACKAGE_CHECK_IN_XVFB:-}" ]]; then
	[[ -f "$deb" ]] || fail "no package at $deb (run make package)"
	if [[ $(id -u) -eq 0 ]]; then
		as_root=()
	elif command -v sudo >/dev/null; then
		as_root=(sudo)
	else
		fail "installing a package needs root or sudo"
	fi
	version=$(dpkg-deb --field "$deb" Version)
	was_installed=$(dpkg-query -W -f='${db:Status-Status}' loginshell 2>/dev/null || true)
	# apt reads a local package as the _apt user: give it a copy it can read,
	# or it says so in a notice ("Download is performed unsandboxed as root").
	copy=$(mktemp -d)
	trap 'rm -rf "$copy"' EXIT
	chmod 0755 "$copy"
	install -m 0644 "$deb" "$copy/"
	echo "package-check: apt-get install ./$(basename "$deb")"
	if ! "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 -y -q \
		--no-install-recommends --reinstall install "$copy/$(basename "$deb")" >"$copy/apt.log" 2>&1; then
		cat "$copy/apt.log" >&2
		fail "apt-get could not install $deb"
	fi
	grep -E '^(Unpacking|Setting up) ' "$copy/apt.log" || true
	[[ $(dpkg-query -W -f='${db:Status-Status} ${Version}' loginshell) == "installed $version" ]] ||
		fail "dpkg does not list loginshell $version as installed"
	status=0
	LOGINSHELL_PACKAGE_CHECK_IN_XVFB=1 xvfb-run -a -s "-screen 0 1280x800x24" "$0" "$deb" "$bin" || status=$?
	if [[ "$was_installed" != installed ]]; then
		echo "package-check: removing the package again (it was not installed before)"
		"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive dpkg -r loginshell >/dev/null
	fi
	exit "$status"
fi

version=$(dpkg-deb --field "$deb" Version)
for f in /usr/bin/loginshell /usr/share/applications/loginshell.desktop \
	/usr/share/icons/hicolor/512x512/apps/loginshell.png; do
	dpkg -S "$f" >/dev/null 2>&1 || fail "dpkg does not list $f as loginshell's"
	[[ -f "$f" ]] || fail "$f is missing"
done
cmp -s /usr/bin/loginshell "$bin" || fail "/usr/bin/loginshell is not $bin, the binary make smoke tested"
missing=$(ldd /usr/bin/loginshell | grep 'not found' || true)
[[ -z "$missing" ]] || fail "libraries the installed binary needs are missing: $missing"
got=$(/usr/bin/loginshell version)
[[ "$got" == "loginshell $version" ]] || fail "/usr/bin/loginshell version says '$got', want 'loginshell $version'"
desktop-file-validate /usr/share/applications/loginshell.desktop || fail "the .desktop file does not validate"
exec_name=$(sed -n 's/^Exec=\([^ ]*\).*/\1/p' /usr/share/applications/loginshell.desktop)
[[ $(command -v "$exec_name") == /usr/bin/loginshell ]] || fail "the .desktop Exec ($exec_name) is not /usr/bin/loginshell"
icon=$(sed -n 's/^Icon=//p' /usr/share/applications/loginshell.desktop)
[[ -f /usr/share/icons/hicolor/512x512/apps/$icon.png ]] || fail "the .desktop Icon ($icon) is not in hicolor"
echo "package-check: installed $version: files, libraries, version and desktop entry OK"

data=$(mktemp -d)
shot=$(mktemp --suffix=.png)
pid=
cleanup() {
	if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
		kill -KILL "$pid" 2>/dev/null || true
	fi
	rm -rf "$data" "$shot"
}
trap cleanup EXIT
mkdir -p "$artifacts"
/usr/bin/loginshell --data "$data" --demo >"$log" 2>&1 &
pid=$!
wait_window 60
sleep 3
kill -0 "$pid" 2>/dev/null || fail "/usr/bin/loginshell exited while rendering"
import -window root "$shot" || fail "could not take a screenshot"
colours=$(convert "$shot" -format %k info:)
((colours > MIN_COLOURS)) || fail "the window looks blank ($colours colours)"
stop_binary
echo "package-check: PASS (/usr/bin/loginshell $version installed from the package; window up, $colours colours; clean exit on SIGTERM)"
