//go:build !linux

package app

// quitOnMainThread ends the window: Wails' runtime.Quit is safe from any
// goroutine where GTK is not the toolkit (WebView2 posts a message).
func quitOnMainThread(rt Runtime) {
	if rt != nil {
		rt.Quit()
	}
}
