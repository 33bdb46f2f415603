package app

import (
	"github.com/wailsapp/wails/v2/pkg/menu/keys"
)

// backToShell is the window's way back from the identity provider's page:
// the Sign-in menu's "Back to the shell" and its key, Alt+Left (see
// newWindowMenus). A native menu works whatever the provider's page does: it
// may forbid framing, show an error, or never redirect back, and the
// chrome is not in the window while it is shown. It cancels the sign-in in
// progress (as the chrome's Cancel does on an authentication page): the
// provider's login ends as cancelled, its Returned hook reloads the chrome,
// and the boot sequence shows the cancellation with Retry. With no sign-in
// to cancel it only brings the chrome back if the window is still away
// from it. It is not a binding: pages cannot call it.
func (s *Shell) backToShell() {
	if err := s.sh.Auth.Cancel(); err == nil {
		s.sh.Log.Info("sign-in cancelled from the window's menu (back to the shell)")
		return
	}
	s.win.bringBack()
}

// backMenu and backLabel name the window menu's way back from the
// identity provider's page (README, "Connecting your identity provider").
const (
	backMenu  = "Sign-in"
	backLabel = "Back to the shell (cancel sign-in)"
)

// backKey is the accelerator of backLabel: Alt+Left, a browser's Back. The
// window's accelerators come before the web view gets the key (GTK's
// window handles them first; WebView2 hands keys to the window with its
// own browser keys off), so no page can swallow it.
func backKey() *keys.Accelerator { return keys.OptionOrAlt("left") }
