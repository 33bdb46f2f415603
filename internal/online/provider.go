package online

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
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
// last login in memory for the end-session call at logout. Safe for
// concurrent use.
type Provider struct {
	o ProviderOptions

	mu      sync.Mutex
	key     string
	client  *Client
	session *Session
}

// ProviderOptions are a Provider's collaborators. Settings, HTTPClient,
// Now, Log and Open are required.
type ProviderOptions struct {
	Settings   *settings.Store
	HTTPClient *http.Client
	Now        func() time.Time
	Log        *slog.Logger
	// Open shows the provider's login page: the window itself, the
	// browser tab of the serve mode, or the system browser.
	Open func(ctx context.Context, url string) error
	// Returned, if set, runs when a login has ended, whatever the outcome:
	// the window reloads the shell after an embedded login.
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

// Login runs one interactive login at the provider.
func (p *Provider) Login(ctx context.Context) (user.Profile, error) {
	c, err := p.current()
	if err != nil {
		return user.Profile{}, err
	}
	s, err := c.Login(ctx, p.o.Open)
	if p.o.Returned != nil {
		p.o.Returned()
	}
	if err != nil {
		return user.Profile{}, err
	}
	p.mu.Lock()
	p.session = &s
	p.mu.Unlock()
	return s.Profile, nil
}

// Logout ends the provider's session of the last login, when it offers an
// end-session endpoint. It is a back-channel call (the provider identifies
// the session by the id_token_hint): best effort, bounded, logged.
func (p *Provider) Logout(ctx context.Context) {
	p.mu.Lock()
	s, c := p.session, p.client
	p.session = nil
	p.mu.Unlock()
	if s == nil || c == nil {
		return
	}
	u, ok := c.EndSessionURL(*s, "")
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return
	}
	resp, err := p.o.HTTPClient.Do(req)
	if err != nil {
		p.o.Log.Warn("end the identity provider's session", "err", err)
		return
	}
	resp.Body.Close()
	p.o.Log.Info("identity provider session ended", "status", resp.StatusCode)
}

// current returns a client for the settings as they are now.
func (p *Provider) current() (*Client, error) {
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
		Prompt:       s.String(settings.Prompt),
		MaxAge:       s.Duration(settings.MaxAge),
		Timeout:      s.Duration(settings.LoginTimeout),
		ReturnURL:    p.o.ReturnURL,
		HTTPClient:   p.o.HTTPClient,
		Now:          p.o.Now,
		Log:          p.o.Log,
	}
	key := strings.Join([]string{cfg.Issuer, cfg.ClientID, cfg.ClientSecret, strings.Join(cfg.Scopes, " "),
		cfg.RolesClaim, cfg.Prompt, cfg.MaxAge.String(), cfg.Timeout.String()}, "\x00")
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
