package webapps_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"loginshell/internal/webapps"
)

// BenchmarkLoadFolder is what a --package folder costs at start and after
// each change of its files: the installer's whole read (every entry rule,
// every byte measured), as check and install read it. The folder is a
// built web app of 400 files, 16 MiB, in dist/ beside its sources.
func BenchmarkLoadFolder(b *testing.B) {
	repo := b.TempDir()
	put := func(rel string, data []byte) {
		p := filepath.Join(repo, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	put("webapp.json", []byte(`{"name":"big","version":"1.0","main":"index.html","src-folder":"./dist/"}`))
	put("dist/index.html", []byte("<!doctype html><title>big</title>"))
	chunk := bytes.Repeat([]byte("x"), 40<<10)
	for i := range 400 {
		put(fmt.Sprintf("dist/assets/%02d/file%03d.js", i%20, i), chunk)
		put(fmt.Sprintf("src/%03d.ts", i), []byte("// not read"))
	}
	b.ResetTimer()
	for range b.N {
		if _, problems := webapps.LoadFolder(repo); len(problems) > 0 {
			b.Fatal(problems)
		}
	}
}
