package demoidp

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// authRequestLifetime bounds the time from the authorization request to the
// code exchange, sign-in included.
const authRequestLifetime = 10 * time.Minute

var (
	// errUnknownRequest: no pending authorization request has this id or
	// code (never existed, expired, or already used).
	errUnknownRequest = errors.New("authorization request unknown or expired")
	// errBadCredentials: wrong username or password.
	errBadCredentials = errors.New("wrong username or password")
	// errUnsupported: a grant or endpoint this demo provider does not offer.
	errUnsupported = errors.New("not supported by the demo provider")
)

// store implements op.Storage in memory (adapted from zitadel's example
// storage.Storage, cut down to the code flow, userinfo and end_session).
type store struct {
	clock  clock
	client *nativeClient
	users  map[string]User
	keys   *signingKeys
	keyID  string

	mu       sync.Mutex
	requests map[string]*authRequest // by id
	codes    map[string]string       // code -> request id
	tokens   map[string]accessToken  // by id
}

type accessToken struct {
	subject  string
	clientID string
	scopes   []string
	expires  time.Time // by the injected clock
}

var (
	_ op.Storage                        = (*store)(nil)
	_ op.CanSetUserinfoFromRequest      = (*store)(nil)
	_ op.CanTerminateSessionFromRequest = (*store)(nil)
)

func newStore(client *nativeClient, users []User, keys *signingKeys) *store {
	byName := make(map[string]User, len(users))
	for _, u := range users {
		u.Roles, u.Groups = slices.Clone(u.Roles), slices.Clone(u.Groups)
		byName[u.Username] = u
	}
	return &store{
		clock:    client.clock,
		client:   client,
		users:    byName,
		keys:     keys,
		keyID:    rand.Text(),
		requests: make(map[string]*authRequest),
		codes:    make(map[string]string),
		tokens:   make(map[string]accessToken),
	}
}

