package arch_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const module = "loginshell"

// pkg is what `go list -json` says of one package of the module.
type pkg struct {
	ImportPath string
	Dir        string
	GoFiles    []string
	Imports    []string
	Deps       []string
}

// listModule lists every package of the module with its imports.
func listModule(t *testing.T) map[string]pkg {
	t.Helper()
	cmd := exec.Command("go", "list", "-tags", "webkit2_41", "-json=ImportPath,Dir,GoFiles,Imports,Deps", module+"/...")
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	pkgs := map[string]pkg{}
	dec := json.NewDecoder(&out)
	for {
		var p pkg
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		// frontend/node_modules may hold stray Go files: not ours. The
		// tools under build/scripts are not the product: the bench's floor
		// is a Wails app on purpose, pgcluster serves tests a throwaway
		// PostgreSQL (pgtest).
		if strings.Contains(p.ImportPath, "node_modules") || strings.HasPrefix(p.ImportPath, module+"/build/scripts/") {
			continue
		}
		pkgs[p.ImportPath] = p
		// go test caches a test's result by the files it opened; go list
		// reads them in another process, so read them here too, or an
		// import added later would pass from the cache.
		for _, name := range p.GoFiles {
			if _, err := os.ReadFile(filepath.Join(p.Dir, name)); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := os.ReadDir(p.Dir); err != nil {
			t.Fatal(err)
		}
	}
	if len(pkgs) < 10 {
		t.Fatalf("go list found %d packages; the module is not where the test thinks", len(pkgs))
	}
	return pkgs
}

const wails = "github.com/wailsapp/wails"

var (
	transports = []string{module + "/app", module + "/internal/serve"}
	// surfaces are the HTTP below both transports: the REST surface, the
	// handler both serve, and the server of the packages' files.
	surfaces = []string{module + "/internal/pmapi", module + "/internal/gateway", module + "/internal/pagefiles"}
	// notEngines are the packages that are neither engines nor transports:
	// the command and its command line (cli), the composition root
	// (shell) and its test builder, the demo provider (an HTTP server by
	// nature), the frontend's embedded files and this test.
	notEngines = []string{module, module + "/internal/cli", module + "/internal/shell", module + "/internal/shell/shelltest",
		module + "/internal/demoidp", module + "/frontend", module + "/internal/arch"}
	// testOnly are packages for tests: no package of the module links them.
	testOnly = []string{module + "/internal/shell/shelltest", module + "/internal/demoidp/strict",
		module + "/internal/store/postgres/pgtest"}
	// serverAllowed are engines that run an HTTP server by design:
	// internal/online receives the OpenID redirect on a loopback listener
	// (RFC 8252 §7.3). The packages' files are served by a surface
	// (internal/pagefiles), not by the package library.
	serverAllowed = []string{module + "/internal/online"}
	// serverAPI is the net/http server side an engine must not use.
	serverAPI = []string{"Handler", "HandlerFunc", "ResponseWriter", "Server", "ServeMux", "NewServeMux",
		"ListenAndServe", "ListenAndServeTLS", "Serve", "FileServer", "StripPrefix", "Error", "Redirect"}
)

func isEngine(path string) bool {
	// Every package under demoidp is a provider, an HTTP server by nature.
	return !slices.Contains(transports, path) && !slices.Contains(surfaces, path) && !slices.Contains(notEngines, path) &&
		!strings.HasPrefix(path, module+"/internal/demoidp/")
}

func TestOnlyAppImportsWails(t *testing.T) {
	t.Parallel()
	for path, p := range listModule(t) {
		if path == module+"/app" {
			continue
		}
		for _, imp := range p.Imports {
			if strings.HasPrefix(imp, wails) {
				t.Errorf("%s imports %s: only app/ may talk to Wails", path, imp)
			}
		}
	}
}

func TestEnginesImportNoTransport(t *testing.T) {
	t.Parallel()
	pkgs := listModule(t)
	forbidden := append(append([]string{}, transports...), surfaces...)
	engines := 0
	for path, p := range pkgs {
		if !isEngine(path) {
			continue
		}
		engines++
		for _, dep := range p.Deps {
			if slices.Contains(forbidden, dep) || strings.HasPrefix(dep, wails) {
				t.Errorf("engine %s depends on %s: engines know no transport, no HTTP surface and no Wails", path, dep)
			}
		}
	}
	if engines < 12 {
		t.Errorf("only %d engines found; the list of non-engines is wrong", engines)
	}
}

// TestTestOnlyPackagesStayInTests: the strict test provider serves plain
// http with public test accounts and must never reach the binary; the
// shell builder takes insecure shortcuts (weak key derivation).
func TestTestOnlyPackagesStayInTests(t *testing.T) {
	t.Parallel()
	for path, p := range listModule(t) {
		for _, dep := range p.Deps {
			if slices.Contains(testOnly, dep) {
				t.Errorf("%s depends on %s, which is for tests only", path, dep)
			}
		}
	}
}

func TestTransportsAreIndependent(t *testing.T) {
	t.Parallel()
	pkgs := listModule(t)
	for _, from := range append(append([]string{}, transports...), surfaces...) {
		p, ok := pkgs[from]
		if !ok {
			t.Errorf("%s is not in the module", from)
			continue
		}
		for _, to := range transports {
			if to != from && slices.Contains(p.Deps, to) {
				t.Errorf("%s depends on the transport %s: transports are peers, surfaces sit below both", from, to)
			}
		}
	}
}

// TestPackagesLayers keeps the packages' engines in their layers, lowest
// first: the document formats, the installer, the library, then the file
// server and the adapter that maps login steps to pages. Each row lists
// what a package must not depend on, directly or through another package.
func TestPackagesLayers(t *testing.T) {
	t.Parallel()
	pkgs := listModule(t)
	const in = module + "/internal/"
	tests := []struct {
		name      string
		pkg       string
		forbidden []string
	}{
		{"the package library knows no login state and serves no HTTP", in + "webapps",
			[]string{in + "auth", in + "boot", in + "pagefiles", in + "gateway", in + "pmapi", "net/http"}},
		{"the installer sits below the library, check and the install service", in + "pkginstall",
			[]string{in + "webapps", in + "check", in + "install", in + "auth", in + "pagefiles"}},
		{"the document formats sit below everything that reads packages", in + "manifest",
			[]string{in + "pkginstall", in + "webapps", in + "check", in + "auth", in + "pagefiles"}},
		{"the file server knows no login state", in + "pagefiles",
			[]string{in + "auth", in + "boot"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, ok := pkgs[tt.pkg]
			if !ok {
				t.Fatalf("%s is not in the module", tt.pkg)
			}
			for _, dep := range p.Deps {
				if slices.Contains(tt.forbidden, dep) {
					t.Errorf("%s depends on %s", tt.pkg, dep)
				}
			}
		})
	}
}

// TestEnginesUseNoHTTPServer reads every engine's source: net/http's client
// is fine (the online login talks to a provider), its server side is the
// transports' business.
func TestEnginesUseNoHTTPServer(t *testing.T) {
	t.Parallel()
	for path, p := range listModule(t) {
		if !isEngine(path) || slices.Contains(serverAllowed, path) {
			continue
		}
		for _, name := range p.GoFiles {
			file := filepath.Join(p.Dir, name)
			f, err := parser.ParseFile(token.NewFileSet(), file, nil, parser.SkipObjectResolution)
			if err != nil {
				t.Fatal(err)
			}
			httpName := ""
			for _, imp := range f.Imports {
				switch strings.Trim(imp.Path.Value, `"`) {
				case "net/http":
					httpName = "http"
					if imp.Name != nil {
						httpName = imp.Name.Name
					}
				case "net/http/httptest", "net/http/httputil", "net/http/pprof":
					t.Errorf("%s imports %s", file, imp.Path.Value)
				}
			}
			if httpName == "" {
				continue
			}
			ast.Inspect(f, func(n ast.Node) bool {
				sel, ok := n.(*ast.SelectorExpr)
				if !ok {
					return true
				}
				if x, ok := sel.X.(*ast.Ident); ok && x.Name == httpName && slices.Contains(serverAPI, sel.Sel.Name) {
					t.Errorf("%s uses http.%s: engines do not serve HTTP", file, sel.Sel.Name)
				}
				return true
			})
		}
	}
}

// builder is the one composition root: the only package whose non-test
// code constructs engines.
const builder = module + "/internal/shell"

// constructors are the functions that build or open an engine, by
// import path: what shell.Build calls.
var constructors = map[string][]string{
	module + "/internal/auth":           {"New", "OpenLastUser"},
	module + "/internal/boot":           {"New"},
	module + "/internal/configure":      {"New"},
	module + "/internal/connectivity":   {"NewMonitor"},
	module + "/internal/install":        {"New"},
	module + "/internal/keychain":       {"Open"},
	module + "/internal/online":         {"NewProvider"},
	module + "/internal/phrase":         {"Open"},
	module + "/internal/screen":         {"New"},
	module + "/internal/settings":       {"Open"},
	module + "/internal/signature":      {"New"},
	module + "/internal/station":        {"Open"},
	module + "/internal/user":           {"NewService"},
	module + "/internal/webapps":        {"OpenLibrary"},
	module + "/internal/store/sqlite":   {"Open"},
	module + "/internal/store/postgres": {"Open"},
}

// TestOnlyTheBuilderConstructsEngines reads every package's source (tests
// excepted): a call of an engine's constructor outside internal/shell is
// wiring in a second place, which drifts from the first.
func TestOnlyTheBuilderConstructsEngines(t *testing.T) {
	t.Parallel()
	pkgs := listModule(t)
	for ip := range constructors {
		if _, ok := pkgs[ip]; !ok {
			t.Errorf("%s is not in the module: the list of constructors is out of date", ip)
		}
	}
	for path, p := range pkgs {
		if path == builder || slices.Contains(testOnly, path) {
			continue
		}
		for _, name := range p.GoFiles {
			file := filepath.Join(p.Dir, name)
			f, err := parser.ParseFile(token.NewFileSet(), file, nil, parser.SkipObjectResolution)
			if err != nil {
				t.Fatal(err)
			}
			engineNames := map[string]string{} // local name → import path
			for _, imp := range f.Imports {
				ip := strings.Trim(imp.Path.Value, `"`)
				if _, ok := constructors[ip]; !ok || ip == path {
					continue
				}
				local := ip[strings.LastIndex(ip, "/")+1:]
				if imp.Name != nil {
					local = imp.Name.Name
				}
				engineNames[local] = ip
			}
			ast.Inspect(f, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				sel, ok := call.Fun.(*ast.SelectorExpr)
				if !ok {
					return true
				}
				if x, ok := sel.X.(*ast.Ident); ok && slices.Contains(constructors[engineNames[x.Name]], sel.Sel.Name) {
					t.Errorf("%s calls %s.%s: only %s constructs engines", file, engineNames[x.Name], sel.Sel.Name, builder)
				}
				return true
			})
		}
	}
}
