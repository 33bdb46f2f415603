package auth

import "loginshell/internal/fault"

// Errors callers branch on. Each message says what happened and what a
// person can do about it, in words that fit the window as well as a page:
// no REST routes. The kind of each is the seed's status for it
// (internal/pmapi turns kinds into codes), so the engine never speaks HTTP.
var (
	// ErrInProgress: a login, setup or update is already running.
	ErrInProgress = fault.New(fault.BadRequest, "authentication is already in progress; finish it or cancel it first")
	// ErrNotInProgress: a completion or cancel arrived with nothing running.
	ErrNotInProgress = fault.New(fault.BadRequest, "no authentication is in progress; start a sign-in first")
	// ErrNotConfigured: neither a login server nor offline login is set up.
	ErrNotConfigured = fault.New(fault.NotConfigured, "basic settings are not configured: no login server is set and nobody can sign in offline yet; enter your organisation's login server address")
	// ErrNotAttempted wraps the reason a login could not be attempted.
	ErrNotAttempted = fault.New(fault.Forbidden, "sign-in could not be attempted")
	// ErrFailed wraps the reason a login attempt failed.
	ErrFailed = fault.New(fault.Forbidden, "sign-in failed")
	// ErrNotLoginServer: the login server's address answered, but not as an
	// OpenID provider (a web server, a proxy's 401), and nobody can sign in
	// offline. It comes with ErrFailed, in the login server's own words.
	ErrNotLoginServer = fault.New(fault.Forbidden, "that address is not an OpenID login server; correct login_url")
	// ErrCancelled: the running flow was cancelled (Cancel, logout).
	ErrCancelled = fault.New(fault.Forbidden, "sign-in was cancelled")
	// ErrTokenUnknown: the token is not the one of the running flow's page,
	// was minted for another command, or was already used.
	ErrTokenUnknown = fault.New(fault.NotFound, "unknown token, or this request is not expected now; reopen the page from the shell")
	// ErrBadQuery: the query string is not as the seed specifies.
	ErrBadQuery = fault.New(fault.BadRequest, "query string is not as expected")
	// ErrNotOnline: setup and update need a fresh online login.
	ErrNotOnline = fault.New(fault.BadRequest, "the user is not signed in online; sign in online first, then set the offline password")
	// ErrNoOfflinePackage: the boot document names no offline package.
	ErrNoOfflinePackage = fault.New(fault.BadRequest, "the boot document does not configure an offline login package (offlineName)")
	// ErrNoPage: the offline package has no page for the command.
	ErrNoPage = fault.New(fault.BadRequest, "the offline login package does not name a page for this step")
	// ErrVaultExists: setup for a user who already has an offline password.
	ErrVaultExists = fault.New(fault.BadRequest, "an offline password is already set up for this user; change it instead")
	// ErrNoVault: update or offline login for a user with no offline password.
	ErrNoVault = fault.New(fault.BadRequest, "no offline password is set up for this user yet; set one up (signed in online) before changing it")
)
