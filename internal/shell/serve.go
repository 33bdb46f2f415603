package shell

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"time"

	"loginshell/internal/gateway"
)

// ServeBanner is the format of the serve mode's first line on stdout;
// scripts and the browser tests read the URL from it.
const ServeBanner = "loginshell: serving %s"

// Serve runs the shell over HTTP on a loopback address until ctx ends: the
// same chrome, packages and API as the window, for browsers and CI. It
// prints the URL (with the per-run key) through out, then any demo note,
// then starts the boot flow.
func (s *Shell) Serve(ctx context.Context, listen string, assets fs.FS, out func(string)) error {
	host, _, err := net.SplitHostPort(listen)
	if err != nil {
		return fmt.Errorf("--listen %q is not host:port (try 127.0.0.1:0)", listen)
	}
	if host == "localhost" {
		// The Host check needs one spelling; loopback IPv4 is the one
		// every browser and tool resolves the same way.
		listen = net.JoinHostPort("127.0.0.1", listen[len(host)+1:])
		host = "127.0.0.1"
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("--listen %q is not a loopback address: serve mode signs people in and listens on loopback only (try 127.0.0.1:0)", listen)
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", listen, err)
	}
	hostport := ln.Addr().String()
	base := "http://" + hostport + "/"
	// In a browser the identity provider's page opens in the same tab, and
	// the loopback callback sends the tab back to the shell.
	s.Online.Open = func(_ context.Context, url string) error { s.Screen.Navigate(url); return nil }
	s.Online.ReturnURL = base
	// The browser has no bindings: it uploads packages to POST
	// /shell/install and sets the login server with POST /shell/configure.
	h, err := s.handler(assets, true)
	if err != nil {
		ln.Close()
		return err
	}
	key := gateway.NewKey()
	srv := &http.Server{Handler: gateway.Guard(key, hostport, h), ReadHeaderTimeout: 10 * time.Second}
	out(fmt.Sprintf(ServeBanner, base+"?key="+key))
	if note := s.DemoNote(); note != "" {
		out(note)
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	s.Boot.Start(ctx)
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	_ = s.Auth.Cancel() // blocked POST /auth calls answer before shutdown
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		srv.Close()
	}
	return nil
}
