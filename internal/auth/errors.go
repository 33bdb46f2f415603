package auth

import "errors"

// Errors callers branch on. Each message says what happened and what a
// person can do about it; internal/pmapi maps them to the seed's status
// codes, so the engine never speaks HTTP.
var (
	// ErrInProgress: a login, setup or update is already running.
	ErrInProgress = errors.New("authentication is already in progress; finish it or cancel it (DELETE /auth) first")
	// ErrNotInProgress: a completion or cancel arrived with nothing running.
	ErrNotInProgress = errors.New("no authentication is in progress; start one with POST /auth")
	// ErrNotConfigured: neither a login server nor offline login is set up.
	ErrNotConfigured = errors.New("basic settings are not configured: set login_url to the organisation's OpenID issuer (start loginshell with --login-url URL, or PUT it to /pmapi/usersettings), or try the demo with --demo")
	// ErrNotAttempted wraps the reason a login could not be attempted.
	ErrNotAttempted = errors.New("sign-in could not be attempted")
	// ErrFailed wraps the reason a login attempt failed.
	ErrFailed = errors.New("sign-in failed")
	// ErrCancelled: the running flow was cancelled (DELETE /auth, logout).
	ErrCancelled = errors.New("sign-in was cancelled")
	// ErrTokenUnknown: the token is not the one of the running flow's page,
	// was minted for another command, or was already used.
	ErrTokenUnknown = errors.New("unknown token, or this request is not expected now; reopen the page from the shell")
	// ErrBadQuery: the query string is not as the seed specifies.
	ErrBadQuery = errors.New("query string is not as expected")
	// ErrNotOnline: setup and update need a fresh online login.
	ErrNotOnline = errors.New("the user is not signed in online; sign in online first, then set the offline password")
	// ErrNoOfflinePackage: the boot document names no offline package.
	ErrNoOfflinePackage = errors.New("the boot document does not configure an offline login package (offlineName)")
	// ErrNoPage: the offline package has no page for the command.
	ErrNoPage = errors.New("the offline login package does not name a page for this step")
	// ErrVaultExists: setup for a user who already has an offline password.
	ErrVaultExists = errors.New("an offline password is already set up for this user; change it instead (POST /auth/update)")
	// ErrNoVault: update or offline login for a user with no offline password.
	ErrNoVault = errors.New("no offline password is set up for this user; sign in online and set one up first")
)
