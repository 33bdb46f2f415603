package demoidp

import (
	"log/slog"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// clock is Options.Now plus the offset zitadel needs (see
// nativeClient.ClockSkew). Without an injected clock the offset is zero.
type clock struct {
	now      func() time.Time
	injected bool
}

func newClock(now func() time.Time) clock {
	if now == nil {
		return clock{now: time.Now}
	}
	return clock{now: now, injected: true}
}

// skew is how far the injected clock is ahead of the wall clock (negative
// when behind). It is computed on each call so a frozen test clock works.
func (c clock) skew() time.Duration {
	if !c.injected {
		return 0
	}
	return time.Until(c.now())
}

// authRequest is one authorization request from its validation until its
// code is exchanged (adapted from zitadel's example storage.AuthRequest).
// The store hands zitadel copies, so the fields are never read while the
// sign-in form changes them.
type authRequest struct {
	id            string
	created       time.Time // by the injected clock
	clientID      string
	redirectURI   string
	state         string
	nonce         string
	scopes        []string
	responseType  oidc.ResponseType
	responseMode  oidc.ResponseMode
	codeChallenge *oidc.CodeChallenge

	// Set by a successful sign-in.
	subject  string
	done     bool
	authTime time.Time // by the injected clock
	clock    clock
}

var _ op.AuthRequest = (*authRequest)(nil)

func (a *authRequest) GetID() string                         { return a.id }
func (a *authRequest) GetACR() string                        { return "" }
func (a *authRequest) GetAudience() []string                 { return []string{a.clientID} }
func (a *authRequest) GetClientID() string                   { return a.clientID }
func (a *authRequest) GetCodeChallenge() *oidc.CodeChallenge { return a.codeChallenge }
func (a *authRequest) GetNonce() string                      { return a.nonce }
func (a *authRequest) GetRedirectURI() string                { return a.redirectURI }
func (a *authRequest) GetResponseType() oidc.ResponseType    { return a.responseType }
func (a *authRequest) GetResponseMode() oidc.ResponseMode    { return a.responseMode }
func (a *authRequest) GetScopes() []string                   { return a.scopes }
func (a *authRequest) GetState() string                      { return a.state }
func (a *authRequest) GetSubject() string                    { return a.subject }
func (a *authRequest) Done() bool                            { return a.done }

// GetAMR says a password was used, once the user signed in.
func (a *authRequest) GetAMR() []string {
	if a.done {
		return []string{"pwd"}
	}
	return nil
}

// GetAuthTime is pre-compensated: zitadel writes auth_time as this value
// minus the client's clock skew, and the claim must be the injected clock's
// time of the sign-in.
func (a *authRequest) GetAuthTime() time.Time {
	return a.authTime.Add(a.clock.skew())
}

// LogValue keeps zitadel's error logs to what helps debugging: no state,
// nonce or code challenge.
func (a *authRequest) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("client_id", a.clientID),
		slog.String("redirect_uri", a.redirectURI),
		slog.Any("scopes", a.scopes),
		slog.String("response_type", string(a.responseType)),
	)
}
