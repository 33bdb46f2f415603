package main

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"sort"
	"strings"
)

// Generate returns every mutant of one file, in source order. file is the
// slash path relative to the module root.
func Generate(file string, src []byte) ([]Mutant, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, file, src, parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	tf := fset.File(f.Pos())
	off := func(p token.Pos) int { return tf.Offset(p) }
	var ms []Mutant
	add := func(start, end int, repl, op string) {
		ms = append(ms, Mutant{File: file, Start: start, End: end, New: repl, Op: op})
	}
	flip := map[token.Token]token.Token{
		token.LSS: token.LEQ, token.LEQ: token.LSS, token.GTR: token.GEQ, token.GEQ: token.GTR,
		token.EQL: token.NEQ, token.NEQ: token.EQL, token.LAND: token.LOR, token.LOR: token.LAND,
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.ImportSpec, *ast.Field:
			// Import paths and struct tags are strings; field types hold
			// nothing worth mutating.
			return false
		case *ast.BinaryExpr:
			if to, ok := flip[n.Op]; ok {
				s := off(n.OpPos)
				add(s, s+len(n.Op.String()), to.String(), n.Op.String()+" → "+to.String())
			}
		case *ast.IfStmt:
			// A negated == or != is the flip above again; any other
			// condition gets its own negation.
			if b, ok := n.Cond.(*ast.BinaryExpr); ok && (b.Op == token.EQL || b.Op == token.NEQ) {
				break
			}
			s, e := off(n.Cond.Pos()), off(n.Cond.End())
			add(s, e, "!("+string(src[s:e])+")", "if negated")
		case *ast.IncDecStmt:
			s := off(n.TokPos)
			to := token.DEC
			if n.Tok == token.DEC {
				to = token.INC
			}
			add(s, s+2, to.String(), n.Tok.String()+" → "+to.String())
		case *ast.BasicLit:
			if n.Kind == token.INT {
				s, e := off(n.Pos()), off(n.End())
				add(s, e, "("+n.Value+"+1)", "int "+n.Value+" → +1")
				add(s, e, "("+n.Value+"-1)", "int "+n.Value+" → -1")
			}
		case *ast.CompositeLit:
			// A list of names ([]string{"p", "o", ...}) with one left out:
			// the redactor forgetting a secret key.
			if at, ok := n.Type.(*ast.ArrayType); ok && isIdent(at.Elt, "string") {
				for i, el := range n.Elts {
					var s, e int
					switch {
					case i+1 < len(n.Elts):
						s, e = off(el.Pos()), off(n.Elts[i+1].Pos())
					case i > 0:
						s, e = off(n.Elts[i-1].End()), off(el.End())
					default:
						s, e = off(el.Pos()), off(el.End())
					}
					add(s, e, "", "element "+string(src[off(el.Pos()):off(el.End())])+" dropped")
				}
			}
		case *ast.CallExpr:
			// A regular expression with one alternative of a (?:a|b|c)
			// group left out.
			if isCall(n, "regexp", "MustCompile") && len(n.Args) == 1 {
				ast.Inspect(n.Args[0], func(a ast.Node) bool {
					if lit, ok := a.(*ast.BasicLit); ok && lit.Kind == token.STRING {
						base := off(lit.Pos())
						for _, alt := range alternatives(lit.Value) {
							add(base+alt[0], base+alt[1], "", "regexp alternative "+lit.Value[alt[0]:alt[1]]+" dropped")
						}
						for _, r := range regexpPieces(lit.Value) {
							add(base+r[0], base+r[1], "", "regexp "+lit.Value[r[0]:r[1]]+" dropped")
						}
					}
					return true
				})
			}
		case *ast.ReturnStmt:
			if len(n.Results) == 0 {
				break
			}
			last := n.Results[len(n.Results)-1]
			if errorLike(last) {
				s, e := off(last.Pos()), off(last.End())
				add(s, e, "nil", "error result → nil")
			}
		}
		return true
	})
	sort.SliceStable(ms, func(i, j int) bool { return ms[i].Start < ms[j].Start })
	count := map[string]int{}
	for i := range ms {
		m := &ms[i]
		m.Line = tf.Line(tf.Pos(m.Start))
		m.Src = strings.TrimSpace(lineAt(src, m.Start))
		m.Key = fmt.Sprintf("%s: %s @ %s", m.File, m.Op, m.Src)
		count[m.Key]++
		if n := count[m.Key]; n > 1 {
			m.Key = fmt.Sprintf("%s: %s (#%d) @ %s", m.File, m.Op, n, m.Src)
		}
	}
	return ms, nil
}

