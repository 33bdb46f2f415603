//go:build !linux

package app

// holdModals does nothing off Linux: WebView2 and WKWebView are not hooked
// (yet), so a page's alert shows there as in a browser; see README
// "Security".
func holdModals(func() bool) {}
