package online

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestNewRefusesBadConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		edit    func(*Config)
		wantErr error
	}{
		{name: "a complete config is accepted", edit: func(*Config) {}},
		{name: "an https issuer is accepted", edit: func(c *Config) { c.Issuer = "https://login.example.com/realms/a" }},
		{name: "a missing HTTP client is refused", edit: func(c *Config) { c.HTTPClient = nil }, wantErr: ErrConfig},
		{name: "a missing clock is refused", edit: func(c *Config) { c.Now = nil }, wantErr: ErrConfig},
		{name: "a missing logger is refused", edit: func(c *Config) { c.Log = nil }, wantErr: ErrConfig},
		{name: "an empty client id is refused", edit: func(c *Config) { c.ClientID = "" }, wantErr: ErrConfig},
		{name: "an empty issuer is refused", edit: func(c *Config) { c.Issuer = "" }, wantErr: ErrConfig},
		{name: "a plain http issuer off loopback is refused", edit: func(c *Config) { c.Issuer = "http://login.example.com" }, wantErr: ErrConfig},
		{name: "a plain http issuer is accepted when insecure http is allowed", edit: func(c *Config) {
			c.Issuer, c.InsecureAllowHTTP = "http://login.example.com", true
		}},
		{name: "an issuer with a query is refused", edit: func(c *Config) { c.Issuer = "https://login.example.com/?a=b" }, wantErr: ErrConfig},
		{name: "a relative return URL is refused", edit: func(c *Config) { c.ReturnURL = "/after" }, wantErr: ErrConfig},
		{name: "a negative timeout is refused", edit: func(c *Config) { c.Timeout = -time.Second }, wantErr: ErrConfig},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := testConfig("http://127.0.0.1:9")
			tt.edit(&cfg)
			_, err := New(cfg)
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("New error = %v, want %v", err, tt.wantErr)
			}
		})
	}
}

func TestNewAppliesDefaults(t *testing.T) {
	t.Parallel()
	cfg := testConfig("http://127.0.0.1:9")
	cfg.Timeout = 0
	cfg.Scopes = []string{"email"}
	c := newClient(t, cfg)
	if c.cfg.Timeout != DefaultTimeout || !slices.Equal(c.cfg.Scopes, []string{"openid", "email"}) {
		t.Errorf("defaults: timeout %v, scopes %v", c.cfg.Timeout, c.cfg.Scopes)
	}
	cfg.Scopes = nil
	if c := newClient(t, cfg); !slices.Equal(c.cfg.Scopes, DefaultScopes()) {
		t.Errorf("default scopes %v", c.cfg.Scopes)
	}
}

