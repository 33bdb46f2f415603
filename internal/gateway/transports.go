package gateway

import (
	"context"
	"errors"
	"io/fs"
	"net/http"

	"loginshell/internal/pagefiles"
	"loginshell/internal/pmapi"
	"loginshell/internal/shell"
)

// ForWindow returns the two handlers the window serves over the engines
// of sh, so both transports run one code path:
//
//   - the chrome's, for Wails' asset server, which serves the chrome's
//     files itself (no assets here). It answers GET /shell/token with the
//     bindings' token and the message channel's prefix (see WindowChrome
//     and withToken), and takes POST /shell/install, a package dropped on
//     the chrome, with the token in KeyHeader like every /shell/ request.
//     It has no configure, settings or challenge endpoints, which the
//     window's bindings stand for;
//   - the pages', answering only on pagesHost (the pages' exact
//     host:port) and framed only by ancestors, the chrome's origins.
//
// The caller MUST serve the chrome's documents with Unframed (Wails'
// asset server serves them without this handler).
func ForWindow(sh *shell.Shell, wc WindowChrome, pagesHost string, ancestors []string) (chrome, pages http.Handler, err error) {
	if wc.Token == "" || wc.Channel == nil {
		return nil, nil, errors.New("gateway: the window's chrome needs the bindings' token and the channel's prefix")
	}
	chrome, pages, err = forShell(sh, pagesHost, ancestors, Options{Install: sh.Installs})
	if err != nil {
		return nil, nil, err
	}
	return withToken(chrome, wc), pages, nil
}

// ForBrowser returns the two handlers the browser mode serves over the
// engines of sh: the chrome's, with assets (nil: none), POST
// /shell/install, and the endpoints the window does through its bindings,
// /shell/configure, /shell/settings (the Settings place),
// /shell/signing-phrase, /shell/signin/exposed (a page that took the
// keyboard from a sign-in page) and /shell/challenge/{id} when sh runs
// signatures; and the pages', as for ForWindow. The caller MUST put Guard in front of
// the chrome: its endpoints install packages and take what signers type.
func ForBrowser(sh *shell.Shell, assets fs.FS, pagesHost string, ancestors []string) (chrome, pages http.Handler, err error) {
	o := Options{Assets: assets, Install: sh.Installs, Configure: sh.Boot.SetLoginServer, SigningPhrase: sh.SetSigningPhrase,
		Settings: sh.Configure, SignInExposed: sh.SignInExposed}
	if sh.Signatures != nil { // a nil *Engine in the interface would not be nil
		o.Challenges = sh.Signatures
	}
	return forShell(sh, pagesHost, ancestors, o)
}

// forShell builds the pages' handler over sh and the chrome's from o,
// whose Screen, Retry, Cancel and Log it fills in from sh.
func forShell(sh *shell.Shell, pagesHost string, ancestors []string, o Options) (chrome, pages http.Handler, err error) {
	api, err := pmapi.New(pmapi.Options{
		Auth: sh.Auth, Users: sh.Users, Settings: sh.Settings,
		Connectivity: func(context.Context) []string { return sh.Connectivity.States(sh.Users) },
		Boot:         sh.Boot, Windows: sh.Boot, Version: shell.Version, Log: sh.Log.With("component", "pmapi"),
		Signatures: sh.Signatures, Session: sh.Screen.Session,
	})
	if err != nil {
		return nil, nil, err
	}
	pages, err = Pages(PagesOptions{PMAPI: api, Webapps: pagefiles.Handler(sh.Library), Host: pagesHost, FrameAncestors: ancestors})
	if err != nil {
		return nil, nil, err
	}
	o.Screen = sh.Screen
	o.Retry = func() { sh.Boot.Start(context.Background()) }
	o.Cancel = sh.Auth.Cancel
	o.Log = sh.Log
	chrome, err = New(o)
	return chrome, pages, err
}
