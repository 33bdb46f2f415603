package demoidp

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// startServer starts a provider for one test and closes it at the end.
func startServer(t *testing.T, opts Options) *Server {
	t.Helper()
	srv, err := Start(opts)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return srv
}

// rp is the relying party side of a test: a browser (cookie jar, follows
// redirects), a loopback redirect listener like the shell's, and the
// oauth2/go-oidc configuration a real client would use.
type rp struct {
	t        *testing.T
	ctx      context.Context // carries the HTTP client for oauth2 and go-oidc
	browser  *http.Client
	redirect string // http://127.0.0.1:PORT/callback
	conf     oauth2.Config
	provider *oidc.Provider
}

func newRP(t *testing.T, srv *Server) *rp {
	t.Helper()
	listener := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "back in the shell")
	}))
	t.Cleanup(listener.Close)
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	browser := &http.Client{Jar: jar, Timeout: 20 * time.Second}
	ctx := oidc.ClientContext(t.Context(), browser)
	provider, err := oidc.NewProvider(ctx, srv.Issuer())
	if err != nil {
		t.Fatalf("discover %s: %v", srv.Issuer(), err)
	}
	return &rp{
		t:        t,
		ctx:      ctx,
		browser:  browser,
		redirect: listener.URL + "/callback",
		provider: provider,
		conf: oauth2.Config{
			ClientID:    srv.ClientID(),
			Endpoint:    provider.Endpoint(),
			RedirectURL: listener.URL + "/callback",
			Scopes:      []string{oidc.ScopeOpenID, "profile", "email"},
		},
	}
}

// get fetches u in the browser, following redirects, and returns the last
// response with its body read.
func (r *rp) get(u string) (*http.Response, string) {
	r.t.Helper()
	resp, err := r.browser.Get(u)
	if err != nil {
		r.t.Fatalf("GET %s: %v", u, err)
	}
	return resp, readBody(r.t, resp)
}

// submit posts the sign-in form of page (served at pageURL) as a browser
// would, following redirects.
func (r *rp) submit(pageURL *url.URL, page, username, password string) (*http.Response, string) {
	r.t.Helper()
	form := url.Values{
		"id":       {hiddenID(r.t, page)},
		"username": {username},
		"password": {password},
	}
	action := pageURL.ResolveReference(&url.URL{Path: formAction(r.t, page)})
	resp, err := r.browser.PostForm(action.String(), form)
	if err != nil {
		r.t.Fatalf("POST %s: %v", action, err)
	}
	return resp, readBody(r.t, resp)
}

// signIn runs the browser part of the code flow with PKCE and nonce and
// returns the query the redirect listener received.
func (r *rp) signIn(username, password, state, nonce, verifier string) url.Values {
	r.t.Helper()
	resp, page := r.get(r.conf.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier), oidc.Nonce(nonce)))
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "<form") {
		r.t.Fatalf("authorize led to %s %d, want the sign-in form:\n%s", resp.Request.URL, resp.StatusCode, page)
	}
	resp, body := r.submit(resp.Request.URL, page, username, password)
	if got := resp.Request.URL; !strings.HasPrefix(got.String(), r.redirect) {
		r.t.Fatalf("sign-in ended at %s (%d), want %s:\n%s", got, resp.StatusCode, r.redirect, body)
	}
	return resp.Request.URL.Query()
}

// exchange trades code for tokens at the token endpoint.
func (r *rp) exchange(code string, opts ...oauth2.AuthCodeOption) (*oauth2.Token, error) {
	return r.conf.Exchange(r.ctx, code, opts...)
}

// verifier checks ID tokens as the shell will; now is its clock.
func (r *rp) verifier(now func() time.Time) *oidc.IDTokenVerifier {
	return r.provider.Verifier(&oidc.Config{ClientID: r.conf.ClientID, Now: now})
}

func readBody(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	return string(b)
}

var (
	reHiddenID   = regexp.MustCompile(`<input type="hidden" name="id" value="([^"]+)">`)
	reFormAction = regexp.MustCompile(`<form method="post" action="([^"]+)">`)
)

func hiddenID(t *testing.T, page string) string {
	t.Helper()
	m := reHiddenID.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no hidden auth request id in:\n%s", page)
	}
	return m[1]
}

func formAction(t *testing.T, page string) string {
	t.Helper()
	m := reFormAction.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no post form in:\n%s", page)
	}
	return m[1]
}