func TestProfileMapping(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name                    string
		idToken                 string
		userinfo                string
		rolesClaim, groupsClaim string
		wantUser                string
		wantRoles, wantGroups   []string
	}{
		{name: "preferred_username wins over sub", idToken: `{"preferred_username":"ann","roles":["a","b"]}`, wantUser: "ann", wantRoles: []string{"a", "b"}},
		{name: "sub is the username without preferred_username", idToken: `{"groups":"g"}`, wantUser: "sub-1", wantRoles: []string{"g"}, wantGroups: []string{"g"}},
		{name: "roles win over groups", idToken: `{"roles":["r"],"groups":["g"]}`, wantUser: "sub-1", wantRoles: []string{"r"}, wantGroups: []string{"g"}},
		{name: "a configured claim replaces roles and groups", idToken: `{"roles":["r"],"realm_roles":["x",3,""]}`, rolesClaim: "realm_roles", wantUser: "sub-1", wantRoles: []string{"x"}},
		{name: "userinfo fills what the ID token lacks", idToken: `{}`, userinfo: `{"preferred_username":"bob","groups":["g"]}`, wantUser: "bob", wantRoles: []string{"g"}, wantGroups: []string{"g"}},
		{name: "an empty or odd roles claim counts as none", idToken: `{"roles":[],"groups":{"a":1}}`, wantUser: "sub-1"},
		// Issue 21.9: groups come from the groups claim only, never from the roles.
		{name: "roles and groups are kept apart", idToken: `{"roles":["Operator"],"groups":["Line 4"]}`, wantUser: "sub-1",
			wantRoles: []string{"Operator"}, wantGroups: []string{"Line 4"}},
		{name: "no groups claim, no groups, whatever the roles", idToken: `{"roles":["Operator"]}`, wantUser: "sub-1", wantRoles: []string{"Operator"}},
		{name: "a configured groups claim", idToken: `{"roles":["Operator"],"groups":["g"],"teams":["Line 4"]}`, groupsClaim: "teams", wantUser: "sub-1",
			wantRoles: []string{"Operator"}, wantGroups: []string{"Line 4"}},
		{name: "a configured roles claim leaves the groups claim alone", idToken: `{"realm_roles":["Operator"],"groups":["Line 4"]}`, rolesClaim: "realm_roles",
			wantUser: "sub-1", wantRoles: []string{"Operator"}, wantGroups: []string{"Line 4"}},
		{name: "groups from userinfo", idToken: `{"roles":["Operator"]}`, userinfo: `{"groups":["Line 4"]}`, wantUser: "sub-1",
			wantRoles: []string{"Operator"}, wantGroups: []string{"Line 4"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cl := &claims{sub: "sub-1"}
			if err := json.Unmarshal([]byte(tt.idToken), &cl.std); err != nil {
				t.Fatal(err)
			}
			json.Unmarshal([]byte(tt.idToken), &cl.all)
			if tt.userinfo != "" {
				var std stdClaims
				json.Unmarshal([]byte(tt.userinfo), &std)
				json.Unmarshal([]byte(tt.userinfo), &cl.more)
				fill(&cl.std.PreferredUsername, std.PreferredUsername)
			}
			p := cl.profile(tt.rolesClaim, tt.groupsClaim, "https://idp", t0)
			if p.Username != tt.wantUser || !slices.Equal(p.Roles, tt.wantRoles) || !slices.Equal(p.Groups, tt.wantGroups) ||
				p.IdP != "https://idp" || !p.AuthenticatedAt.Equal(t0) {
				t.Errorf("profile = %+v, want user %q roles %v groups %v", p, tt.wantUser, tt.wantRoles, tt.wantGroups)
			}
		})
	}
}

func TestCallbackAnswersOnce(t *testing.T) {
	t.Parallel()
	cb, err := listenCallback(0, "")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + cb.ln.Addr().String()
	get := func(method, path string) (int, string) {
		req, _ := http.NewRequest(method, base+path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Error(err)
			return 0, ""
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	type answer struct {
		status int
		body   string
	}
	first := make(chan answer, 1)
	go func() { s, b := get(http.MethodGet, "/callback?state=s&code=c"); first <- answer{s, b} }()
	if rd := <-cb.got; rd.state != "s" || rd.code != "c" {
		t.Errorf("redirect = %+v", rd)
	}
	if s, b := get(http.MethodGet, "/callback?state=s2&code=c2"); s != http.StatusGone || !strings.Contains(b, "already been handled") {
		t.Errorf("second hit answered %d %q", s, b)
	}
	if s, _ := get(http.MethodPost, "/callback"); s != http.StatusMethodNotAllowed {
		t.Errorf("POST answered %d", s)
	}
	if s, _ := get(http.MethodGet, "/favicon.ico"); s != http.StatusNotFound {
		t.Errorf("other path answered %d", s)
	}
	cb.finish(ErrState)
	a := <-first
	if a.status != http.StatusOK || !strings.Contains(a.body, "Sign-in failed") || !strings.Contains(a.body, "state mismatch") {
		t.Errorf("first hit answered %d %q", a.status, a.body)
	}
	if _, err := http.Get(base + "/callback"); err == nil {
		t.Error("the listener still answers after finish")
	}
}

func TestPrintable(t *testing.T) {
	t.Parallel()
	if got := printable("a\x00b\nc", 10); got != "a b c" {
		t.Errorf("printable = %q", got)
	}
	if got := printable(strings.Repeat("x", 20), 5); got != "xxxxx…" {
		t.Errorf("printable = %q", got)
	}
}
