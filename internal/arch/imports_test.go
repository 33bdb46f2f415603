package arch_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestImportsInTwoGroups reads every Go file of the module, tests and
// other platforms' files included: its imports are at most two groups,
// the standard library first, then everything else (the module's own
// packages among the others, sorted by gofmt). One rule leaves nothing to
// argue about in a review and nothing for goimports settings to decide.
// A cgo file's import "C" stands alone by necessity and is not counted.
func TestImportsInTwoGroups(t *testing.T) {
	t.Parallel()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("the module root is not where the test thinks: %v", err)
	}
	files := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			// What the go command ignores, and the npm packages' stray
			// Go files.
			if path != root && (name == "node_modules" || name == "testdata" ||
				strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") {
			return nil
		}
		files++
		rel, _ := filepath.Rel(root, path)
		for _, problem := range importGroupProblems(t, path) {
			t.Errorf("%s: %s", rel, problem)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 100 {
		t.Fatalf("found %d Go files; the walk is not where the test thinks", files)
	}
}

// importGroupProblems parses one file's imports and says what breaks the
// rule of TestImportsInTwoGroups. A group is a run of import specs with no
// blank line between them (a spec's doc comment belongs to it), as gofmt
// sees them.
func importGroupProblems(t *testing.T, path string) []string {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly|parser.ParseComments|parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	var groups [][]string // import paths, per group
	for _, decl := range f.Decls {
		gd, ok := decl.(*ast.GenDecl)
		if !ok || gd.Tok != token.IMPORT {
			continue
		}
		prevEnd := -1 // a new declaration starts a new group
		for _, spec := range gd.Specs {
			is := spec.(*ast.ImportSpec)
			p, err := strconv.Unquote(is.Path.Value)
			if err != nil {
				t.Fatal(err)
			}
			if p == "C" {
				continue
			}
			start := is.Pos()
			if is.Doc != nil {
				start = is.Doc.Pos()
			}
			end := is.End()
			if is.Comment != nil {
				end = is.Comment.End()
			}
			if prevEnd < 0 || fset.Position(start).Line > prevEnd+1 {
				groups = append(groups, nil)
			}
			groups[len(groups)-1] = append(groups[len(groups)-1], p)
			prevEnd = fset.Position(end).Line
		}
	}
	var problems []string
	if len(groups) > 2 {
		problems = append(problems, strconv.Itoa(len(groups))+" import groups; at most two: the standard library, then everything else")
	}
	for i, g := range groups {
		std := 0
		for _, p := range g {
			if isStd(p) {
				std++
			}
		}
		switch {
		case std > 0 && std < len(g):
			problems = append(problems, "group "+strconv.Itoa(i+1)+" mixes the standard library with other imports")
		case std > 0 && i > 0:
			problems = append(problems, "group "+strconv.Itoa(i+1)+" is the standard library; it comes first")
		}
	}
	return problems
}

// isStd reports whether an import path is the standard library's: its
// first element has no dot. The module's own path, loginshell, has none
// either.
func isStd(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	return first != module && !strings.Contains(first, ".")
}
