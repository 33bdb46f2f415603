package app

import "os"

// haveDisplay reports whether GTK can open a window; without this check
// GTK panics with a message that does not say what to do.
func haveDisplay() bool { return os.Getenv("DISPLAY") != "" || os.Getenv("WAYLAND_DISPLAY") != "" }
