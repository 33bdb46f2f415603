//go:build !linux

package app

// enableInspector reports that a production build cannot enable the
// inspector on this platform: Wails fixes WebView2's and WKWebView's
// developer tools at build time (wails build -tags devtools enables them).
func enableInspector() bool { return false }
