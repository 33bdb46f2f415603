# Build and test pipeline of loginshell.
#
#   make run    build, then open the shell in demo mode
#   make test   everything CI checks (what .ci/run calls)
#   make lint   the habits CI holds every change to (part of make test)
#
# Every target prints a "==> name [time]" header so a CI log reads as a list of
# steps and shows where the minutes went.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := build

# Go build tags for this platform, in this one place. WebKitGTK 4.1 is what
# Debian 12 and later ship (libwebkit2gtk-4.1-dev); without webkit2_41 Wails
# links against webkit2gtk-4.0. wails.json carries no "build:tags" on
# purpose: the Wails CLI appends -tags to it, so a copy there would be a
# second place to keep in step.
TAGS := webkit2_41

# The Go packages of this module. Not ./... : frontend/node_modules may hold
# stray .go files that are none of our business.
GOPKGS := . ./app/... ./internal/... ./frontend

# The Wails CLI pinned to the version in go.mod, run from the module cache
# (about 50 s the first time, about 1 s after). It builds with the tags
# desktop,production,$(TAGS), -ldflags "-w -s" and output build/bin/loginshell
# (wails.json "outputfilename").
#   -s            the frontend is built by the frontend target (npm run build)
#   -skipbindings the frontend calls no generated bindings
#   -m            no `go mod tidy`: go.mod is edited by people, not by builds
#   -nosyncgomod  no rewriting go.mod to the CLI's version (they already match)
WAILS := go run github.com/wailsapp/wails/v2/cmd/wails@v2.11.0
WAILS_BUILD := $(WAILS) build -s -skipbindings -m -nosyncgomod -nocolour -tags "$(TAGS)"

BIN := build/bin/loginshell

# The linters, pinned, run from the module cache like the Wails CLI (deps
# fetches their modules; each builds once, about a minute on two cores).
# staticcheck 2026.2.2 is built for Go 1.26 (its go.mod says go 1.26.0);
# deadcode comes with golang.org/x/tools.
STATICCHECK_PKG := honnef.co/go/tools/cmd/staticcheck@v0.8.2
DEADCODE_PKG := golang.org/x/tools/cmd/deadcode@v0.53.0

# Every Go file of the module for gofmt, tests and other platforms' files
# included; not frontend/node_modules (see GOPKGS).
GOFILES = $(shell find . -path ./frontend/node_modules -prune -o -name '*.go' -print)

# CI logs carry no colour codes: when make's output is not a terminal,
# NO_COLOR=1 for every tool it runs (vitest colours even into a pipe; the
# Wails CLI gets -nocolour). Only stderr can be tested here ($(shell)
# captures stdout). No FORCE_COLOR=0 beside it: Node warns when both are set.
ifeq ($(shell [ -t 2 ] && echo tty),)
export NO_COLOR := 1
endif

header = @printf '\n==> %s [%s]\n' "$(1)" "$$(date +%T)"

.PHONY: all deps frontend build run vet lint gotest exportcheck fetest wincheck test e2e smoke startloop package bench soak fuzz mutate clean

all: build

deps:
	$(call header,deps: Debian packages$(,) npm packages$(,) Go modules)
	bash build/scripts/deps.sh $(STATICCHECK_PKG) $(DEADCODE_PKG)

# Vite empties dist/ first; put back the .gitkeep that keeps it in git.
frontend: deps
	$(call header,frontend: npm run build)
	cd frontend && npm run build
	touch frontend/dist/.gitkeep

build: deps frontend
	$(call header,build: $(BIN) (wails build$(,) tags desktop$(,)production$(,)$(TAGS)))
	$(WAILS_BUILD) 2>&1 | sed -u -f build/scripts/wails-output.sed
	@ls -l $(BIN)

run: build
	$(call header,run: $(BIN) --demo)
	./$(BIN) --demo

# Go checks run after the frontend build: package ./frontend embeds dist/.
vet: deps frontend
	$(call header,vet: go vet (linux$(,) tags $(TAGS)))
	go vet -tags "$(TAGS)" $(GOPKGS)

