package cli

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"loginshell/frontend"
	"loginshell/internal/online"
	"loginshell/internal/screen"
	"loginshell/internal/serve"
	"loginshell/internal/settings"
	"loginshell/internal/shell"
)

const serveSynopsis = "loginshell serve [--listen 127.0.0.1:0] [--data DIR] [--boot FILE] [--package DIR]... [--login-url URL] [--redirect-port PORT] [--store DSN] [--demo] [--offline]\n      serves the same shell over loopback HTTP for a browser or CI"

// runServe serves the shell over loopback HTTP until SIGINT or SIGTERM.
// The first line on stdout is the banner with the keyed URL.
func runServe(e *env, args []string) error {
	var o shellFlags
	var listen string
	fs := newFlags("serve")
	o.add(fs, e.dataDir)
	fs.StringVar(&listen, "listen", "127.0.0.1:0", "loopback address to listen on")
	if help, err := e.parse("serve", fs, args); help || err != nil {
		return err
	}
	if err := e.noArgs("serve", fs); err != nil {
		return err
	}
	log, err := e.logger("serve", o.logLevel)
	if err != nil {
		return err
	}
	// The listener first: a refused address is refused before anything
	// is created, and the sign-in's way back is its URL.
	ln, err := serve.Listen(listen)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	sh, err := shell.Build(o.config(log, ln.PagesOrigin(), func(scr *screen.Screen, _ *settings.Store) (online.ProviderOptions, error) {
		// The provider's page opens in the same tab, and the loopback
		// callback sends the tab back to the shell, whose screen has
		// left the provider's page by then.
		return online.ProviderOptions{Open: embedded(scr), ReturnURL: ln.KeyedURL(),
			Returned: func() { scr.LeaveNavigate("Signing in…") }}, nil
	}))
	if err != nil {
		ln.Close()
		return err
	}
	defer sh.Close()
	return serve.Run(ctx, ln, sh, frontend.Dist(), func(line string) {
		fmt.Fprintln(e.stdout, line) // the banner: the first line on stdout
		if sh.DemoNote != "" {
			fmt.Fprintln(e.stdout, sh.DemoNote)
		}
	})
}
