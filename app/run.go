package app

import (
	"io/fs"
	"os"
	"os/signal"
	"syscall"

	"loginshell/internal/fault"

	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/options/assetserver"

	"loginshell/internal/gateway"
	"loginshell/internal/shell"
)

// ErrNoDisplay means there is no display to open a window on.
var ErrNoDisplay = fault.New(fault.Unavailable, "no display to open a window on (DISPLAY and WAYLAND_DISPLAY are unset); use `loginshell serve --listen 127.0.0.1:0` and open the printed URL in a browser")

// Run opens the shell window over sh and blocks until it closes. win is
// the Window the online provider was built with. SIGTERM and SIGINT close
// it cleanly, like the window's close button.
func Run(sh *shell.Shell, win *Window, assets fs.FS) error {
	if !haveDisplay() {
		return ErrNoDisplay
	}
	ui, err := New(sh, win)
	if err != nil {
		return err
	}
	handler, err := gateway.ForShell(sh, nil, false)
	if err != nil {
		return err
	}
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, os.Interrupt)
	defer signal.Stop(sigs)
	go func() {
		if _, ok := <-sigs; ok {
			if rt := win.runtime(); rt != nil {
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
