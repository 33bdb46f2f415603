#!/usr/bin/env bash
# deps.sh installs what building and testing loginshell needs, and nothing
# that is already there, so running it twice costs a few seconds:
#   - Debian packages (compiler, GTK/WebKitGTK 4.1 headers, Xvfb, Chromium
#     for the browser tests, ImageMagick and x11-utils xdotool for the smoke test,
#     and python3-gi with GTK's typelib for its drag source, D-Bus, AT-SPI
#     and its typelib for the window walk's reading of the window's words,
#     PostgreSQL's server for the tests of the plant's signature store: they
#     start a throwaway cluster from /usr/lib/postgresql/<version>/bin),
#     nsis (makensis, for the Windows installer of `make package`),
#     desktop-file-utils (the installed package's check validates the
#     .desktop file) and python3 (the reference verifier of audit exports,
#     build/scripts/verify-export.py); installed with apt-get only when dpkg
#     says one is missing;
#   - the frontend's npm packages, with `npm ci` only when node_modules is
#     missing or older than package-lock.json;
#   - the Go modules named by go.sum;
#   - the modules of the Go tools given as arguments (pkg@version, the
#     linters `make lint` runs with go run; the Makefile pins them).
# It never downloads a browser: the tests use Debian's /usr/bin/chromium.
set -euo pipefail

cd "$(dirname "$0")/../.."

packages=(
	build-essential pkg-config libgtk-3-dev libwebkit2gtk-4.1-dev
	xvfb xauth chromium imagemagick x11-utils xdotool
	python3-gi gir1.2-gtk-3.0 # the smoke test's drag source (build/scripts/dragsource.py)
	dbus-daemon at-spi2-core gir1.2-atspi-2.0 # walk.sh reads the window's words (build/scripts/a11y.py)
	postgresql
	nsis desktop-file-utils
	python3 # build/scripts/verify-export.py, in make test's exportcheck
	libx11-dev libxdamage-dev unzip # make bench: xpaint and the install floor
)

echo "== deps: Debian packages"
missing=()
for p in "${packages[@]}"; do
	status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	if [[ "$status" != "installed" ]]; then
		missing+=("$p")
	fi
done
if ((${#missing[@]} == 0)); then
	echo "all ${#packages[@]} present"
else
	echo "installing: ${missing[*]}"
	if [[ $(id -u) -eq 0 ]]; then
		as_root=()
	elif command -v sudo >/dev/null; then
		as_root=(sudo)
	else
		echo "deps: not root and no sudo; install these packages first: ${missing[*]}" >&2
		exit 1
	fi
	# Wait up to 10 minutes for another apt/dpkg run (unattended upgrades, a
	# parallel setup) to release its lock instead of failing at once.
	apt_opts=(-o DPkg::Lock::Timeout=600 -y -q --no-install-recommends)
	"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 -q update
	"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" install "${missing[@]}"
fi

echo "== deps: npm packages"
if [[ ! -f frontend/package-lock.json ]]; then
	echo "deps: frontend/package-lock.json is missing; run 'npm install' in frontend/ and commit the lock file" >&2
	exit 1
fi
if [[ ! -d frontend/node_modules || frontend/package-lock.json -nt frontend/node_modules ]]; then
	# PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: playwright-core downloads nothing, but
	# make sure no package's install script fetches a browser either.
	(cd frontend && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
	# npm ci may leave the directory's mtime older than the lock file.
	touch frontend/node_modules
else
	echo "node_modules up to date"
fi

echo "== deps: Go modules"
go mod download
echo "go modules present"

if (($# > 0)); then
	echo "== deps: Go tools"
	# go run -n resolves and downloads a tool's modules, then only prints
	# the commands it would run (the build waits for the first real run):
	# shown only when it fails.
	for tool in "$@"; do
		if ! out=$(go run -n "$tool" 2>&1); then
			echo "$out" >&2
			exit 1
		fi
	done
	echo "go tools present: $*"
fi
