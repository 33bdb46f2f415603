//go:build !unix

package postgres_test

import "time"

// processCPU is not measured where getrusage is missing: the plant's
// report then gives the stations' CPU as zero.
func processCPU() time.Duration { return 0 }
