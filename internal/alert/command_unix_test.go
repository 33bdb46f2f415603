//go:build unix

package alert

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"loginshell/internal/audit"
)

// records is a log handler that hands each record's message and
// attributes to a channel.
type records chan string

func (r records) Enabled(context.Context, slog.Level) bool { return true }
func (r records) Handle(_ context.Context, rec slog.Record) error {
	var b strings.Builder
	b.WriteString(rec.Level.String() + " " + rec.Message)
	rec.Attrs(func(a slog.Attr) bool { b.WriteString(" " + a.String()); return true })
	r <- b.String()
	return nil
}
func (r records) WithAttrs([]slog.Attr) slog.Handler { return r }
func (r records) WithGroup(string) slog.Handler      { return r }

func TestCommand(t *testing.T) {
	t.Parallel()
	e := audit.Entry{Seq: 7, Event: audit.EventAlert, Station: "station-a", UserID: "operator", Detail: "operator is locked out"}
	t.Run("no setting runs nothing", func(t *testing.T) {
		t.Parallel()
		if err := (Command{Setting: func() string { return "  " }}).Run(context.Background(), e); err != nil {
			t.Errorf("Run = %v", err)
		}
	})
	t.Run("the alert is the command's stdin as JSON, its arguments split without a shell", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		// A shell would run "b" after tee a; without one, "a;b" is a file name.
		c := Command{Setting: func() string { return "tee " + filepath.Join(dir, "a;b") + "  " + filepath.Join(dir, "$HOME") }}
		if err := c.Run(context.Background(), e); err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"a;b", "$HOME"} {
			data, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				t.Fatalf("the argument %q did not reach the command as it is: %v", name, err)
			}
			var got audit.Entry
			if err := json.Unmarshal(data, &got); err != nil || got.Seq != 7 || got.Event != audit.EventAlert || got.Detail != e.Detail || got.UserID != "operator" {
				t.Errorf("stdin was %s (%v), want the alert's entry as JSON", data, err)
			}
		}
	})
	for _, tt := range []struct {
		name, setting string
		timeout       time.Duration
		want          string
	}{
		{"a command that fails is logged", "false", 0, "exit status 1"},
		{"a command that cannot start is logged", "/nonexistent/alert-hook", 0, "no such file"},
		{"a command that runs too long is killed and logged", "sleep 30", 200 * time.Millisecond, "still running after 200ms; killed"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			logs := make(records, 4)
			c := Command{Setting: func() string { return tt.setting }, Log: slog.New(logs), Timeout: tt.timeout}
			start := time.Now()
			err := c.Run(context.Background(), e)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Run = %v, want a failure saying %q", err, tt.want)
			}
			if time.Since(start) > 5*time.Second {
				t.Errorf("Run took %v", time.Since(start))
			}
			if line := <-logs; !strings.HasPrefix(line, "ERROR alert_command failed") || !strings.Contains(line, tt.want) {
				t.Errorf("logged %q", line)
			}
		})
	}
	t.Run("Alert returns at once and the failure is logged later", func(t *testing.T) {
		t.Parallel()
		logs := make(records, 4)
		c := Command{Setting: func() string { return "sleep 30" }, Log: slog.New(logs), Timeout: 300 * time.Millisecond}
		start := time.Now()
		c.Alert(e)
		if d := time.Since(start); d > 100*time.Millisecond {
			t.Errorf("Alert held its caller for %v", d)
		}
		select {
		case line := <-logs:
			if !strings.Contains(line, "killed") {
				t.Errorf("logged %q", line)
			}
		case <-time.After(10 * time.Second):
			t.Error("the timed-out command was never logged")
		}
	})
	t.Run("the default timeout is ten seconds", func(t *testing.T) {
		t.Parallel()
		if CommandTimeout != 10*time.Second {
			t.Errorf("CommandTimeout = %v", CommandTimeout)
		}
	})
}
