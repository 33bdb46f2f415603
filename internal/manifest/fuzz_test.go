package manifest

import (
	"errors"
	"io/fs"
	"strings"
	"testing"
)

// The seed corpora live in testdata/fuzz/<FuzzName>/ and run as ordinary
// tests; `go test -fuzz FuzzParseBoot` explores from them.

func FuzzParseManifest(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseWebApp(data)
		if err != nil {
			if !errors.Is(err, ErrInvalidDocument) {
				t.Fatalf("error %v does not match ErrInvalidDocument", err)
			}
			return
		}
		if !ValidName(m.Name) || !ValidName(m.Version) {
			t.Fatalf("accepted an unsafe name or version: %q %q", m.Name, m.Version)
		}
		for _, p := range m.Pages() {
			if !fs.ValidPath(p) || p == "." || strings.ContainsAny(p, `\:`) {
				t.Fatalf("accepted an unsafe page path %q", p)
			}
		}
	})
}

func FuzzParseBoot(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := ParseBoot(data)
		if err != nil {
			if !errors.Is(err, ErrInvalidDocument) {
				t.Fatalf("error %v does not match ErrInvalidDocument", err)
			}
			return
		}
		if b.Name == "" || b.Version == "" || !ValidName(b.Starter) {
			t.Fatalf("accepted an incomplete boot document: %+v", b)
		}
		if b.OfflineName != "" && !ValidName(b.OfflineName) {
			t.Fatalf("accepted an unsafe offline name %q", b.OfflineName)
		}
		if b.Dependencies == nil {
			t.Fatal("Dependencies is nil")
		}
		for name, v := range b.Dependencies {
			if !ValidName(name) || !ValidName(v) {
				t.Fatalf("accepted an unsafe dependency %q: %q", name, v)
			}
		}
	})
}