// CreateAuthRequest stores a request zitadel has validated, after the checks
// zitadel cannot do for this client: the exact loopback redirect form
// (checked first: a refusal must not be sent to that URI), PKCE S256
// present, and no prompt=none (there is no session to use silently).
func (s *store) CreateAuthRequest(_ context.Context, req *oidc.AuthRequest, _ string) (op.AuthRequest, error) {
	if err := checkLoopbackRedirect(req.RedirectURI); err != nil {
		return nil, oidc.ErrInvalidRequestRedirectURI().
			WithDescription("The redirect_uri must be http://127.0.0.1:<port>/<path>.").WithParent(err)
	}
	if req.CodeChallenge == "" || req.CodeChallengeMethod != oidc.CodeChallengeMethodS256 {
		return nil, oidc.ErrInvalidRequest().
			WithDescription("PKCE is required: send code_challenge with code_challenge_method=S256.")
	}
	if slices.Contains(req.Prompt, oidc.PromptNone) {
		return nil, oidc.ErrLoginRequired()
	}
	now := s.clock.now()
	r := &authRequest{
		id:           rand.Text(),
		created:      now,
		clientID:     req.ClientID,
		redirectURI:  req.RedirectURI,
		state:        req.State,
		nonce:        req.Nonce,
		scopes:       slices.Clone(req.Scopes),
		responseType: req.ResponseType,
		responseMode: req.ResponseMode,
		codeChallenge: &oidc.CodeChallenge{
			Challenge: req.CodeChallenge,
			Method:    req.CodeChallengeMethod,
		},
		clock: s.clock,
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dropExpiredLocked(now)
	s.requests[r.id] = r
	copied := *r
	return &copied, nil
}

// dropExpiredLocked forgets requests and tokens past their time, so a
// long demo session does not grow without bound.
func (s *store) dropExpiredLocked(now time.Time) {
	maps.DeleteFunc(s.requests, func(_ string, r *authRequest) bool {
		return now.Sub(r.created) > authRequestLifetime
	})
	maps.DeleteFunc(s.codes, func(_ string, id string) bool { return s.requests[id] == nil })
	maps.DeleteFunc(s.tokens, func(_ string, t accessToken) bool { return now.After(t.expires) })
}

// request returns a copy of the pending request id.
func (s *store) request(id string) (*authRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.requests[id]
	if !ok || s.clock.now().Sub(r.created) > authRequestLifetime {
		return nil, errUnknownRequest
	}
	copied := *r
	return &copied, nil
}

// signIn checks the credentials and, if they match, completes request id
// for that user. The comparison of passwords takes constant time.
func (s *store) signIn(id, username, password string) error {
	if _, err := s.request(id); err != nil {
		return err
	}
	u, ok := s.users[username]
	if !ok || subtle.ConstantTimeCompare([]byte(u.Password), []byte(password)) != 1 {
		return errBadCredentials
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.requests[id]
	if !ok {
		return errUnknownRequest
	}
	r.subject = u.Username
	r.done = true
	r.authTime = s.clock.now()
	return nil
}

// AuthRequestByID is called when the sign-in form hands back to zitadel.
func (s *store) AuthRequestByID(_ context.Context, id string) (op.AuthRequest, error) {
	return s.request(id)
}

// AuthRequestByCode is called by the token endpoint.
func (s *store) AuthRequestByCode(_ context.Context, code string) (op.AuthRequest, error) {
	s.mu.Lock()
	id, ok := s.codes[code]
	s.mu.Unlock()
	if !ok {
		return nil, errUnknownRequest
	}
	return s.request(id)
}

func (s *store) SaveAuthCode(_ context.Context, id, code string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.requests[id]; !ok {
		return errUnknownRequest
	}
	s.codes[code] = id
	return nil
}

// DeleteAuthRequest is called once the code was exchanged: codes are
// single-use.
func (s *store) DeleteAuthRequest(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.requests, id)
	maps.DeleteFunc(s.codes, func(_ string, rid string) bool { return rid == id })
	return nil
}

// CreateAccessToken stores an opaque access token (zitadel encrypts its id
// into the bearer value). The expiry handed back is on zitadel's wall-clock
// scale, so expires_in is the lifetime even under a skewed clock.
func (s *store) CreateAccessToken(_ context.Context, req op.TokenRequest) (string, time.Time, error) {
	clientID := s.client.id
	if r, ok := req.(*authRequest); ok {
		clientID = r.clientID
	}
	id := rand.Text()
	s.mu.Lock()
	s.tokens[id] = accessToken{
		subject:  req.GetSubject(),
		clientID: clientID,
		scopes:   slices.Clone(req.GetScopes()),
		expires:  s.clock.now().Add(s.client.lifetime),
	}
	s.mu.Unlock()
	return id, time.Now().Add(s.client.lifetime - s.clock.skew()), nil
}

func (s *store) CreateAccessAndRefreshTokens(context.Context, op.TokenRequest, string) (string, string, time.Time, error) {
	return "", "", time.Time{}, fmt.Errorf("refresh tokens: %w", errUnsupported)
}

func (s *store) TokenRequestByRefreshToken(context.Context, string) (op.RefreshTokenRequest, error) {
	return nil, oidc.ErrInvalidGrant().WithDescription("refresh tokens are not supported")
}

func (s *store) GetRefreshTokenInfo(context.Context, string, string) (string, string, error) {
	return "", "", op.ErrInvalidRefreshToken
}

// TerminateSession revokes the user's access tokens for the client.
func (s *store) TerminateSession(_ context.Context, userID, clientID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	maps.DeleteFunc(s.tokens, func(_ string, t accessToken) bool {
		return t.subject == userID && t.clientID == clientID
	})
	return nil
}

// TerminateSessionFromRequest ends the session named by the id_token_hint
// and refuses a post_logout_redirect_uri that zitadel's glob admitted but
// checkLoopbackRedirect does not.
func (s *store) TerminateSessionFromRequest(ctx context.Context, req *op.EndSessionRequest) (string, error) {
	if !strings.HasPrefix(req.RedirectURI, "/") {
		if err := checkLoopbackRedirect(req.RedirectURI); err != nil {
			return "", oidc.ErrInvalidRequest().WithDescription("post_logout_redirect_uri invalid").WithParent(err)
		}
	}
	if req.UserID != "" {
		if err := s.TerminateSession(ctx, req.UserID, req.ClientID); err != nil {
			return "", err
		}
	}
	return req.RedirectURI, nil
}

// RevokeToken revokes one access token of the client (RFC 7009); unknown
// tokens are not an error.
func (s *store) RevokeToken(_ context.Context, tokenOrID, _, clientID string) *oidc.Error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t, ok := s.tokens[tokenOrID]; ok {
		if t.clientID != clientID {
			return oidc.ErrInvalidClient().WithDescription("token was not issued for this client")
		}
		delete(s.tokens, tokenOrID)
	}
	return nil
}
