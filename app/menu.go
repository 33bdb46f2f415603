package app

import (
	"github.com/wailsapp/wails/v2/pkg/menu"
	"github.com/wailsapp/wails/v2/pkg/menu/keys"
)

// SettingsEvent is the Wails event that asks the chrome to open its
// Settings place (the Shell menu's Settings…). Only Go emits it.
const SettingsEvent = "settings"

// shellMenu and settingsLabel name the window menu's way to the Settings
// place.
const (
	shellMenu     = "Shell"
	settingsLabel = "Settings…"
)

// settingsKey is the accelerator of settingsLabel: Ctrl+, (Cmd+, on a
// Mac), where desktop programs keep their settings. Like every window
// accelerator it reaches the window before the web view, so it works
// whatever page has the keys, and no page can press it.
func settingsKey() *keys.Accelerator { return keys.CmdOrCtrl(",") }

// windowMenus are the window's menus. The window shows one of two
// (Runtime.SignInMenu): the Shell menu (Settings…) while the chrome is in
// the window, and the Sign-in menu (Back to the shell, Shell.backToShell)
// only while the identity provider's page fills it, where the chrome is
// not and an item that did nothing would only mislead (issue 22). all
// holds both, for a platform that switches them in place (GTK).
type windowMenus struct {
	all, shell, signIn *menu.Menu
}

// newWindowMenus builds the menus over the two actions.
func newWindowMenus(back, settings func()) windowMenus {
	shellSub := func(m *menu.Menu) {
		m.AddSubmenu(shellMenu).AddText(settingsLabel, settingsKey(), func(*menu.CallbackData) { settings() })
	}
	signInSub := func(m *menu.Menu) {
		m.AddSubmenu(backMenu).AddText(backLabel, backKey(), func(*menu.CallbackData) { back() })
	}
	w := windowMenus{all: menu.NewMenu(), shell: menu.NewMenu(), signIn: menu.NewMenu()}
	shellSub(w.all)
	signInSub(w.all)
	shellSub(w.shell)
	signInSub(w.signIn)
	return w
}

// openSettings is the Shell menu's Settings…: the chrome opens its
// Settings place. Not a binding: pages cannot call it.
func (s *Shell) openSettings() {
	if rt := s.win.runtime(); rt != nil {
		rt.EventsEmit(SettingsEvent)
	}
}
