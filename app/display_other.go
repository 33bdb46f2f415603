//go:build !linux

package app

// haveDisplay is always true off Linux: Windows and macOS desktops always
// have one for an interactive session.
func haveDisplay() bool { return true }
