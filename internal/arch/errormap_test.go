package arch_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"testing"
)

// TestOneMapFromKindsToStatusCodes: a map keyed by fault.Kind turns error
// kinds into something, and the only one allowed is pmapi's map to status
// codes (pmapi.Status); the text comes from fault.Text. A second map would
// let one error read or answer differently in another place.
func TestOneMapFromKindsToStatusCodes(t *testing.T) {
	t.Parallel()
	for path, p := range listModule(t) {
		for _, name := range p.GoFiles {
			file := filepath.Join(p.Dir, name)
			f, err := parser.ParseFile(token.NewFileSet(), file, nil, parser.SkipObjectResolution)
			if err != nil {
				t.Fatal(err)
			}
			ast.Inspect(f, func(n ast.Node) bool {
				m, ok := n.(*ast.MapType)
				if !ok {
					return true
				}
				if sel, ok := m.Key.(*ast.SelectorExpr); ok && sel.Sel.Name == "Kind" && path != module+"/internal/pmapi" {
					if x, ok := sel.X.(*ast.Ident); ok && x.Name == "fault" {
						t.Errorf("%s has a map keyed by fault.Kind: errors become status codes in pmapi.Status only, text in fault.Text", file)
					}
				}
				return true
			})
		}
	}
}

// TestBindingsNeedNoRESTSurface: the window's bindings show an error in
// fault.Text's words and have no status code to give, so app/ does not
// import internal/pmapi (it reaches HTTP only through the gateway).
func TestBindingsNeedNoRESTSurface(t *testing.T) {
	t.Parallel()
	p, ok := listModule(t)[module+"/app"]
	if !ok {
		t.Fatal("app is not in the module")
	}
	if slices.Contains(p.Imports, module+"/internal/pmapi") {
		t.Error("app imports internal/pmapi: take error texts from fault.Text, HTTP handlers from the gateway")
	}
}
