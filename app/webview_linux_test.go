//go:build desktop

package app

import "testing"

// The guard forwards to Wails' processBindingMessage through a weak
// reference: a Wails that renames or drops it would leave the window
// without a channel (the chrome would not start). This says so at once.
// Wails' window is in a program only with the desktop tag, as the binary
// is built: go test -tags desktop,production,webkit2_41 -run
// TestWailsEntryLinked ./app/ (make gotest does).
func TestWailsEntryLinked(t *testing.T) {
	t.Parallel()
	if !wailsEntryLinked() {
		t.Fatal("Wails' processBindingMessage is not linked in: the channel guard has nothing to forward the chrome's messages to")
	}
}
