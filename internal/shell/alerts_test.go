//go:build unix

package shell_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"loginshell/internal/audit"
	"loginshell/internal/settings"
	"loginshell/internal/shell/shelltest"
	"loginshell/internal/signature"
	"loginshell/internal/user"
)

// TestAlertsAreWired: the shell Build makes runs alert_command for an
// alert its engine raises (three wrong passwords at one slot), and shows
// every alert of the store in its chrome's notice, its own and another
// station's alike (issue 21.6).
func TestAlertsAreWired(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sh := shelltest.New(t, shelltest.Options{Offline: true})
	out := filepath.Join(t.TempDir(), "alert.json")
	if err := sh.Settings.Set(settings.AlertCommand, "tee "+out); err != nil {
		t.Fatal(err)
	}
	if err := sh.Keychain.Create("operator", "operator-pass-1", user.Profile{Username: "operator", Name: "Olivia Operator", Roles: []string{"Operator"}}); err != nil {
		t.Fatal(err)
	}
	tmpl := signature.Template{Name: "Release", Expression: "{role:Operator}", Meaning: "Approval"}
	if err := sh.Signatures.PutTemplate(ctx, tmpl); err != nil {
		t.Fatal(err)
	}
	ids, err := sh.Signatures.Queue(ctx, signature.Queuing{Template: "Release", Name: "Release line 4"})
	if err != nil {
		t.Fatal(err)
	}
	sh.Screen.ShowPage("/webapps/lineapp/index.html", "Line")
	if err := sh.Signatures.Trigger(ctx, ids[0], sh.Screen.Session(), sh.Screen.Current().Page, true, signature.Plant); err != nil {
		t.Fatal(err)
	}
	c := sh.Screen.Current().Challenge
	for range signature.DefaultAlertAfter {
		if _, err := sh.Signatures.Answer(ctx, c.ID, "operator", "wrong-password", ""); err == nil {
			t.Fatal("a wrong password signed")
		}
	}

	// alert_command ran with the alert on its stdin.
	var got audit.Entry
	waitFor(t, "alert_command to write the alert", func() bool {
		data, err := os.ReadFile(out)
		return err == nil && json.Unmarshal(data, &got) == nil
	})
	if got.Event != audit.EventAlert || got.UserID != "operator" || !strings.Contains(got.Detail, "3 failed sign-in attempts") || got.Seq == 0 {
		t.Errorf("alert_command got %+v, want the sealed alert", got)
	}
	// The chrome shows it.
	waitFor(t, "the notice of this station's alert", func() bool {
		return strings.Contains(sh.Screen.Current().Notice, "3 failed sign-in attempts")
	})
	// And another station's, written to the same store.
	other := audit.Entry{Time: time.Now(), Station: "station-b", Event: audit.EventAlert, UserID: "qa",
		Detail: "qa is locked out at the identity provider \"local\" after repeated wrong passwords"}
	if _, err := sh.Store.AppendAudit(ctx, other); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the notice of another station's alert", func() bool {
		return sh.Screen.Current().Notice == "Signature alert at station-b: "+other.Detail
	})
}

// waitFor polls cond for up to ten seconds (the chrome follows the trail
// every second).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}
