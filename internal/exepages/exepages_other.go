//go:build !linux

package exepages

// Release does nothing off Linux. Windows' memory manager trims a
// process's working set itself when memory is short; what the window
// holds there has not been measured.
func Release() (int64, error) { return 0, nil }
