package cli

import (
	"runtime/debug"
	"testing"
)

// TestVerifyGCIsSetBack: audit verify's collector settings hold only
// while it runs; the process's own (GOGC, GOMEMLIMIT) come back after,
// and a memory limit lower than verify's is kept while it runs.
func TestVerifyGCIsSetBack(t *testing.T) {
	for _, tt := range []struct {
		name           string
		percent, limit int64
		wantLimit      int64 // while verify runs
	}{
		{"defaults", 100, 1<<63 - 1, verifyMemoryLimit},
		{"a lower limit is kept", 50, 64 << 20, 64 << 20},
		{"a higher limit is lowered", 200, 8 << 30, verifyMemoryLimit},
	} {
		t.Run(tt.name, func(t *testing.T) {
			oldPercent, oldLimit := debug.SetGCPercent(int(tt.percent)), debug.SetMemoryLimit(tt.limit)
			defer func() { debug.SetGCPercent(oldPercent); debug.SetMemoryLimit(oldLimit) }()
			restore := verifyGC()
			percent, limit := debug.SetGCPercent(-1), debug.SetMemoryLimit(-1)
			debug.SetGCPercent(percent)
			if percent != verifyGCPercent || limit != tt.wantLimit {
				t.Errorf("while verify runs: GOGC=%d, limit %d; want %d, %d", percent, limit, verifyGCPercent, tt.wantLimit)
			}
			restore()
			percent, limit = debug.SetGCPercent(-1), debug.SetMemoryLimit(-1)
			debug.SetGCPercent(percent)
			if int64(percent) != tt.percent || limit != tt.limit {
				t.Errorf("after verify: GOGC=%d, limit %d; want %d, %d", percent, limit, tt.percent, tt.limit)
			}
		})
	}
}
