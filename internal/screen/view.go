package screen

import "loginshell/internal/signature"

// Kind is what the content area holds.
type Kind string

const (
	Loading  Kind = "loading"
	Page     Kind = "page"
	Error    Kind = "error"
	Navigate Kind = "navigate" // the whole window goes to URL (the IdP's login page)
)

// UserRef is the part of the signed-in user the status bar shows.
type UserRef struct {
	Username string `json:"username"`
	Name     string `json:"name,omitempty"`
	// Offline is true for a user signed in with the offline password: the
	// status bar says "Signed in offline" rather than "Signed in online".
	Offline bool `json:"offline,omitempty"`
	// MayInstall: this person may install packages (install.Permit: the
	// installer_role setting), so the chrome offers Install package… and
	// Install folder…. Only a hint for the chrome: the install service
	// asks the same rule again at every install.
	MayInstall bool `json:"mayInstall,omitempty"`
}

// Problem is an error view in an operator's words: what happened
// (Heading, Message), the one next action (Action, the label of the
// chrome's button, which starts the sign-in again; "" is "Try again"), and
// with Configure the login server form, filled with LoginURL (the address
// tried, "" when none is set) so a mistyped one can be corrected. Calm
// marks an outcome the person chose (a cancelled sign-in): shown without
// the colours of a failure. Every text must be fit for a person: no
// internal causes, tokens or response bodies.
type Problem struct {
	Heading   string
	Message   string
	Action    string
	Configure bool
	LoginURL  string
	Calm      bool
}

// View is one state of the window. Seq grows with every change so a
// client that gets views out of order keeps the newest.
type View struct {
	Seq     uint64 `json:"seq"`
	Kind    Kind   `json:"kind"`
	URL     string `json:"url,omitempty"`
	Title   string `json:"title,omitempty"`
	Message string `json:"message,omitempty"`
	Auth    bool   `json:"auth,omitempty"`
	// Over marks an authentication page opened while an application page
	// was shown (a page's POST /auth/update, /auth/setup or /auth): the
	// chrome shows it over that page, which stays loaded behind it, hidden,
	// so the request that opened it gets its answer when the flow ends
	// (seed 002: "200 -- Update completed"). A page replaced by the
	// authentication page would lose that answer: its request is aborted
	// the moment its document goes, which the mobile container's reference
	// starter app reports as a failure.
	Over bool `json:"over,omitempty"`
	// Configure marks an error view that offers to set the login server
	// (login_url): the chrome shows a form beside Retry.
	Configure bool `json:"configure,omitempty"`
	// Heading, Action, LoginURL and Calm belong to an error view (see
	// Problem); absent, the chrome uses its own generic words.
	Heading  string   `json:"heading,omitempty"`
	Action   string   `json:"action,omitempty"`
	LoginURL string   `json:"loginURL,omitempty"`
	Calm     bool     `json:"calm,omitempty"`
	User     *UserRef `json:"user"`
	Online   bool     `json:"online"`
	// OfflineChosen is --offline: the person chose to work without the
	// login server, so the status bar says so rather than blaming it.
	OfflineChosen bool   `json:"offlineChosen,omitempty"`
	Version       string `json:"version,omitempty"`
	// Pages is the origin page URLs resolve against (the hosted pages'
	// own origin, never the chrome's); "" resolves them on the chrome's.
	Pages string `json:"pages,omitempty"`
	// Page names the page shown (a new name each time a page is shown
	// anew): the system.page of the signature SDK. It is unguessable and
	// only the chrome has it: it hands it to the document in its content
	// frame alone, so a dialog is raised only by the page shown (Post),
	// never by a popup, another tab or another package's page.
	Page string `json:"page,omitempty"`
	// Challenge is the signature challenge the shell's modal dialog shows
	// over the page, if any (never part of the page's document).
	Challenge *signature.Challenge `json:"challenge,omitempty"`
	// SigningPhrase, with a Challenge only, is the station's signing
	// phrase (internal/phrase) the genuine dialog shows, "" while none is
	// chosen (the dialog asks for one). Views reach the chrome only.
	SigningPhrase string `json:"signingPhrase,omitempty"`
	// Reload counts the Reload calls of this screen: when it changes and
	// the URL does not, the chrome loads the frame's page again.
	Reload uint64 `json:"reload,omitempty"`
	// Notice is a line the chrome shows in its top bar over every view
	// until it is taken down (Notify): a signature alert of any station
	// on the store. Never part of a page's document.
	Notice string `json:"notice,omitempty"`
	// Live, on a page view, is the --package folder the page is served
	// from as it is (run from source): the chrome marks the page "live
	// from <folder>" in its top bar, which no page can draw or read.
	Live string `json:"live,omitempty"`
	// Broken are the --package folders that do not load (SetLive): while
	// there is one, the chrome's page area says what `loginshell check`
	// says of it, in place of whatever view this is, until it is fixed.
	Broken []Live `json:"broken,omitempty"`
}
