package boot

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"loginshell/internal/online"
	"loginshell/internal/settings"
	"loginshell/internal/user"
)

// Online adapts internal/online to auth.Online: it builds the OpenID client
// from the user settings at each use (a page may change login_url at any
// time), decides where the login page shows, and keeps the session of the
// last login in memory for the end-session call at logout.
type Online struct {
	Settings   *settings.Store
	HTTPClient *http.Client
	Now        func() time.Time
	Log        *slog.Logger
	// Open shows the provider's login page (the embedded window, the
	// browser tab of the serve mode, or the system browser).
	Open func(ctx context.Context, url string) error
	// Returned runs when a login has ended, whatever the outcome: the
	// window reloads the shell after an embedded login.
	Returned func()
	// ReturnURL is where the loopback callback sends the browser; "" shows
	// a "you can close this window" page.
	ReturnURL string
	// DefaultClientID is used when the client_id setting is empty.
	DefaultClientID string

	mu      sync.Mutex
	key     string
	client  *online.Client
	session *online.Session
}

// Configured reports whether login_url is set.
func (o *Online) Configured() bool { return o.Settings.String(settings.LoginURL) != "" }

// Reachable reports whether the login server answers now (cached briefly).
func (o *Online) Reachable(ctx context.Context) bool {
	c, err := o.current()
	return err == nil && c.Reachable(ctx)
}

// Login runs one interactive login at the provider.
func (o *Online) Login(ctx context.Context) (user.Profile, error) {
	c, err := o.current()
	if err != nil {
		return user.Profile{}, err
	}
	s, err := c.Login(ctx, o.Open)
	if o.Returned != nil {
		o.Returned()
	}
	if err != nil {
		return user.Profile{}, err
	}
	o.mu.Lock()
	o.session = &s
	o.mu.Unlock()
	return s.Profile, nil
}

// Logout ends the provider's session of the last login, when it offers an
// end-session endpoint. It is a back-channel call (the provider identifies
// the session by the id_token_hint): best effort, bounded, logged.
func (o *Online) Logout(ctx context.Context) {
	o.mu.Lock()
	s, c := o.session, o.client
	o.session = nil
	o.mu.Unlock()
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
	resp, err := o.HTTPClient.Do(req)
	if err != nil {
		o.Log.Warn("end the identity provider's session", "err", err)
		return
	}
	resp.Body.Close()
	o.Log.Info("identity provider session ended", "status", resp.StatusCode)
}

// current returns a client for the settings as they are now.
func (o *Online) current() (*online.Client, error) {
	s := o.Settings
	clientID := s.String(settings.ClientID)
	if clientID == "" {
		clientID = o.DefaultClientID
	}
	cfg := online.Config{
		Issuer:       s.String(settings.LoginURL),
		ClientID:     clientID,
		ClientSecret: s.String(settings.ClientSecret),
		Scopes:       s.List(settings.Scopes),
		RolesClaim:   s.String(settings.RolesClaim),
		Prompt:       s.String(settings.Prompt),
		MaxAge:       s.Duration(settings.MaxAge),
		Timeout:      s.Duration(settings.LoginTimeout),
		ReturnURL:    o.ReturnURL,
		HTTPClient:   o.HTTPClient,
		Now:          o.Now,
		Log:          o.Log,
	}
	key := strings.Join([]string{cfg.Issuer, cfg.ClientID, cfg.ClientSecret, strings.Join(cfg.Scopes, " "),
		cfg.RolesClaim, cfg.Prompt, cfg.MaxAge.String(), cfg.Timeout.String()}, "\x00")
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.client != nil && o.key == key {
		return o.client, nil
	}
	c, err := online.New(cfg)
	if err != nil {
		return nil, fmt.Errorf("online login settings: %w", err)
	}
	o.client, o.key = c, key
	return c, nil
}
