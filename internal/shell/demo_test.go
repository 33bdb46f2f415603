package shell_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"loginshell/internal/audit"
	"loginshell/internal/online"
	"loginshell/internal/screen"
	"loginshell/internal/settings"
	"loginshell/internal/shell"
	"loginshell/internal/shell/shelltest"
)

// TestThePlantsTemplateStandsInTheDemo: with --demo, a templates.json
// entry named as the demo's template (the walk's one-minute "Line Release
// Approval") is the one in force, and a second start writes no template
// entry to the trail; without one, the demo's own is stored.
func TestThePlantsTemplateStandsInTheDemo(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name        string
		templates   string // DIR/templates.json; "" for none
		wantTimeout int
	}{
		{"the demo's own", "", 2},
		{"the plant's of the same name", `[{"name": "line release approval", "expression": "{role:Operator} AND {role:Supervisor}",
			"idp": "demo", "timeout": 1, "forceUniqueUser": true, "meaning": "Approval: I approve the release of this line."}]`, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			if tc.templates != "" {
				if err := os.WriteFile(filepath.Join(dir, "templates.json"), []byte(tc.templates), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			var entries int
			for start := 1; start <= 2; start++ {
				sh := buildDemo(t, dir)
				ctx := context.Background()
				got, err := sh.Signatures.Template(ctx, "Line Release Approval")
				if err != nil {
					t.Fatal(err)
				}
				if got.Timeout != tc.wantTimeout {
					t.Errorf("start %d: the template in force has timeout %d, want %d (%+v)", start, got.Timeout, tc.wantTimeout, got)
				}
				n := 0
				if err := sh.Store.AuditEntries(ctx, func(e audit.Entry) error {
					if e.Event == audit.EventTemplate {
						n++
					}
					return nil
				}); err != nil {
					t.Fatal(err)
				}
				if start == 2 && n != entries {
					t.Errorf("the second start wrote %d template entries to the trail, want none", n-entries)
				}
				entries = n
				sh.Close()
			}
		})
	}
}

// buildDemo builds the shell of `loginshell --demo --data dir` as the
// window does.
func buildDemo(t *testing.T, dir string) *shell.Shell {
	t.Helper()
	sh, err := shell.Build(shell.Config{DataDir: dir, Demo: true, Station: "test-station",
		KeychainParams: shelltest.CheapParams, InsecureAllowWeakParams: true,
		SignIn: func(*screen.Screen, *settings.Store) (online.ProviderOptions, error) {
			return online.ProviderOptions{Open: func(context.Context, string) error { return nil }}, nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	return sh
}
