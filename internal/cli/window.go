package cli

import (
	"context"
	"fmt"

	"loginshell/app"
	"loginshell/frontend"
	"loginshell/internal/gateway"
	"loginshell/internal/online"
	"loginshell/internal/screen"
	"loginshell/internal/settings"
	"loginshell/internal/shell"
)

const windowSynopsis = "loginshell [--data DIR] [--boot FILE] [--package DIR]... [--inspect] [--login-url URL] [--redirect-port PORT] [--store DSN] [--demo] [--offline]\n      opens the shell window"

// runWindow opens the shell in the Wails window: the pages' listener
// first (its origin goes into the screen), then the shell, then the window
// over both.
func runWindow(e *env, args []string) error {
	var o shellFlags
	var inspect bool
	fs := newFlags("window")
	o.add(fs, e.dataDir)
	fs.BoolVar(&inspect, "inspect", false, "QA: enable the web inspector (right click > Inspect Element) on the window's pages")
	if help, err := e.parse("window", fs, args); help || err != nil {
		return err
	}
	if err := e.noArgs("window", fs); err != nil {
		return err
	}
	log, err := e.logger("window", o.logLevel)
	if err != nil {
		return err
	}
	if err := app.CheckDisplay(); err != nil {
		return err
	}
	pages, err := gateway.ListenPages()
	if err != nil {
		return fmt.Errorf("listen for the hosted pages: %w", err)
	}
	defer pages.Close()
	var win *app.Window
	sh, err := shell.Build(o.config(log, pages.Origin(), func(scr *screen.Screen, st *settings.Store) (online.ProviderOptions, error) {
		var err error
		win, err = app.NewWindow(scr, log.With("component", "app"))
		if err != nil {
			return online.ProviderOptions{}, err
		}
		return windowSignIn(win, st), nil
	}))
	if err != nil {
		return err
	}
	defer sh.Close()
	if sh.DemoNote != "" {
		fmt.Fprintln(e.stdout, sh.DemoNote)
	}
	return app.Run(sh, win, pages, frontend.Dist(), app.RunOptions{Inspect: inspect})
}

// windowSignIn is where the window shows the provider's page: in the
// window itself, then reloaded back to the shell, or in the system browser
// (login_browser "system"), with nothing to reload. The setting is read
// once, at start, like the rest of the window's wiring.
func windowSignIn(win *app.Window, st *settings.Store) online.ProviderOptions {
	if st.String(settings.LoginBrowser) == "system" {
		return online.ProviderOptions{Open: win.OpenSystem}
	}
	return online.ProviderOptions{Open: win.OpenEmbedded, Returned: win.ReturnFromLogin}
}

// embedded shows the provider's page where the shell is (the window, or
// the browser tab of the serve mode).
func embedded(scr *screen.Screen) func(context.Context, string) error {
	return func(_ context.Context, url string) error { scr.Navigate(url); return nil }
}
