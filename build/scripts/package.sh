#!/usr/bin/env bash
# package.sh builds the installers of loginshell into build/artifacts/:
#   loginshell_<version>_amd64.deb                  Debian 12 or later (dpkg-deb)
#   loginshell_<version>_windows_amd64_installer.exe  Windows (Wails' NSIS
#                                                     support, Debian's makensis)
# <version> is what the Linux binary says (`loginshell version`, i.e.
# internal/shell.Version); wails.json's info.productVersion, which Wails
# writes into the Windows executable and installer, must say the same.
#
# Usage: build/scripts/package.sh [BINARY]   (default build/bin/loginshell,
# built by `make build`; the frontend in frontend/dist must be built too).
# WAILS is the Wails CLI command (the Makefile passes its pinned one).
set -euo pipefail

cd "$(dirname "$0")/../.."
bin=$(realpath "${1:-build/bin/loginshell}")
artifacts=$PWD/build/artifacts
WAILS=${WAILS:-go run github.com/wailsapp/wails/v2/cmd/wails@v2.11.0}

fail() {
	echo "package: FAIL: $*" >&2
	exit 1
}

[[ -x "$bin" ]] || fail "no binary at $bin (run make build)"
version=$("$bin" version | awk '$1 == "loginshell" { print $2 }')
[[ "$version" =~ ^[0-9][0-9A-Za-z.+~-]*$ ]] || fail "$bin version printed no usable version: '$version'"
wails_version=$(sed -n 's/^ *"productVersion": *"\([^"]*\)".*/\1/p' wails.json)
[[ "$wails_version" == "$version" ]] ||
	fail "wails.json info.productVersion is '$wails_version' but the binary is $version: change both (internal/shell.Version and wails.json)"
mkdir -p "$artifacts"

# ---- Debian package
deb=$artifacts/loginshell_${version}_amd64.deb
echo "package: $deb"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
root=$stage/root
install -D -m 0755 "$bin" "$root/usr/bin/loginshell"
install -D -m 0644 build/linux/loginshell.desktop "$root/usr/share/applications/loginshell.desktop"
# The icon goes under the size it is, which hicolor requires of a PNG.
size=$(identify -format '%wx%h' build/appicon.png 2>/dev/null || true)
[[ "$size" =~ ^[0-9]+x[0-9]+$ && "${size%x*}" == "${size#*x}" ]] || fail "build/appicon.png must be a square PNG (identify says '$size')"
install -D -m 0644 build/appicon.png "$root/usr/share/icons/hicolor/$size/apps/loginshell.png"
# Depends names the two libraries the binary is built against (see the
# Makefile's TAGS); the rest it links (GLib, libsoup, JavaScriptCore,
# gdk-pixbuf, libc) are dependencies of these two.
mkdir -p "$root/DEBIAN"
cat >"$root/DEBIAN/control" <<EOF
Package: loginshell
Version: $version
Architecture: amd64
Maintainer: loginshell developers
Installed-Size: $(du -sk --exclude=DEBIAN "$root" | cut -f1)
Depends: libwebkit2gtk-4.1-0, libgtk-3-0
Section: misc
Priority: optional
Description: desktop shell for login web pages, web apps and electronic signatures
 loginshell hosts login web pages and web apps and runs the authentication
 service behind them: online sign-in with OpenID Connect, offline sign-in,
 electronic signatures with an audit trail.
EOF
# --root-owner-group: files owned by root in the package without fakeroot.
dpkg-deb --root-owner-group --build "$root" "$deb" >/dev/null
dpkg-deb --info "$deb" | sed -n 's/^ *\(Package\|Version\|Depends\):/  &/p'
dpkg-deb --contents "$deb" | awk '$NF !~ /\/$/ { print "  " $NF }'

# ---- Windows installer
# Built in a copy of the tree: a Windows build writes loginshell-res.syso
# (the icon, manifest and version resource) into the project's root for
# the time it runs, and any Linux build of package main in the same tree
# at that moment (someone's `go test`, `make build`) would link it and
# fail. The copy also keeps what Wails generates under build/windows/ (its
# default NSIS project, icon.ico, the WebView2 bootstrapper) out of git.
# No cgo on Windows: Wails talks to WebView2 in Go.
exe=$artifacts/loginshell_${version}_windows_amd64_installer.exe
echo "package: $exe"
command -v makensis >/dev/null || fail "makensis is missing (run build/scripts/deps.sh: Debian's nsis)"
win=$stage/win
mkdir -p "$win"
tar -C . --exclude=./.git --exclude=./frontend/node_modules --exclude=./build/bin \
	--exclude=./build/artifacts --exclude=./build/wailsjs -cf - . | tar -C "$win" -xf -
# build/scripts/wails-output.sed drops the Wails CLI's lines with nothing to
# act on. A failed makensis leaves no installer and makes Wails exit
# non-zero, which pipefail keeps.
(cd "$win" && $WAILS build -platform windows/amd64 -nsis -s -skipbindings -m -nosyncgomod -nocolour) 2>&1 |
	sed -u -f build/scripts/wails-output.sed
[[ -s "$win/build/bin/loginshell-amd64-installer.exe" ]] ||
	fail "Wails wrote no installer (build/bin/loginshell-amd64-installer.exe in the copy); see its output above"
cp "$win/build/bin/loginshell-amd64-installer.exe" "$exe"
ls -l "$deb" "$exe"
