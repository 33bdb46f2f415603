package keychain

import (
	"errors"
	"fmt"
)

// Params are the argon2id cost parameters. They are stored in every vault
// file (and bound into its seal), so a vault stays readable after the
// defaults change; a vault picks up new parameters when its password changes.
type Params struct {
	Time      uint32 `json:"time"`       // passes over memory
	MemoryKiB uint32 `json:"memory_kib"` // memory in KiB
	Threads   uint8  `json:"threads"`    // lanes computed in parallel
}

// DefaultParams returns what Open uses when Options.Params is zero: 64 MiB,
// three passes, two lanes, over three times OWASP's minimum memory. On a
// 2-core AMD EPYC VM one key derivation took 0.2-0.3 s when the machine was
// quiet, and BenchmarkUnlock 0.4-0.7 s with a load average of 5-7: under the
// 1 s a person waits at a login prompt. It is a function, not a variable, so
// no code can lower the cost of every new vault by assigning to it.
func DefaultParams() Params { return Params{Time: 3, MemoryKiB: 64 * 1024, Threads: 2} }

// MinParams returns the OWASP Password Storage Cheat Sheet minimum for
// argon2id (m=19 MiB, t=2, p=1). Open refuses weaker Params, and a vault
// file holding weaker ones is refused as tampered, so an edited file cannot
// lower the cost of guessing — unless Options.InsecureAllowWeakParams is
// set. A function rather than a variable so the floor cannot be lowered at
// run time.
func MinParams() Params { return Params{Time: 2, MemoryKiB: 19 * 1024, Threads: 1} }

// insecureMinParams is the floor under Options.InsecureAllowWeakParams:
// argon2 itself needs one pass, one lane and 8 KiB per lane.
func insecureMinParams() Params { return Params{Time: 1, MemoryKiB: 8, Threads: 1} }

// maxParams bounds what a vault file may ask for, so a tampered file cannot
// make an unlock allocate gigabytes or run for minutes.
var maxParams = Params{Time: 16, MemoryKiB: 1 << 20, Threads: 16}

// check reports parameters outside [minimum, maxParams]. argon2 itself needs
// at least 8 KiB per lane.
func (p Params) check(minimum Params) error {
	switch {
	case p.Time < minimum.Time || p.MemoryKiB < minimum.MemoryKiB || p.Threads < minimum.Threads:
		return fmt.Errorf("argon2id parameters %s are below the minimum %s", p, minimum)
	case p.Time > maxParams.Time || p.MemoryKiB > maxParams.MemoryKiB || p.Threads > maxParams.Threads:
		return fmt.Errorf("argon2id parameters %s are above the maximum %s", p, maxParams)
	case p.Threads == 0 || p.MemoryKiB < 8*uint32(p.Threads):
		return errors.New("argon2id needs at least one lane and 8 KiB per lane")
	}
	return nil
}

func (p Params) String() string {
	return fmt.Sprintf("m=%dKiB,t=%d,p=%d", p.MemoryKiB, p.Time, p.Threads)
}
