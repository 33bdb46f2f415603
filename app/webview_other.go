//go:build !linux

package app

// guardsChannel: WebView2 gives a frame's postMessage to that frame's own
// event, which Wails does not listen to; only the top-level document (the
// chrome) reaches Wails, so there is nothing to guard and the chrome's
// messages go unprefixed. (WKWebView, like WebKitGTK, hands the handler
// to every frame: a macOS build would need the Linux guard's equal.)
const guardsChannel = false

// install has nothing to put in place: the chrome's frame-ancestors
// header (gateway.Unframed) keeps it out of frames, and WebView2 gives the
// chrome a dropped file's bytes, which it uploads. (The Windows build is
// compiled here, not run.)
func (g *webviewGuard) install() { g.done(nil) }
