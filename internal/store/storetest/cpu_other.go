//go:build !unix

package storetest

import "time"

// ProcessCPU is not measured where getrusage is missing: the benchmarks
// then report the CPU as zero.
func ProcessCPU() time.Duration { return 0 }
