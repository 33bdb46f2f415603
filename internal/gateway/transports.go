package gateway

import (
	"context"
	"io/fs"
	"net/http"

	"loginshell/internal/pmapi"
	"loginshell/internal/shell"
)

// ForShell returns the two handlers both transports serve over the
// engines of sh: the chrome's (assets nil in the window: Wails serves the
// chrome's files itself; browser set in the browser mode, whose chrome has
// no bindings and so gets the upload and login-server endpoints) and the
// pages' (host is the pages' exact host:port, ancestors the chrome's
// origins that may frame them).
func ForShell(sh *shell.Shell, assets fs.FS, browser bool, host string, ancestors []string) (chrome, pages http.Handler, err error) {
	api, err := pmapi.New(pmapi.Options{
		Auth: sh.Auth, Users: sh.Users, Settings: sh.Settings,
		Connectivity: func(context.Context) []string { return sh.Connectivity.States(sh.Users) },
		Boot:         sh.Boot, Windows: sh.Boot, Version: shell.Version, Log: sh.Log.With("component", "pmapi"),
		Signatures: sh.Signatures, Session: sh.Screen.Session, Page: func() string { return sh.Screen.Current().Page },
	})
	if err != nil {
		return nil, nil, err
	}
	pages, err = Pages(PagesOptions{PMAPI: api, Webapps: sh.Library.Handler(), Host: host, FrameAncestors: ancestors})
	if err != nil {
		return nil, nil, err
	}
	o := Options{
		Assets: assets, Screen: sh.Screen,
		Retry:  func() { sh.Boot.Start(context.Background()) },
		Cancel: sh.Auth.Cancel,
		Log:    sh.Log,
	}
	if browser {
		o.Install, o.Configure = sh.Installs, sh.Boot.SetLoginServer
		if sh.Signatures != nil {
			o.Challenges = sh.Signatures
		}
	}
	chrome, err = New(o)
	return chrome, pages, err
}
