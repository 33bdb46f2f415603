package demoidp

import (
	"context"
	"fmt"
	"slices"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// claimRoles carries User.Roles, claimGroups User.Groups, each always as
// a JSON array.
const (
	claimRoles  = "roles"
	claimGroups = "groups"
)

// setClaims fills the claims of user u for the granted scopes: sub always;
// preferred_username and name with "profile"; email and email_verified with
// "email"; roles and groups always (a demo shell needs them to pick what
// to show, and requesting the "roles" scope is allowed but changes
// nothing).
func setClaims(info *oidc.UserInfo, u User, scopes []string) {
	info.Subject = u.Username
	if slices.Contains(scopes, oidc.ScopeProfile) {
		info.PreferredUsername = u.Username
		info.Name = u.Name
	}
	if slices.Contains(scopes, oidc.ScopeEmail) {
		info.Email = u.Email
		info.EmailVerified = oidc.Bool(true)
	}
	roles := slices.Clone(u.Roles)
	if roles == nil {
		roles = []string{}
	}
	info.AppendClaims(claimRoles, roles)
	groups := slices.Clone(u.Groups)
	if groups == nil {
		groups = []string{}
	}
	info.AppendClaims(claimGroups, groups)
}

func (s *store) user(username string) (User, error) {
	u, ok := s.users[username]
	if !ok {
		return User{}, fmt.Errorf("user %q unknown", username)
	}
	return u, nil
}

// SetUserinfoFromScopes is deprecated in zitadel in favour of
// SetUserinfoFromRequest, and left empty as it asks.
func (s *store) SetUserinfoFromScopes(context.Context, *oidc.UserInfo, string, string, []string) error {
	return nil
}

// SetUserinfoFromRequest fills the ID token's claims.
func (s *store) SetUserinfoFromRequest(_ context.Context, info *oidc.UserInfo, req op.IDTokenRequest, scopes []string) error {
	u, err := s.user(req.GetSubject())
	if err != nil {
		return err
	}
	setClaims(info, u, scopes)
	return nil
}

// SetUserinfoFromToken answers the userinfo endpoint for a live access token.
func (s *store) SetUserinfoFromToken(_ context.Context, info *oidc.UserInfo, tokenID, _, _ string) error {
	s.mu.Lock()
	t, ok := s.tokens[tokenID]
	s.mu.Unlock()
	if !ok || s.clock.now().After(t.expires) {
		return fmt.Errorf("access token invalid or expired")
	}
	u, err := s.user(t.subject)
	if err != nil {
		return err
	}
	setClaims(info, u, t.scopes)
	return nil
}

// SetIntrospectionFromToken: introspection needs a confidential client, and
// the demo provider has none.
func (s *store) SetIntrospectionFromToken(context.Context, *oidc.IntrospectionResponse, string, string, string) error {
	return fmt.Errorf("introspection: %w", errUnsupported)
}

// GetPrivateClaimsFromScopes is only used for JWT access tokens; this
// provider issues opaque ones.
func (s *store) GetPrivateClaimsFromScopes(context.Context, string, string, []string) (map[string]any, error) {
	return nil, nil
}

func (s *store) GetKeyByIDAndClientID(context.Context, string, string) (*jose.JSONWebKey, error) {
	return nil, fmt.Errorf("client keys: %w", errUnsupported)
}

func (s *store) ValidateJWTProfileScopes(context.Context, string, []string) ([]string, error) {
	return nil, fmt.Errorf("jwt profile grant: %w", errUnsupported)
}

func (s *store) GetClientByClientID(_ context.Context, clientID string) (op.Client, error) {
	if clientID != s.client.id {
		return nil, fmt.Errorf("client %q unknown", clientID)
	}
	return s.client, nil
}

// AuthorizeClientIDSecret: the one client is public and has no secret.
func (s *store) AuthorizeClientIDSecret(context.Context, string, string) error {
	return fmt.Errorf("client secrets: %w", errUnsupported)
}

func (s *store) Health(context.Context) error { return nil }

// signingKey is the RS256 key generated for this Server (RS256 is the
// algorithm every OpenID client must accept).
type signingKey struct {
	id  string
	key any
}

func (k signingKey) SignatureAlgorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (k signingKey) Algorithm() jose.SignatureAlgorithm          { return jose.RS256 }
func (k signingKey) Key() any                                    { return k.key }
func (k signingKey) ID() string                                  { return k.id }
func (k signingKey) Use() string                                 { return "sig" }

// SigningKey is what the token endpoint signs with; it waits for the key
// to be made (signingKeys).
func (s *store) SigningKey(ctx context.Context) (op.SigningKey, error) {
	key, err := s.keys.get(ctx)
	if err != nil {
		return nil, err
	}
	return signingKey{id: s.keyID, key: key}, nil
}

func (s *store) SignatureAlgorithms(context.Context) ([]jose.SignatureAlgorithm, error) {
	return []jose.SignatureAlgorithm{jose.RS256}, nil
}

// KeySet publishes the public half at the keys endpoint.
func (s *store) KeySet(ctx context.Context) ([]op.Key, error) {
	key, err := s.keys.get(ctx)
	if err != nil {
		return nil, err
	}
	return []op.Key{signingKey{id: s.keyID, key: &key.PublicKey}}, nil
}
