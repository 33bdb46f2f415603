package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"loginshell/internal/audit"
	"loginshell/internal/logtest"
	"loginshell/internal/shell"
)

// alertTrail is a trail a test appends to while `audit alerts --follow`
// reads it.
type alertTrail struct {
	mu      sync.Mutex
	entries []audit.Entry
	fail    int // the next fail reads fail
}

func (t *alertTrail) add(event, detail string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	var prev *audit.Entry
	if n := len(t.entries); n > 0 {
		prev = &t.entries[n-1]
	}
	t.entries = append(t.entries, audit.Seal(prev, audit.Entry{Time: time.Date(2026, 11, 29, 12, len(t.entries), 0, 0, time.UTC),
		Station: "MES-1", Event: event, UserID: "operator", Detail: detail}))
}

func (t *alertTrail) AuditEvents(_ context.Context, event string, after int64, fn func(audit.Entry) error) (int64, error) {
	t.mu.Lock()
	if t.fail > 0 {
		t.fail--
		t.mu.Unlock()
		return 0, errors.New("the database went away")
	}
	es := append([]audit.Entry(nil), t.entries...)
	t.mu.Unlock()
	for _, e := range es {
		if e.Seq > after && e.Event == event {
			if err := fn(e); err != nil {
				return int64(len(es)), err
			}
		}
	}
	return int64(len(es)), nil
}

func TestAuditAlerts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	trailOf := func() *alertTrail {
		tr := &alertTrail{}
		tr.add("queue", "1 slot(s)")
		tr.add(audit.EventAlert, "operator is locked out")
		tr.add("failure", "wrong offline password")
		tr.add(audit.EventAlert, "3 failed sign-in attempts")
		return tr
	}
	t.Run("alerts prints each alert of the trail, one line each, and nothing else", func(t *testing.T) {
		t.Parallel()
		var out, errb bytes.Buffer
		if err := printAlerts(ctx, trailOf(), false, time.Second, false, &out, &errb); err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(out.String()), "\n")
		if len(lines) != 2 || !strings.HasPrefix(lines[0], "#2 ") || !strings.Contains(lines[0], `detail="operator is locked out"`) ||
			!strings.Contains(lines[0], "user=operator") || !strings.HasPrefix(lines[1], "#4 ") || errb.Len() > 0 {
			t.Errorf("stdout %q, stderr %q; want the two alerts as audit show prints them", out.String(), errb.String())
		}
	})
	t.Run("--json prints each alert as its entry", func(t *testing.T) {
		t.Parallel()
		var out, errb bytes.Buffer
		if err := printAlerts(ctx, trailOf(), false, time.Second, true, &out, &errb); err != nil {
			t.Fatal(err)
		}
		dec := json.NewDecoder(&out)
		var seqs []int64
		for dec.More() {
			var e audit.Entry
			if err := dec.Decode(&e); err != nil || e.Event != audit.EventAlert || e.Hash == "" {
				t.Fatalf("decoded %+v, %v", e, err)
			}
			seqs = append(seqs, e.Seq)
		}
		if len(seqs) != 2 || seqs[0] != 2 || seqs[1] != 4 {
			t.Errorf("alerts %v, want 2 and 4", seqs)
		}
	})
	t.Run("--follow prints the alerts so far, then each new one, until interrupted", func(t *testing.T) {
		t.Parallel()
		tr := trailOf()
		out, errb := &logtest.Buffer{}, &logtest.Buffer{}
		ctx, interrupt := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- printAlerts(ctx, tr, true, 5*time.Millisecond, false, out, errb) }()
		waitOutput(t, out, "3 failed sign-in attempts")
		tr.mu.Lock()
		tr.fail = 2 // the store goes away for two polls
		tr.mu.Unlock()
		tr.add("failure", "wrong offline password")
		tr.add(audit.EventAlert, "qa is locked out")
		waitOutput(t, out, "qa is locked out")
		interrupt()
		if err := <-done; err != nil {
			t.Errorf("an interrupted follow ended with %v, want a success", err)
		}
		if got := strings.Count(out.String(), "\n"); got != 3 {
			t.Errorf("%d lines, want 3 (each alert once):\n%s", got, out.String())
		}
		if got := strings.Count(errb.String(), "the database went away"); got != 1 {
			t.Errorf("stderr %q: want the failed read said once", errb.String())
		}
	})
}

// waitOutput waits up to ten seconds for want in out.
func waitOutput(t *testing.T, out *logtest.Buffer, want string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if strings.Contains(out.String(), want) {
			return
		}
	}
	t.Fatalf("no %q in %q", want, out.String())
}

// TestAuditAlertsCommandLine runs `loginshell audit alerts` on a real
// store: what the engine's alerts wrote, and the refusals of its command
// line.
func TestAuditAlertsCommandLine(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db, _, err := shell.OpenStore(dir, "", true)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range []audit.Entry{
		{Time: time.Now(), Station: "MES-1", Event: "failure", Detail: "wrong offline password"},
		{Time: time.Now(), Station: "MES-1", Event: audit.EventAlert, UserID: "operator", Detail: "operator is locked out"},
	} {
		if _, err := db.AppendAudit(context.Background(), e); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	for _, tt := range []struct {
		name           string
		args           []string
		code           int
		stdout, stderr string
	}{
		{"alerts prints the store's alerts", []string{"audit", "alerts", "--data", dir}, 0, `#2 `, ""},
		{"the verb may follow the flags", []string{"audit", "--data", dir, "alerts"}, 0, `detail="operator is locked out"`, ""},
		{"--follow is for alerts only", []string{"audit", "show", "--follow", "--data", dir}, 2, "", "--follow is for audit alerts"},
		{"alerts takes no other argument", []string{"audit", "alerts", "extra", "--data", dir}, 2, "", `unexpected argument "extra"`},
		{"alerts of a directory where nothing was signed", []string{"audit", "alerts", "--data", filepath.Join(dir, "empty")}, 1, "", "no signature has been recorded"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var out, errb bytes.Buffer
			e := &env{stdout: &out, stderr: &errb, dataDir: dir, station: "test", now: time.Now, poll: time.Second, openStore: shell.OpenStore}
			if code := e.exit(e.run(tt.args)); code != tt.code || !strings.Contains(out.String(), tt.stdout) || !strings.Contains(errb.String(), tt.stderr) {
				t.Errorf("exit %d, stdout %q, stderr %q; want %d, %q, %q", code, out.String(), errb.String(), tt.code, tt.stdout, tt.stderr)
			}
		})
	}
}
