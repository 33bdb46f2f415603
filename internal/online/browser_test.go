package online

import (
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"sync"
)

// browser plays the person at the login page: it follows the authorization
// redirect, fills the provider's login form, and delivers the provider's
// redirect to the loopback callback. Its open method is what Login gets, so
// the tests drive a real provider exactly as a window would. Like a window
// it may open the provider's end-session page first: it follows the
// redirects from there (through the listener's /logged-out) to the sign-in.
type browser struct {
	username, password string
	// authURL, if set, edits the authorization request before it is sent.
	authURL func(q url.Values)
	// callback, if set, edits the provider's redirect before it is followed.
	callback func(q url.Values)
	// skipProvider sends the browser straight to the callback (redirect_uri)
	// with the query callback builds from the authorization request.
	skipProvider bool
	// jar, if set, keeps the provider's cookies from one open to the next:
	// one browser on a shared station. Nil starts each open without any.
	jar http.CookieJar

	// done, if set, is closed when open returns: Login does not wait for
	// open, so a test reads the fields below only after <-done (or after
	// wait, for a browser opened more than once).
	done chan struct{}
	// opens, if set, counts the opens running (wait), for a browser
	// opened more than once.
	opens *sync.WaitGroup

	// What the loopback callback answered.
	callbackStatus   int
	callbackLocation string
	callbackBody     string
	code             string   // the authorization code the provider issued
	opened           []string // every URL open was given
	passwords        int      // how many times a password was typed
}

// wait returns once every open has returned (opens must be set).
func (b *browser) wait() { b.opens.Wait() }

// open is the Login open function.
func (b *browser) open(ctx context.Context, target string) error {
	if b.opens != nil {
		b.opens.Add(1)
		defer b.opens.Done()
	}
	if b.done != nil {
		defer close(b.done)
	}
	b.opened = append(b.opened, target)
	u, err := url.Parse(target)
	if err != nil {
		return err
	}
	q := u.Query()
	if b.authURL != nil && q.Has("redirect_uri") {
		b.authURL(q)
		u.RawQuery = q.Encode()
	}
	if b.skipProvider {
		cb, _ := url.Parse(q.Get("redirect_uri"))
		cq := url.Values{"state": {q.Get("state")}}
		if b.callback != nil {
			b.callback(cq)
		}
		cb.RawQuery = cq.Encode()
		return b.hitCallback(ctx, cb.String())
	}
	jar := b.jar
	if jar == nil {
		jar, _ = cookiejar.New(nil)
	}
	// The loopback callback is where the browser hands over: the test
	// delivers it itself, to record the answer.
	isCallback := func(u *url.URL) bool { return u.Path == callbackPath && isLoopback(u.Hostname()) }
	client := &http.Client{
		Jar: jar,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if isCallback(req.URL) {
				return http.ErrUseLastResponse
			}
			if len(via) > 10 {
				return errors.New("too many redirects")
			}
			return nil
		},
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	for step := 0; step < 5; step++ {
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if loc, err := resp.Location(); err == nil && isCallback(loc) {
			b.code = loc.Query().Get("code")
			if b.callback != nil {
				cq := loc.Query()
				b.callback(cq)
				loc.RawQuery = cq.Encode()
			}
			return b.hitCallback(ctx, loc.String())
		}
		if req, err = b.submitLogin(ctx, resp.Request.URL, string(body)); err != nil {
			return fmt.Errorf("at %s (HTTP %d): %w", resp.Request.URL, resp.StatusCode, err)
		}
		b.passwords++
	}
	return errors.New("the provider never redirected to the callback")
}

// hitCallback delivers the redirect to Login's loopback listener.
func (b *browser) hitCallback(ctx context.Context, target string) error {
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	// Login cancels ctx as soon as it returns, which may be before this
	// reads the answer; a real browser would not drop it either.
	req, _ := http.NewRequestWithContext(context.WithoutCancel(ctx), http.MethodGet, target, nil)
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	b.callbackStatus, b.callbackLocation, b.callbackBody = resp.StatusCode, resp.Header.Get("Location"), string(body)
	return nil
}

var (
	formRe  = regexp.MustCompile(`(?is)<form\b([^>]*)>(.*?)</form>`)
	fieldRe = regexp.MustCompile(`(?is)<(input|button)\b([^>]*)>`)
	attrRe  = regexp.MustCompile(`(?is)([a-z][a-z0-9_:-]*)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))`)
)

func attrs(s string) map[string]string {
	m := map[string]string{}
	for _, a := range attrRe.FindAllStringSubmatch(s, -1) {
		m[strings.ToLower(a[1])] = html.UnescapeString(a[2] + a[3] + a[4])
	}
	return m
}

// submitLogin finds the form with a password field, carries its hidden
// fields over, fills username and password and builds the submission.
func (b *browser) submitLogin(ctx context.Context, page *url.URL, body string) (*http.Request, error) {
	for _, f := range formRe.FindAllStringSubmatch(body, -1) {
		if !strings.Contains(strings.ToLower(f[2]), `password`) {
			continue
		}
		fa := attrs(f[1])
		vals := url.Values{}
		for _, in := range fieldRe.FindAllStringSubmatch(f[2], -1) {
			a := attrs(in[2])
			name := a["name"]
			switch {
			case name == "":
			case name == "username":
				vals.Set(name, b.username)
			case name == "password":
				vals.Set(name, b.password)
			case strings.EqualFold(in[1], "input") && a["type"] != "submit" && a["type"] != "checkbox":
				vals.Set(name, a["value"])
			case a["type"] == "submit" || strings.EqualFold(in[1], "button"):
				if vals.Get(name) == "" {
					vals.Set(name, a["value"])
				}
			}
		}
		action, err := page.Parse(fa["action"])
		if err != nil {
			return nil, err
		}
		if strings.EqualFold(fa["method"], "get") {
			action.RawQuery = vals.Encode()
			return http.NewRequestWithContext(ctx, http.MethodGet, action.String(), nil)
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, action.String(), strings.NewReader(vals.Encode()))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return req, nil
	}
	return nil, errors.New("no login form on the page")
}
