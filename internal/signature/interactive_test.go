package signature_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"loginshell/internal/demoidp"
	"loginshell/internal/online"
	"loginshell/internal/screen"
	"loginshell/internal/settings"
	"loginshell/internal/signature"
	"loginshell/internal/store/sqlite"
)

// signAtProvider is what a person does in the dialog's frame: the
// provider's page, user name and password, submit; the provider sends the
// frame to the loopback callback.
func signAtProvider(ctx context.Context, authURL, username, password string) error {
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	resp, err := client.Get(authURL)
	if err != nil {
		return err
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := regexp.MustCompile(`name="id" value="([^"]+)"`).FindSubmatch(body)
	if m == nil {
		return fmt.Errorf("no sign-in form at %s: %.300s", resp.Request.URL, body)
	}
	login := resp.Request.URL.ResolveReference(&url.URL{Path: "/login"})
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, login.String(),
		strings.NewReader(url.Values{"id": {string(m[1])}, "username": {username}, "password": {password}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err = client.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	return nil
}

// A template whose idp is the OpenID provider of the settings shows the
// provider's own page in the dialog (prompt=login, max_age=0 with force);
// who signed in there signs the slot, and the shell's own user is not
// changed.
func TestSignAtTheProvider(t *testing.T) {
	t.Parallel()
	idp, err := demoidp.Start(demoidp.Options{Addr: "127.0.0.1:0", ClientID: "loginshell"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { idp.Close() })
	st, err := settings.Open("")
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Set(settings.LoginURL, idp.Issuer()); err != nil {
		t.Fatal(err)
	}
	provider, err := online.NewProvider(online.ProviderOptions{Settings: st, HTTPClient: &http.Client{Timeout: 10 * time.Second},
		Now: time.Now, Log: slog.New(slog.DiscardHandler), DefaultClientID: "loginshell",
		Open: func(context.Context, string) error { return nil }})
	if err != nil {
		t.Fatal(err)
	}
	db, err := sqlite.Open(filepath.Join(t.TempDir(), "signatures.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	scr := screen.New("test", "http://p.localhost:1", nil, nil)
	scr.ShowPage("/webapps/lineapp/index.html", "Line")
	nobody, err := demoidp.NewIdentity(nil, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	eng, err := signature.New(signature.Options{Store: db, Poster: scr, Now: time.Now, Station: "a",
		Identities:  map[string]signature.Identity{"local": nobody},
		Interactive: map[string]signature.Interactive{"openid": provider}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	tmpl := signature.Template{Name: "Supervisor approval", Expression: "{role:Supervisor}", IDP: "openid", Force: true, Meaning: "Approval"}
	if err := eng.PutTemplate(ctx, tmpl); err != nil {
		t.Fatal(err)
	}
	out, stop := eng.Subscribe(scr.Session())
	defer stop()

	tests := []struct {
		name, user, password string
		want                 string
	}{
		{"a person the slot does not admit is refused", "qa", "qa-demo", signature.OutcomeError},
		{"the supervisor signs", "supervisor", "supervisor-demo", signature.OutcomeApprove},
	}
	ids, err := eng.Queue(ctx, signature.Queuing{Template: tmpl.Name, Name: "Approve deviation", Session: scr.Session()})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		if err := eng.Trigger(ctx, ids[0], scr.Session(), scr.Current().Page, true, signature.Plant); err != nil {
			t.Fatalf("%s: Trigger = %v", tt.name, err)
		}
		c := scr.Current().Challenge
		if c == nil || c.URL == "" {
			t.Fatalf("%s: the dialog shows %+v, want the provider's page", tt.name, c)
		}
		u, _ := url.Parse(c.URL)
		if q := u.Query(); q.Get("prompt") != "login" || q.Get("max_age") != "0" || !strings.HasPrefix(c.URL, idp.Issuer()) {
			t.Errorf("%s: the provider's page %s lacks prompt=login and max_age=0", tt.name, c.URL)
		}
		if err := signAtProvider(ctx, c.URL, tt.user, tt.password); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		select {
		case o := <-out:
			if o.Kind != tt.want || o.UserID != tt.user && tt.want == signature.OutcomeApprove {
				t.Errorf("%s: outcome %+v, want %s", tt.name, o, tt.want)
			}
		case <-time.After(15 * time.Second):
			t.Fatalf("%s: no outcome", tt.name)
		}
		if scr.Current().Challenge != nil {
			t.Errorf("%s: the dialog stayed up", tt.name)
		}
	}
}
