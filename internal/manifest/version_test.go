package manifest

import "testing"

func TestCompareVersions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		a, b string
		want int
	}{
		{"equal versions compare equal", "1.2.3", "1.2.3", 0},
		{"numeric parts compare as numbers", "1.10.0", "1.9.3", 1},
		{"leading zeros do not matter", "1.02", "1.2", 0},
		{"a missing part ranks below a present one", "1.0", "1.0.0", -1},
		{"a release ranks above its pre-release", "1.0.0", "1.0.0-beta", 1},
		{"pre-releases compare as text", "1.0.0-alpha", "1.0.0-beta", -1},
		{"huge numbers do not overflow", "20240101120000000000001", "20240101120000000000000", 1},
		{"text parts rank below numbers", "1.x", "1.0", -1},
		{"the major part decides first", "2", "1.99.99", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := CompareVersions(tt.a, tt.b); got != tt.want {
				t.Errorf("CompareVersions(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
			}
			if got := CompareVersions(tt.b, tt.a); got != -tt.want {
				t.Errorf("CompareVersions(%q, %q) = %d, want %d", tt.b, tt.a, got, -tt.want)
			}
		})
	}
}