// errorLike reports whether a returned expression looks like an error, so
// replacing it by nil swallows a failure. Types are not checked: a nil that
// does not fit fails to compile and the mutant is dropped as not viable.
func errorLike(e ast.Expr) bool {
	switch e := e.(type) {
	case *ast.Ident:
		n := e.Name
		return n == "err" || strings.HasPrefix(n, "Err") || strings.HasPrefix(n, "err") || strings.HasSuffix(n, "Err")
	case *ast.SelectorExpr:
		return strings.HasPrefix(e.Sel.Name, "Err")
	case *ast.CallExpr:
		if sel, ok := e.Fun.(*ast.SelectorExpr); ok {
			if pkg, ok := sel.X.(*ast.Ident); ok {
				switch pkg.Name + "." + sel.Sel.Name {
				case "fmt.Errorf", "errors.New", "errors.Join", "fault.New", "fault.Explain", "fault.Detail":
					return true
				}
			}
		}
	case *ast.UnaryExpr:
		// &LockedError{...}, &PackageError{...}
		if lit, ok := e.X.(*ast.CompositeLit); ok {
			if id, ok := lit.Type.(*ast.Ident); ok {
				return strings.HasSuffix(id.Name, "Error")
			}
		}
	}
	return false
}

func isIdent(e ast.Expr, name string) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == name
}

func isCall(c *ast.CallExpr, pkg, fn string) bool {
	sel, ok := c.Fun.(*ast.SelectorExpr)
	return ok && sel.Sel.Name == fn && isIdent(sel.X, pkg)
}

// alternatives returns, for each alternative of every (?:...|...) group
// without nested groups in a string literal's source text, the byte range
// to delete to drop it (with one of its | separators).
func alternatives(lit string) [][2]int {
	var out [][2]int
	for i := 0; i+3 <= len(lit); i++ {
		if lit[i:i+3] != "(?:" {
			continue
		}
		start := i + 3
		end := strings.IndexAny(lit[start:], "()")
		if end < 0 || lit[start+end] != ')' {
			continue
		}
		end += start
		var bars []int
		for j := start; j < end; j++ {
			if lit[j] == '|' {
				bars = append(bars, j)
			}
		}
		if len(bars) == 0 {
			continue
		}
		// Alternative k spans from the previous bar (or start) to the next.
		bounds := append(append([]int{start - 1}, bars...), end)
		for k := 0; k+1 < len(bounds); k++ {
			from, to := bounds[k]+1, bounds[k+1]
			if k+1 < len(bounds)-1 {
				to++ // take the | after it
			} else {
				from-- // the last one: take the | before it
			}
			out = append(out, [2]int{from, to})
		}
	}
	return out
}

// regexpPieces returns the byte ranges, in a string literal's source text,
// of the flags (?i), the anchors \b, ^ and $ outside classes, and each
// member of a [...] class but the ^ that negates it: dropping one makes a
// pattern that matches less, or more, than it should.
func regexpPieces(lit string) [][2]int {
	var out [][2]int
	inClass := false
	for i := 0; i < len(lit); i++ {
		c := lit[i]
		switch {
		case c == '\\' && i+1 < len(lit):
			if inClass || lit[i+1] == 'b' {
				out = append(out, [2]int{i, i + 2})
			}
			i++
		case inClass && c == ']':
			inClass = false
		case inClass:
			out = append(out, [2]int{i, i + 1})
		case c == '[':
			inClass = true
			if i+1 < len(lit) && lit[i+1] == '^' {
				i++
			}
		case strings.HasPrefix(lit[i:], "(?i)"):
			out = append(out, [2]int{i, i + 4})
			i += 3
		case c == '^' || c == '$':
			out = append(out, [2]int{i, i + 1})
		}
	}
	return out
}

func lineAt(src []byte, off int) string {
	start := bytes.LastIndexByte(src[:off], '\n') + 1
	end := bytes.IndexByte(src[off:], '\n')
	if end < 0 {
		return string(src[start:])
	}
	return string(src[start : off+end])
}

// sample keeps at most n mutants, spread evenly over the file so a limit
// still reaches every function.
func sample(ms []Mutant, n int) []Mutant {
	if n <= 0 || len(ms) <= n {
		return ms
	}
	out := make([]Mutant, 0, n)
	for i := range n {
		out = append(out, ms[i*len(ms)/n])
	}
	return out
}