# The habits every change is held to. Each was clean when it joined, so
# whatever a step finds, the change under test brought in. go vet runs
# first (vet); then gofmt, the imports in two groups (standard library,
# then everything else: a test in internal/arch), ESLint with
# typescript-eslint's recommended rules over frontend/src, staticcheck's
# default checks, and deadcode (build/scripts/deadcode.sh: no function
# that nothing calls, tests and the commands under build/scripts included).
lint: deps frontend vet
	$(call header,lint: gofmt -l)
	@files=$$(gofmt -l $(GOFILES)); \
	if [[ -n "$$files" ]]; then echo "not formatted (gofmt -w them):"; echo "$$files"; exit 1; fi
	$(call header,lint: imports in at most two groups (internal/arch))
	go test -tags "$(TAGS)" -run '^TestImportsInTwoGroups$$' ./internal/arch
	$(call header,lint: npm run lint (ESLint$(,) typescript-eslint recommended))
	cd frontend && npm run lint
	$(call header,lint: staticcheck (default checks$(,) tags $(TAGS)))
	go run $(STATICCHECK_PKG) -tags "$(TAGS)" $(GOPKGS)
	$(call header,lint: deadcode (-test$(,) tags $(TAGS)))
	DEADCODE="go run $(DEADCODE_PKG)" TAGS="$(TAGS)" bash build/scripts/deadcode.sh $(GOPKGS) ./build/...

gotest: deps frontend
	$(call header,gotest: go test -race)
	go test -race -tags "$(TAGS)" $(GOPKGS)
	# The window's web view guard forwards to a symbol of Wails' window,
	# which only the binary's tags link in (app/webview_linux_test.go).
	go test -tags "desktop,production,$(TAGS)" -run '^TestWailsEntryLinked$$' ./app/

# The reference verifier of audit exports (build/scripts/verify-export.py,
# Python's standard library only) on an export a Go test writes from a
# trail signed through the engine: its self-test (RFC 8032's vectors, the
# golden checkpoint and entry), the export with the station's fingerprint
# (timed), and a copy re-hashed after an edit, which it must refuse. The
# Go test itself also runs it on every tampered copy it makes.
EXPORT_DIR := build/artifacts/export

exportcheck: deps
	$(call header,exportcheck: the Python reference verifier on an audit export)
	mkdir -p $(EXPORT_DIR)
	LOGINSHELL_EXPORT_DIR=$(abspath $(EXPORT_DIR)) go test -tags "$(TAGS)" -count=1 -run '^TestTamperedExportsAreRefused$$' ./internal/cli
	python3 build/scripts/verify-export.py --self-test
	time python3 build/scripts/verify-export.py --fingerprint "$$(cat $(EXPORT_DIR)/fingerprint)" $(EXPORT_DIR)/export.json
	if python3 build/scripts/verify-export.py --fingerprint "$$(cat $(EXPORT_DIR)/fingerprint)" $(EXPORT_DIR)/tampered.json; then \
		echo "exportcheck: the Python verifier accepted a tampered export" >&2; exit 1; \
	else echo "the tampered export was refused, as it must be"; fi

fetest: deps
	$(call header,fetest: npm test (vitest))
	cd frontend && npm test

# Windows must keep compiling: no cgo there, Wails talks to WebView2 in Go.
wincheck: deps frontend
	$(call header,wincheck: GOOS=windows go build and go vet)
	GOOS=windows CGO_ENABLED=0 go build -tags desktop,production -o /dev/null .
	GOOS=windows CGO_ENABLED=0 go vet -tags desktop,production $(GOPKGS)

test: deps frontend vet lint gotest exportcheck fetest build wincheck e2e smoke package
	$(call header,test: the installed package (apt-get install ./$(DEB)$(,) /usr/bin/loginshell))
	bash build/scripts/package-check.sh $(DEB) $(BIN)
	$(call header,test: all passed)

e2e: build
	$(call header,e2e: browser tests (Chromium$(,) serve mode; three stations on a throwaway PostgreSQL))
	mkdir -p build/artifacts/e2e
	go build -o build/bin/pgcluster ./build/scripts/pgcluster
	cd frontend && LOGINSHELL_E2E_STACKS=1 LOGINSHELL_BIN=$(abspath $(BIN)) LOGINSHELL_PGCLUSTER=$(abspath build/bin/pgcluster) npm run e2e

smoke: build
	$(call header,smoke: window mode under Xvfb)
	bash build/scripts/smoke.sh $(BIN)
	$(call header,smoke: the first hour (first start$(,) a wrong address corrected$(,) a second user offline))
	bash build/scripts/firsthour.sh $(BIN)
	$(call header,smoke: the signature walk (a reject$(,) a timeout$(,) wrong signers$(,) Settings; keyboard only))
	bash build/scripts/walk.sh $(BIN)
	$(call header,smoke: start-ups through their first page ($(SMOKE_STARTS) of --demo and --offline))
	bash build/scripts/startloop.sh $(SMOKE_STARTS) $(BIN)

# Start-ups over and over (issue 24.3: a change to how the window starts
# keeps the first page working): `make startloop STARTS=20`.
STARTS ?= 20
SMOKE_STARTS ?= 3
startloop: build
	$(call header,startloop: $(STARTS) start-ups through their first page (--demo and --offline))
	bash build/scripts/startloop.sh $(STARTS) $(BIN)

