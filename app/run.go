package app

import (
	"errors"
	"io/fs"
	"os"
	"os/signal"
	"syscall"

	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/options/assetserver"

	"loginshell/internal/settings"
	"loginshell/internal/shell"
)

// ErrNoDisplay means there is no display to open a window on.
var ErrNoDisplay = errors.New("no display to open a window on (DISPLAY and WAYLAND_DISPLAY are unset); use `loginshell serve --listen 127.0.0.1:0` and open the printed URL in a browser")

// Run opens the shell window and blocks until it closes. SIGTERM and
// SIGINT close it cleanly, like the window's close button.
func Run(sh *shell.Shell, assets fs.FS) error {
	if !haveDisplay() {
		return ErrNoDisplay
	}
	ui, err := New(sh.Auth, sh.Boot, sh.Screen, sh.Log.With("component", "app"))
	if err != nil {
		return err
	}
	ui.SetInstaller(sh.Installs)
	ui.SetConfigurer(sh)
	if sh.Settings.String(settings.LoginBrowser) == "system" {
		sh.Online.Open = ui.OpenSystem
	} else {
		sh.Online.Open = ui.OpenEmbedded
		sh.Online.Returned = ui.ReturnFromLogin
	}
	handler, err := sh.Handler(nil)
	if err != nil {
		return err
	}
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, os.Interrupt)
	defer signal.Stop(sigs)
	go func() {
		if _, ok := <-sigs; ok {
			if rt := ui.runtime(); rt != nil {
				rt.Quit()
			}
		}
	}()
	return wails.Run(&options.App{
		Title:     "loginshell",
		Width:     1280,
		Height:    800,
		MinWidth:  640,
		MinHeight: 480,
		AssetServer: &assetserver.Options{
			Assets:  assets,
			Handler: handler,
		},
		// Files dropped on the window arrive as paths (runtime.OnFileDrop)
		// and are installed; the chrome stops the webview opening them.
		DragAndDrop: &options.DragAndDrop{EnableFileDrop: true},
		OnStartup:   ui.Startup,
		OnShutdown:  ui.Shutdown,
		Bind:        []any{ui},
	})
}
