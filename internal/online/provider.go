package online

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"loginshell/internal/settings"
	"loginshell/internal/user"
)

// Provider is the organisation's identity provider as the authentication
// service sees it: it builds the OpenID client from the user settings at
// each use (a page may change login_url at any time), shows the login page
// where the transport decided at construction, and keeps the session of the
// last login in memory for the logout. Safe for concurrent use.
//
// Logout and the provider's session. Providers keep their own session in
// the browser (a cookie), and most end it only when that browser visits
// their end_session_endpoint (RP-initiated logout); a request from the
// shell's back channel ends nothing, and the next sign-in would let the
// previous person in again with one click. So Logout signs out in the
// shell at once and leaves the provider's session to the next Login, which
// the shell starts right after a logout: that Login first shows the
// provider's end-session page (id_token_hint, post_logout_redirect_uri
// http://127.0.0.1:<port>/logged-out, state) where it shows pages, and the
// loopback listener sends the browser from there to the authorization
// request. Where the provider has no end-session endpoint, or does not come
// back with the state, the authorization request carries prompt=login
// instead, and keeps carrying it until a sign-in succeeds: the next person
// types a password either way.
type Provider struct {
	o ProviderOptions

	mu     sync.Mutex
	key    string
	client *Client
	// last is the session of the last login, until Logout.
	last *heldSession
	// ended is the session Logout ended in the shell, whose provider
	// session the next Login ends through the browser.
	ended *heldSession
	// mustPrompt: the provider may still hold a previous person's session;
	// the next Login asks for prompt=login unless its end-session page was
	// confirmed.
	mustPrompt bool
}

// heldSession is a login's session with the login server it belongs to:
// a Login at another server does not end it there.
type heldSession struct {
	issuer, clientID string
	session          Session
}

// ProviderOptions are a Provider's collaborators. Settings, HTTPClient,
// Now, Log and Open are required.
type ProviderOptions struct {
	Settings   *settings.Store
	HTTPClient *http.Client
	Now        func() time.Time
	Log        *slog.Logger
	// Open shows the provider's page (the sign-in page, or first its
	// end-session page after a logout): the window itself, the browser
	// tab of the serve mode, or the system browser.
	Open func(ctx context.Context, url string) error
	// Returned, if set, runs when a login that showed the provider's page
	// is done with it, whatever the outcome, before the loopback listener
	// answers the browser: the window reloads the shell after an embedded
	// login, the serve mode moves its screen off the provider's page. It
	// does not run when the page was never shown (the provider could not
	// be reached, or refused the request before anything was shown).
	Returned func()
	// ReturnURL is where the loopback callback sends the browser; "" shows
	// a "you can close this window" page.
	ReturnURL string
	// DefaultClientID is used when the client_id setting is empty.
	DefaultClientID string
}

// NewProvider returns a Provider, refusing missing collaborators.
func NewProvider(o ProviderOptions) (*Provider, error) {
	if o.Settings == nil || o.HTTPClient == nil || o.Now == nil || o.Log == nil || o.Open == nil {
		return nil, errors.New("online: Settings, HTTPClient, Now, Log and Open are required")
	}
	return &Provider{o: o}, nil
}

// Issuer is the login server the next login or probe reaches (login_url).
func (p *Provider) Issuer() string { return p.o.Settings.String(settings.LoginURL) }

// Configured reports whether login_url is set.
func (p *Provider) Configured() bool { return p.o.Settings.String(settings.LoginURL) != "" }

// Reachable reports whether the login server answers now (cached briefly).
func (p *Provider) Reachable(ctx context.Context) bool {
	c, err := p.current()
	return err == nil && c.Reachable(ctx)
}

// NotLoginServer reports, as ErrNotOpenID, a login server address that
// answers as something else than an OpenID provider (a web server, a
// proxy's sign-in answering 401), and nil for one that answers as one, one
// that does not answer at all, and none set. One request: for a sign-in
// that found the login server unreachable, to tell a wrong address from a
// server that is down.
func (p *Provider) NotLoginServer(ctx context.Context) error {
	c, err := p.current()
	if err != nil {
		return nil
	}
	if err := c.explain(ctx); errors.Is(err, ErrNotOpenID) {
		return err
	}
	return nil
}