# The installers, into build/artifacts/: the Debian package $(DEB) and the
# Windows installer loginshell_<version>_windows_amd64_installer.exe (Wails'
# NSIS support, Debian's makensis); see build/scripts/package.sh.
# The version is the binary's (internal/shell.Version), read when a recipe
# that names $(DEB) runs, after $(BIN) is built.
DEB = build/artifacts/loginshell_$(shell ./$(BIN) version | cut -d' ' -f2)_amd64.deb

package: build
	$(call header,package: $(DEB) and the Windows installer)
	WAILS="$(WAILS)" bash build/scripts/package.sh $(BIN)

# Every figure against its floor (a bare Wails app built in the same run,
# argon2.IDKey, a plain net/http server, unzip), BENCH_ROUNDS interleaved
# rounds; the table and the plot go to build/bench/results/. See
# build/scripts/bench. Not part of `make test`: about ten minutes.
BENCH_ROUNDS ?= 7

bench: deps frontend
	$(call header,bench: every figure against its floor ($(BENCH_ROUNDS) rounds))
	go run ./build/scripts/bench -rounds $(BENCH_ROUNDS) -out build/bench/results

# The soak, not part of `make test`: 64 clients on a whole shell's services
# for SOAK_TIME while signatures are signed through the dialog's endpoint;
# only the seed's answers, and no goroutine, open-file or heap growth. The
# curve goes to build/bench/results/soak.csv. (kill -9 and full-disk checks
# run in every `make test`: internal/durability, internal/store/sqlite,
# internal/pkginstall.)
SOAK_TIME ?= 10m

soak: deps frontend
	$(call header,soak: $(SOAK_TIME) of load on a whole shell)
	LOGINSHELL_SOAK=$(SOAK_TIME) LOGINSHELL_SOAK_OUT=$(abspath build/bench/results) \
		go test -count=1 -run '^TestSoak$$' -v -timeout 0 ./internal/serve

# Each fuzz target runs for FUZZTIME (go test -fuzz takes one target at a
# time). The seed corpora under testdata/fuzz also run in every `make test`.
FUZZTIME ?= 60s
# Each entry is package:Target.
FUZZ_TARGETS := pkginstall:FuzzInstall manifest:FuzzParseManifest manifest:FuzzParseBoot \
	signature:FuzzParseExpression signature:FuzzParseTemplates audit:FuzzVerify \
	store:FuzzNameKey store:FuzzClauseAtomsAgreesWithTheEngine loginurl:FuzzParse

fuzz: deps frontend
	$(call header,fuzz: $(FUZZ_TARGETS) for $(FUZZTIME) each)
	for pt in $(FUZZ_TARGETS); do \
		p=$${pt%%:*}; t=$${pt#*:}; \
		echo "--- $$p $$t"; \
		go test -run '^$$' -fuzz "^$$t\$$" -fuzztime $(FUZZTIME) ./internal/$$p/ || exit 1; \
	done

# Mutation check, not part of `make test` (it takes minutes): one-token
# bugs (a comparison flipped, a constant moved by one, an error swallowed, a
# name left out of a list) made one at a time in a copy of the tree, each
# run against its package's tests. Survivors are written to
# build/artifacts/mutate.txt and fail the target unless
# build/scripts/mutate/equivalent.txt lists them with the reason.
# MUTATE_TARGETS are package directories or files (the serve guard may move
# to internal/serve); MUTATE_MAX_PER_FILE keeps the run near 15 minutes on 2
# cores (0: every mutant).
MUTATE_TARGETS ?= ./internal/auth ./internal/keychain ./internal/gateway/guard.go ./internal/redact './internal/pkginstall/install*.go' ./internal/pkginstall/zipcheck.go
MUTATE_MAX_PER_FILE ?= 15
MUTATE_WORKERS ?= 2

mutate:
	$(call header,mutate: $(MUTATE_TARGETS))
	go run ./build/scripts/mutate -tags "$(TAGS)" -workers $(MUTATE_WORKERS) -max-per-file $(MUTATE_MAX_PER_FILE) -out build/artifacts/mutate.txt $(MUTATE_TARGETS)

clean:
	$(call header,clean)
	rm -rf build/bin build/artifacts build/wailsjs
	if [ -d frontend/dist ]; then find frontend/dist -mindepth 1 -maxdepth 1 ! -name .gitkeep -exec rm -rf {} +; fi

# A comma inside $(call ...) arguments has to come from a variable.
, := ,
