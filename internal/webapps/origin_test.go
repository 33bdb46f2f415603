package webapps

import (
	"regexp"
	"strings"
	"testing"
)

// TestPackageLabelsAreDNSLabels: every package name, however long, gets a
// label browsers accept as one part of a host name (letters, digits, at
// most 63 characters: RFC 1035), distinct for distinct names, that
// LabelPackage reads back (issue 20: a label past 63 characters once went
// unnoticed).
func TestPackageLabelsAreDNSLabels(t *testing.T) {
	t.Parallel()
	dns := regexp.MustCompile(`^[a-z0-9]{1,63}$`)
	seen := map[string]string{}
	for n := 1; n <= 300; n++ {
		for _, name := range []string{strings.Repeat("a", n), strings.Repeat("Zé", n)[:n], "pkg-" + strings.Repeat("9", n)} {
			label := PackageLabel(name)
			if !dns.MatchString(label) {
				t.Fatalf("PackageLabel(%d bytes) = %q (%d characters): not a DNS label", len(name), label, len(label))
			}
			if other, ok := seen[label]; ok && other != name {
				t.Fatalf("two names share the label %q", label)
			}
			seen[label] = name
			got, ok := LabelPackage(label)
			switch {
			case !ok:
				t.Fatalf("LabelPackage(%q) is not a package label", label)
			case len(name) <= 31 && got != name:
				t.Fatalf("LabelPackage(%q) = %q, want %q", label, got, name)
			case len(name) > 31 && got != label:
				t.Fatalf("LabelPackage(%q) = %q, want the label itself for a long name", label, got)
			}
		}
	}
	for _, bad := range []string{"", "a", "azz", "x61", "h" + strings.Repeat("0", 59), "h" + strings.Repeat("g", 60), "a" + strings.Repeat("61", 32)} {
		if _, ok := LabelPackage(bad); ok {
			t.Errorf("LabelPackage(%q) accepted text that is no package label", bad)
		}
	}
}
