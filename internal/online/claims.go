package online

import (
	"encoding/json"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"loginshell/internal/user"
)

// authTimeLeeway tolerates clock skew between the shell and the provider when
// checking auth_time against MaxAge.
const authTimeLeeway = time.Minute

// claims are the person's claims from the ID token, completed by userinfo.
type claims struct {
	sub  string
	std  stdClaims
	all  map[string]json.RawMessage // for the configurable roles and groups claims
	more map[string]json.RawMessage // userinfo's, consulted after all
}

type stdClaims struct {
	Sub               string `json:"sub"`
	PreferredUsername string `json:"preferred_username"`
	Name              string `json:"name"`
	Email             string `json:"email"`
	AuthTime          *int64 `json:"auth_time"`
}

func readClaims(idt *oidc.IDToken) (*claims, error) {
	cl := &claims{sub: idt.Subject}
	if err := idt.Claims(&cl.std); err != nil {
		return nil, fail(ErrTokenRejected, err, "the login server's ID token claims cannot be read")
	}
	if err := idt.Claims(&cl.all); err != nil {
		return nil, fail(ErrTokenRejected, err, "the login server's ID token claims cannot be read")
	}
	if cl.sub == "" {
		return nil, fail(ErrTokenRejected, nil, "the login server's ID token names no subject")
	}
	return cl, nil
}

// merge adds userinfo claims where the ID token has none. OpenID Connect
// Core §5.3.2: userinfo for another subject must be rejected, since it could
// be substituted.
func (cl *claims) merge(ui *oidc.UserInfo) error {
	if ui.Subject != cl.sub {
		return fail(ErrTokenRejected, nil, "the login server's userinfo describes another user than its ID token")
	}
	var std stdClaims
	if err := ui.Claims(&std); err != nil {
		return fail(ErrTokenRejected, err, "the login server's userinfo cannot be read")
	}
	if err := ui.Claims(&cl.more); err != nil {
		return fail(ErrTokenRejected, err, "the login server's userinfo cannot be read")
	}
	fill(&cl.std.PreferredUsername, std.PreferredUsername)
	fill(&cl.std.Name, std.Name)
	fill(&cl.std.Email, std.Email)
	return nil
}

func fill(dst *string, v string) {
	if *dst == "" {
		*dst = v
	}
}

// checkAuthTime enforces MaxAge when the provider says when the person last
// authenticated; providers that omit auth_time are trusted to have honoured
// max_age themselves.
func (c *Client) checkAuthTime(cl *claims) error {
	if c.cfg.MaxAge <= 0 || cl.std.AuthTime == nil {
		return nil
	}
	at := time.Unix(*cl.std.AuthTime, 0)
	if c.cfg.Now().Sub(at) > c.cfg.MaxAge+authTimeLeeway {
		return fail(ErrTokenRejected, nil, "the login server reused a sign-in older than %s; sign in again", c.cfg.MaxAge)
	}
	return nil
}

// profile maps the claims to the user service's view. rolesClaim "" means
// "roles", then "groups"; groupsClaim "" means "groups". The groups come
// from their own claim only: a provider that sends roles and groups keeps
// them apart, as {role:X} and {group:X} tell them apart.
func (cl *claims) profile(rolesClaim, groupsClaim, issuer string, now time.Time) user.Profile {
	p := user.Profile{
		Username:        cl.std.PreferredUsername,
		Name:            cl.std.Name,
		Email:           cl.std.Email,
		IdP:             issuer,
		AuthenticatedAt: now,
	}
	if p.Username == "" {
		p.Username = cl.sub
	}
	names := []string{rolesClaim}
	if rolesClaim == "" {
		names = []string{"roles", "groups"}
	}
	for _, n := range names {
		if r, ok := cl.list(n); ok {
			p.Roles = r
			break
		}
	}
	if groupsClaim == "" {
		groupsClaim = "groups"
	}
	p.Groups, _ = cl.list(groupsClaim)
	return p
}

// list reads claim n as a list of strings from the ID token, else from
// userinfo.
func (cl *claims) list(n string) ([]string, bool) {
	if r, ok := stringList(cl.all[n]); ok {
		return r, true
	}
	return stringList(cl.more[n])
}

// stringList reads a claim that is a string or an array of strings; other
// shapes (and empty values) count as absent.
func stringList(raw json.RawMessage) ([]string, bool) {
	if len(raw) == 0 {
		return nil, false
	}
	var one string
	if err := json.Unmarshal(raw, &one); err == nil {
		return []string{one}, one != ""
	}
	var many []any
	if err := json.Unmarshal(raw, &many); err != nil {
		return nil, false
	}
	out := make([]string, 0, len(many))
	for _, v := range many {
		if s, ok := v.(string); ok && s != "" {
			out = append(out, s)
		}
	}
	return out, len(out) > 0
}
