package signature_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"loginshell/internal/audit"
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
			logs := &lockedBuffer{}
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
			var alerts []audit.Entry
			if err := e.store.AuditEntries(ctx, func(en audit.Entry) error {
				if en.Event == audit.EventAlert {
					alerts = append(alerts, en)
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
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
			if !strings.Contains(logs.String(), "signature alert: ") {
				t.Errorf("the log lacks the alert: %s", logs.String())
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
