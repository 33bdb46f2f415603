package signature_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"loginshell/internal/logtest"
	"loginshell/internal/signature"
)

// TestExposedIsReported: the dialog reports a page it closed because the
// page took the keyboard; the trail keeps an alert naming the page, the
// signer and whether a whole password may have gone, the Alerter and the
// log hear of it, and the challenge stays open for the signer to type
// again. A user ID that names nobody (a password typed there, say) is
// not kept.
func TestExposedIsReported(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, tt := range []struct {
		name     string
		x        signature.Exposure
		wantErr  error
		want     string
		wantUser string
	}{
		{name: "a few keys in the password field", x: signature.Exposure{UserID: "operator", Field: "password"},
			want: `the plant's own page (page-`, wantUser: "operator"},
		{name: "the field and a few keys are said", x: signature.Exposure{UserID: "operator", Field: "password"},
			want: `took the keyboard while operator was at the signature dialog for "Release line", typing the password; the shell closed the page, and a few keys typed at that moment may have reached it`, wantUser: "operator"},
		{name: "a whole password", x: signature.Exposure{UserID: " operator ", Field: "user", Whole: true},
			want: `typing the User ID; the shell closed the page, and the keyboard may have been away long enough for a whole password to reach it; the signer was told to change it`, wantUser: "operator"},
		{name: "a user ID that names nobody is not kept", x: signature.Exposure{UserID: "my-password!", Field: "phrase"},
			want: `while a signer whose user ID is not known was at the signature dialog for "Release line", typing the station's signing phrase;`},
		{name: "no field had the keyboard", x: signature.Exposure{},
			want: `was at the signature dialog for "Release line"; the shell closed the page`},
		{name: "a field the dialog lacks is refused", x: signature.Exposure{Field: "cookie"}, wantErr: signature.ErrBadExposure},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			heard := &alerter{}
			logs := &logtest.Buffer{}
			e := newEnv(t, "", func(o *signature.Options) { o.Alerts, o.Log = heard, slog.New(slog.NewTextHandler(logs, nil)) })
			ids := e.queue(t)
			if err := e.eng.Trigger(ctx, ids[0], e.screen.Session(), e.page, true, signature.Plant); err != nil {
				t.Fatal(err)
			}
			c := e.screen.Current().Challenge
			err := e.eng.Exposed(ctx, c.ID, tt.x)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Exposed = %v, want %v", err, tt.wantErr)
			}
			alerts := e.alerts(t)
			if tt.wantErr != nil {
				if len(alerts) != 0 || len(heard.heard()) != 0 {
					t.Fatalf("a refused report raised %+v", alerts)
				}
				return
			}
			if len(alerts) != 1 || len(heard.heard()) != 1 {
				t.Fatalf("%d alerts in the trail, %d heard; want 1 each", len(alerts), len(heard.heard()))
			}
			en := alerts[0]
			if !strings.Contains(en.Detail, tt.want) || en.UserID != tt.wantUser || en.Slot != ids[0].String() {
				t.Errorf("alert = %q by %q, want it to contain %q, by %q", en.Detail, en.UserID, tt.want, tt.wantUser)
			}
			// The log line shows the detail as a person reads it: no name's quotes escaped.
			if line := "signature alert: " + signature.Readable(en.Detail); !strings.Contains(logs.String(), line) || strings.Contains(logs.String(), `\"`) {
				t.Errorf("the log lacks %q, or escapes a quote: %s", line, logs.String())
			}
			if still := e.screen.Current().Challenge; still == nil || still.ID != c.ID {
				t.Errorf("the challenge closed: %+v", still)
			}
		})
	}
	t.Run("a challenge no longer open", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, "")
		if err := e.eng.Exposed(ctx, "gone", signature.Exposure{}); !errors.Is(err, signature.ErrNoOpenChallenge) {
			t.Fatalf("Exposed = %v, want ErrNoOpenChallenge", err)
		}
	})
}