// Login runs one interactive login at the provider; after a Logout it
// first ends the previous person's session there (see Provider).
func (p *Provider) Login(ctx context.Context) (user.Profile, error) {
	c, err := p.current()
	if err != nil {
		return user.Profile{}, err
	}
	p.mu.Lock()
	ended := p.ended
	p.ended = nil
	a := attempt{forcePrompt: p.mustPrompt, returned: p.o.Returned}
	p.mu.Unlock()
	if ended != nil && ended.issuer == c.cfg.Issuer && ended.clientID == c.cfg.ClientID {
		a.endSession = &ended.session
	}
	s, res, err := c.run(ctx, p.o.Open, a)
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case err == nil:
		p.last = &heldSession{issuer: c.cfg.Issuer, clientID: c.cfg.ClientID, session: s}
		p.mustPrompt = false
	case res.loggedOut:
		p.mustPrompt = false // the previous session is over at the provider
	case !res.shown && ended != nil && p.ended == nil:
		p.ended = ended // never shown (unreachable, refused): try again next time
	}
	if err != nil {
		return user.Profile{}, err
	}
	return s.Profile, nil
}

// Logout signs the last login's session out of the shell. It sends
// nothing: the provider's session ends through the browser at the next
// Login (see Provider), which then asks for a password whatever the
// provider does. It never blocks, so a sign-out is never held up by the
// network.
func (p *Provider) Logout(context.Context) {
	p.mu.Lock()
	s := p.last
	p.last = nil
	if s != nil {
		p.ended, p.mustPrompt = s, true
	}
	p.mu.Unlock()
	if s != nil {
		p.o.Log.Info("signed out; the identity provider's session ends through the browser at the next sign-in")
	}
}

// current returns a client for the settings as they are now.
func (p *Provider) current() (*Client, error) {
	cfg := p.config()
	key := strings.Join([]string{cfg.Issuer, cfg.ClientID, cfg.ClientSecret, strings.Join(cfg.Scopes, " "),
		cfg.RolesClaim, cfg.GroupsClaim, cfg.Prompt, cfg.MaxAge.String(), cfg.Timeout.String(), strconv.Itoa(cfg.RedirectPort)}, "\x00")
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.client != nil && p.key == key {
		return p.client, nil
	}
	c, err := New(cfg)
	if err != nil {
		return nil, fmt.Errorf("online login settings: %w", err)
	}
	p.client, p.key = c, key
	return c, nil
}

// SignIn runs one sign-in at the provider for an electronic signature
// (signature.Interactive): the provider's page is shown with show (the
// shell's signature dialog), and who signed in is returned. It is never
// the shell's own session: the person signed in to the shell stays who
// they are. With force, the request carries prompt=login and max_age=0,
// so a session the provider holds is not enough: the signer types their
// password now, and an ID token whose auth_time is older than this
// sign-in is refused. The loopback callback answers the dialog with a
// "you can close this window" page.
func (p *Provider) SignIn(ctx context.Context, force bool, show func(ctx context.Context, url string) error) (user.Profile, error) {
	cfg := p.config()
	cfg.ReturnURL = ""
	started := p.o.Now()
	c, err := New(cfg)
	if err != nil {
		return user.Profile{}, fmt.Errorf("online login settings: %w", err)
	}
	s, _, err := c.run(ctx, show, attempt{forcePrompt: force, freshOnly: force})
	if err != nil {
		return user.Profile{}, err
	}
	if force && s.authTime != nil && s.authTime.Before(started.Add(-authTimeLeeway)) {
		return user.Profile{}, fail(ErrTokenRejected, nil, "the login server reused an earlier sign-in instead of asking for the password; check that it honours prompt=login")
	}
	return s.Profile, nil
}

// config is the client configuration the settings say now.
func (p *Provider) config() Config {
	s := p.o.Settings
	clientID := s.String(settings.ClientID)
	if clientID == "" {
		clientID = p.o.DefaultClientID
	}
	cfg := Config{
		Issuer:       s.String(settings.LoginURL),
		ClientID:     clientID,
		ClientSecret: s.String(settings.ClientSecret),
		Scopes:       s.List(settings.Scopes),
		RolesClaim:   s.String(settings.RolesClaim),
		GroupsClaim:  s.String(settings.GroupsClaim),
		Prompt:       s.String(settings.Prompt),
		MaxAge:       s.Duration(settings.MaxAge),
		Timeout:      s.Duration(settings.LoginTimeout),
		RedirectPort: s.Port(settings.RedirectPort),
		ReturnURL:    p.o.ReturnURL,
		HTTPClient:   p.o.HTTPClient,
		Now:          p.o.Now,
		Log:          p.o.Log,
	}
	return cfg
}
