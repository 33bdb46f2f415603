package strict

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"slices"

	"github.com/go-jose/go-jose/v4"
)

// token is the token endpoint: it authenticates the client the one way
// discovery announced, then exchanges a code once.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request"})
		return
	}
	basicID, basicSecret, basic := r.BasicAuth()
	rec := TokenRequest{BasicAuth: basic, BodyClientID: r.PostFormValue("client_id"), BodySecret: r.PostForm.Has("client_secret")}
	status, body := s.exchange(r, basic, basicID, basicSecret)
	rec.Status = status
	s.mu.Lock()
	s.tokens = append(s.tokens, rec)
	s.mu.Unlock()
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Basic realm="token"`)
	}
	writeJSON(w, status, body)
}

func (s *Server) exchange(r *http.Request, basic bool, basicID, basicSecret string) (int, any) {
	bad := func(status int, code string) (int, any) { return status, map[string]string{"error": code} }
	methods := s.opts.AuthMethods
	switch {
	case basic && s.opts.ClientSecret == "":
		// A public client has no secret to send: the provider refuses the
		// header rather than guess (the refusal the issue saw logged).
		return bad(http.StatusUnauthorized, "invalid_client")
	case basic:
		if !slices.Contains(methods, "client_secret_basic") || basicID != s.opts.ClientID ||
			subtle.ConstantTimeCompare([]byte(basicSecret), []byte(s.opts.ClientSecret)) != 1 {
			return bad(http.StatusUnauthorized, "invalid_client")
		}
	case r.PostForm.Has("client_secret"):
		if !slices.Contains(methods, "client_secret_post") || r.PostFormValue("client_id") != s.opts.ClientID ||
			subtle.ConstantTimeCompare([]byte(r.PostFormValue("client_secret")), []byte(s.opts.ClientSecret)) != 1 {
			return bad(http.StatusUnauthorized, "invalid_client")
		}
	default:
		if !slices.Contains(methods, "none") || r.PostFormValue("client_id") != s.opts.ClientID {
			return bad(http.StatusUnauthorized, "invalid_client")
		}
	}
	if r.PostFormValue("grant_type") != "authorization_code" {
		return bad(http.StatusBadRequest, "unsupported_grant_type")
	}
	code := r.PostFormValue("code")
	s.mu.Lock()
	req, ok := s.codes[code]
	delete(s.codes, code)
	s.mu.Unlock()
	if !ok || r.PostFormValue("redirect_uri") != req.redirectURI {
		return bad(http.StatusBadRequest, "invalid_grant")
	}
	sum := sha256.Sum256([]byte(r.PostFormValue("code_verifier")))
	if base64.RawURLEncoding.EncodeToString(sum[:]) != req.challenge {
		return bad(http.StatusBadRequest, "invalid_grant")
	}
	idToken, err := s.idToken(req)
	if err != nil {
		return bad(http.StatusInternalServerError, "server_error")
	}
	return http.StatusOK, map[string]any{
		"access_token": rand.Text(),
		"token_type":   "Bearer",
		"expires_in":   int(tokenLifetime.Seconds()),
		"id_token":     idToken,
	}
}

// idToken signs the ID token of req.
func (s *Server) idToken(req *authRequest) (string, error) {
	now := s.opts.Now()
	authTime := req.authTime.Unix()
	if s.opts.ZeroAuthTime {
		authTime = 0
	}
	claims := map[string]any{
		"iss":                s.issuer,
		"sub":                req.user.Username,
		"aud":                s.opts.ClientID,
		"iat":                now.Unix(),
		"exp":                now.Add(tokenLifetime).Unix(),
		"auth_time":          authTime,
		"preferred_username": req.user.Username,
		"name":               req.user.Name,
		"email":              req.user.Email,
		"roles":              req.user.Roles,
	}
	if req.nonce != "" {
		claims["nonce"] = req.nonce
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	jws, err := s.signer.Sign(payload)
	if err != nil {
		return "", err
	}
	return jws.CompactSerialize()
}

// signedByUs reports whether raw is an ID token this provider signed
// (expired or not: an id_token_hint may be old).
func (s *Server) signedByUs(raw string) bool {
	jws, err := jose.ParseSigned(raw, []jose.SignatureAlgorithm{jose.ES256})
	if err != nil {
		return false
	}
	_, err = jws.Verify(s.jwks.Keys[0].Key)
	return err == nil
}