// An alert's detail names things in Go's quotes (%q); the log shows them in
// the quotes a person reads, which its own quoting leaves alone.
func TestAlertLogLineReadsAsWritten(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ in, want string }{
		{`the page of package "hostile" (page-1) took the keyboard at the dialog for "Release line"`,
			`the page of package “hostile” (page-1) took the keyboard at the dialog for “Release line”`},
		{`a request named "say \"yes\"" stays as quoted`, `a request named “say \"yes\"” stays as quoted`},
		{"no quotes at all", "no quotes at all"},
		{`a sign-in page (http://x/webapps/offline-login/manage.html) was shown`, `a sign-in page (http://x/webapps/offline-login/manage.html) was shown`},
	} {
		if got := signature.Readable(tt.in); got != tt.want {
			t.Errorf("Readable(%q) = %q, want %q", tt.in, got, tt.want)
		}
		var b strings.Builder
		slog.New(slog.NewTextHandler(&b, nil)).Warn("signature alert: " + signature.Readable(tt.in))
		if strings.Count(b.String(), `\"`) != strings.Count(tt.in, `\"`) {
			t.Errorf("the log line escapes a quote of %q: %s", tt.in, b.String())
		}
	}
}

// A page that took the keyboard from a sign-in page: an alert of no
// challenge naming the page behind, the sign-in page without its query
// (the flow's state, a token) and who is signed in.
func TestSignInExposedIsReported(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, tt := range []struct {
		name       string
		x          signature.SignInExposure
		want, not  string
		wantUserID string
	}{
		{name: "a few keys, someone signed in",
			x:    signature.SignInExposure{Package: "hostile", Page: "page-1", SignIn: "http://o.p.localhost:7/webapps/offline-login/manage.html?t=tok&u=op", UserID: "operator"},
			want: `the page of package "hostile" (page-1) took the keyboard while a sign-in page (http://o.p.localhost:7/webapps/offline-login/manage.html) was shown over it and operator was signed in; the shell closed the page, and a few keys typed at that moment may have reached it`,
			not:  "tok", wantUserID: "operator"},
		{name: "a whole password, nobody signed in, at the provider",
			x:    signature.SignInExposure{Package: "lineapp", SignIn: "https://idp.example/auth?client_id=x&state=s3cret#p=1", Whole: true},
			want: `the page of package "lineapp" took the keyboard while a sign-in page (https://idp.example/auth) was shown over it and nobody was signed in; the shell closed the page, and the keyboard may have been away long enough for a whole password to reach it; the person was told to change it`,
			not:  "s3cret"},
		{name: "a page of no package, an address that cannot be read",
			x:    signature.SignInExposure{SignIn: "http://[::1"},
			want: `a page of no known package took the keyboard while a sign-in page (an address that could not be read) was shown`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			heard := &alerter{}
			logs := &logtest.Buffer{}
			e := newEnv(t, "", func(o *signature.Options) { o.Alerts, o.Log = heard, slog.New(slog.NewTextHandler(logs, nil)) })
			e.eng.SignInExposed(ctx, tt.x)
			alerts := e.alerts(t)
			if len(alerts) != 1 || len(heard.heard()) != 1 {
				t.Fatalf("%d alerts in the trail, %d heard; want 1 each", len(alerts), len(heard.heard()))
			}
			en := alerts[0]
			if !strings.Contains(en.Detail, tt.want) || en.UserID != tt.wantUserID || en.Slot != "" || en.Request != "" {
				t.Errorf("alert = %+v, want its detail to contain %q, by %q, of no slot", en, tt.want, tt.wantUserID)
			}
			if tt.not != "" && (strings.Contains(en.Detail, tt.not) || strings.Contains(logs.String(), tt.not)) {
				t.Errorf("the trail or the log keeps %q: %q", tt.not, en.Detail)
			}
		})
	}
}
