package signature_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"

	"loginshell/internal/fault"
	"loginshell/internal/signature"
	"loginshell/internal/user"
)

// interactiveFunc is a signature.Interactive that counts its sign-ins and
// answers err at once, before any page is shown.
type interactiveFunc struct {
	calls atomic.Int32
	err   error
}

func (f *interactiveFunc) SignIn(context.Context, bool, func(context.Context, string) error) (user.Profile, error) {
	f.calls.Add(1)
	return user.Profile{}, f.err
}

// A signature the station cannot give without the login server says so in
// words (issue 22.4), offline (--offline) and when the server does not answer.
func TestSignatureThatNeedsTheLoginServer(t *testing.T) {
	t.Parallel()
	unreachable := fault.New(fault.Unavailable, "the login server at https://idp.example cannot be reached")
	tests := []struct {
		name      string
		offline   bool
		idp       string
		signInErr error
		want      error
		wantText  string
		wantCalls int32
	}{
		{"offline, a template signed at the login server's page: refused at once, the server never asked",
			true, signature.IDPOpenID, nil, signature.ErrUnsupported,
			`signatures with template "At the server" need the login server (identity provider "openid"), and this station runs offline (--offline)`, 0},
		{"offline, a template of a provider this station lacks (the demo's, without --demo)",
			true, "demo", nil, signature.ErrUnsupported,
			`signatures with template "At the server" need the login server (identity provider "demo")`, 0},
		{"offline, a template of the local keychain is posted", true, signature.IDPLocal, nil, nil, "", 0},
		{"online, the login server does not answer: the page is never shown",
			false, signature.IDPOpenID, unreachable, signature.ErrNotPosted,
			`Could not post authorization challenge: signatures with template "At the server" need the login server (identity provider "openid"), which this shell cannot reach now`, 1},
		{"online, the demo's provider on a station started without --demo: its login server is not here",
			false, "demo", nil, signature.ErrUnsupported, `need the login server (identity provider "demo"), which this shell cannot reach now`, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := &interactiveFunc{err: tt.signInErr}
			e := newEnv(t, "", func(o *signature.Options) {
				o.Offline = tt.offline
				o.Interactive = map[string]signature.Interactive{signature.IDPOpenID: in}
			})
			tmpl := signature.Template{Name: "At the server", Expression: "{role:Operator}", IDP: tt.idp, Meaning: "Approval"}
			if err := e.eng.PutTemplate(context.Background(), tmpl); err != nil {
				t.Fatal(err)
			}
			ids, err := e.eng.Queue(context.Background(), signature.Queuing{Template: tmpl.Name, Name: "Release", Session: e.screen.Session()})
			if err != nil {
				t.Fatal(err)
			}
			err = e.eng.Trigger(context.Background(), ids[0], e.screen.Session(), e.page, true, signature.Plant)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Trigger = %v, want it posted", err)
				}
			} else if !errors.Is(err, tt.want) || !strings.Contains(fault.Text(err), tt.wantText) {
				t.Fatalf("Trigger = %q, want %v saying %q", fault.Text(err), tt.want, tt.wantText)
			}
			if got := in.calls.Load(); got != tt.wantCalls {
				t.Errorf("sign-ins at the provider = %d, want %d", got, tt.wantCalls)
			}
		})
	}
}
