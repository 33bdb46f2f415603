package signature_test

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"loginshell/internal/audit"
	"loginshell/internal/demoidp"
	"loginshell/internal/lockout"
	"loginshell/internal/logtest"
	"loginshell/internal/signature"
)

// alerter is an Alerter that keeps what it hears.
type alerter struct {
	mu sync.Mutex
	es []audit.Entry
}

func (a *alerter) Alert(e audit.Entry) { a.mu.Lock(); defer a.mu.Unlock(); a.es = append(a.es, e) }
func (a *alerter) heard() []audit.Entry {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]audit.Entry(nil), a.es...)
}

// TestMisuseIsReported: a signer locked out, and repeated failed attempts
// at one slot, raise an alert: an audit entry of event alert whose Detail
// says what and who, a WARN line in the log, and the Alerter (what runs
// alert_command) hears it (issue 21.6). Every identity used for signing
// locks out, the demo's too.
func TestMisuseIsReported(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	demo := func(o *signature.Options) {
		id, err := demoidp.NewIdentity(demoidp.DemoUsers(), time.Now)
		if err != nil {
			panic(err)
		}
		o.Identities = map[string]signature.Identity{"local": id}
	}
	never := func(o *signature.Options) { o.AlertAfter = 1000 } // only lockouts raise alerts
	for _, tt := range []struct {
		name     string
		opts     []func(*signature.Options)
		attempts []string // user IDs, each with a wrong password; "!x" signs as x with the right one
		want     []string // the alerts' details, in order
		wantUser []string
	}{
		{name: "two failed attempts at a slot raise nothing", attempts: []string{"operator", "operator"}},
		{name: "the third failed attempt at a slot raises an alert naming the slot and who",
			attempts: []string{"operator", "operator", "operator"},
			want:     []string{`3 failed sign-in attempts in a row at the signature of an operator for "Release line"; the last as operator`},
			wantUser: []string{"operator"}},
		{name: "a user ID that names nobody is not kept, but said to be unknown",
			attempts: []string{"operator", "operator", "my-password!"},
			want:     []string{`3 failed sign-in attempts in a row at the signature of an operator for "Release line"; the last as an unknown user ID`},
			wantUser: []string{""}},
		{name: "a signer the slot does not admit fails an attempt too",
			attempts: []string{"!qa", "!qa", "!qa"},
			want:     []string{`3 failed sign-in attempts in a row at the signature of an operator for "Release line"; the last as qa`},
			wantUser: []string{"qa"}},
		{name: "the keychain's lockout raises an alert naming who and the provider", opts: []func(*signature.Options){never},
			attempts: repeat("supervisor", lockout.Threshold),
			want:     []string{`supervisor is locked out at the identity provider "local" after repeated wrong passwords: Offline sign-in is locked after 10 wrong passwords`},
			wantUser: []string{"supervisor"}},
		{name: "the demo identity's lockout raises an alert too", opts: []func(*signature.Options){demo, never},
			attempts: repeat("supervisor", lockout.Threshold),
			want:     []string{`supervisor is locked out at the identity provider "local" after repeated wrong passwords: Signing as this user is locked after 10 wrong passwords`},
			wantUser: []string{"supervisor"}},
		{name: "attempts refused during a lockout count as failed attempts", opts: []func(*signature.Options){demo},
			attempts: repeat("supervisor", lockout.Threshold+2),
			want:     []string{"3 failed", "6 failed", "9 failed", "supervisor is locked out", "12 failed"},
			wantUser: []string{"supervisor", "supervisor", "supervisor", "supervisor", "supervisor"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			heard := &alerter{}
			logs := &logtest.Buffer{}
			opts := append([]func(*signature.Options){func(o *signature.Options) {
				o.Alerts, o.Log = heard, slog.New(slog.NewTextHandler(logs, nil))
			}}, tt.opts...)
			e := newEnv(t, "", opts...)
			ids := e.queue(t)
			for i, who := range tt.attempts {
				// A new challenge now and then: the count is the slot's, not the dialog's.
				if i%2 == 0 {
					if c := e.screen.Current().Challenge; c != nil {
						if err := e.eng.Dismiss(ctx, c.ID); err != nil {
							t.Fatal(err)
						}
					}
					if err := e.eng.Trigger(ctx, ids[0], e.screen.Session(), e.page, true, signature.Plant); err != nil {
						t.Fatal(err)
					}
				}
				user, password := who, "wrong-password"
				if strings.HasPrefix(who, "!") {
					user = who[1:]
					password = passwordOf(t, user, e)
				}
				if _, err := e.eng.Answer(ctx, e.screen.Current().Challenge.ID, user, password, ""); err == nil {
					t.Fatalf("attempt %d as %s was accepted", i+1, user)
				}
			}
			inTrail := e.alerts(t)
			if len(inTrail) != len(tt.want) {
				t.Fatalf("%d alerts in the trail, want %d: %+v", len(inTrail), len(tt.want), inTrail)
			}
			got := heard.heard()
			if len(got) != len(tt.want) {
				t.Fatalf("the Alerter heard %d alerts, want %d", len(got), len(tt.want))
			}
			for i, want := range tt.want {
				en := inTrail[i]
				if !strings.Contains(en.Detail, want) || en.UserID != tt.wantUser[i] || en.Slot != ids[0].String() ||
					en.RequestName != "Release line" || en.Station != "station-a" {
					t.Errorf("alert %d = %+v, want detail %q by %q at the first slot", i+1, en, want, tt.wantUser[i])
				}
				if got[i].Seq != en.Seq || got[i].Hash != en.Hash {
					t.Errorf("the Alerter heard %+v, want the entry as sealed in the trail", got[i])
				}
				if line := "level=WARN msg=\"signature alert: " + en.Detail; !strings.Contains(logs.String(), line[:min(len(line), 60)]) {
					t.Errorf("no WARN line for alert %d in the log:\n%s", i+1, logs.String())
				}
			}
			if strings.Contains(logs.String(), "wrong-password") {
				t.Error("the log holds a typed password")
			}
		})
	}
}

func repeat(s string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = s
	}
	return out
}

// passwordOf is user's right password in e.
func passwordOf(t *testing.T, user string, _ *env) string {
	t.Helper()
	for _, p := range people {
		if p.name == user {
			return p.password
		}
	}
	t.Fatalf("no person %q", user)
	return ""
}
