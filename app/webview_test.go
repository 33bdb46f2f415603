package app

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"loginshell/internal/logtest"
)

// guardWithPrefix is a guard whose secret is prefix, logging to out.
func guardWithPrefix(prefix string, out *logtest.Buffer) *webviewGuard {
	g := newWebviewGuard(slog.New(slog.NewTextHandler(out, nil)), nil)
	g.prefix = prefix
	return g
}

// What a hosted page posts blind, the way the smoke test's hostile page
// does, never reaches Wails; what the chrome posts (its secret first)
// reaches it without the secret.
func TestChannelAdmits(t *testing.T) {
	t.Parallel()
	const secret = "0123456789abcdef0123456789abcdef"
	tests := []struct {
		name string
		msg  string
		want string // "" refused
	}{
		{"the chrome's binding call passes, secret stripped", secret + `C{"name":"app.Shell.View","args":["t"],"callbackID":"1"}`, `C{"name":"app.Shell.View","args":["t"],"callbackID":"1"}`},
		{"the chrome's event passes", secret + `EE{"name":"x","data":[]}`, `EE{"name":"x","data":[]}`},
		{"runtime.js's ready passes without it", "runtime:ready", "runtime:ready"},
		{"a page's quit is dropped", "Q", ""},
		{"a page's resize is dropped", "Ws:200:200", ""},
		{"a page's fullscreen is dropped", "WF", ""},
		{"a page's browser is dropped", "BO:https://attacker.example/", ""},
		{"a page's file drop is dropped", "DD:10:10:/home/op/Downloads/evil.zip", ""},
		{"a page's event is dropped", `EE{"name":"wails:file-drop","data":[1,1,["/tmp/evil.zip"]]}`, ""},
		{"a page's binding call is dropped", `C{"name":"app.Shell.Configure","args":["","http://127.0.0.1:9/evil"],"callbackID":"p"}`, ""},
		{"a page's DomReady is dropped (it comes natively)", "DomReady", ""},
		{"a page's window drag is dropped", "drag", ""},
		{"a guessed secret is dropped", strings.Repeat("0", len(secret)) + "Q", ""},
		{"a secret one character short is dropped", secret[1:] + "Q", ""},
		{"the secret alone is dropped", secret, ""},
		{"runtime:ready with more after it is dropped", "runtime:ready;Q", ""},
		{"an empty message is dropped", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := guardWithPrefix(secret, &logtest.Buffer{}).admit(tt.msg)
			if ok != (tt.want != "") || got != tt.want {
				t.Errorf("admit(%q) = %q, %v; want %q, %v", tt.msg, got, ok, tt.want, tt.want != "")
			}
		})
	}
}

// A page that floods the channel cannot flood the log: one line per kind.
func TestChannelLogsEachKindOnce(t *testing.T) {
	t.Parallel()
	var out logtest.Buffer
	g := guardWithPrefix("0123456789abcdef0123456789abcdef", &out)
	for range 50 {
		g.admit("Q")
		g.admit("WF")
		g.admit("Ws:1:1")
	}
	logged := out.String()
	if n := strings.Count(logged, "without the chrome's secret was dropped"); n != 2 {
		t.Errorf("%d log lines for 150 dropped messages of two kinds, want 2:\n%s", n, logged)
	}
	for _, kind := range []string{"kind=Q", "kind=W"} {
		if !strings.Contains(logged, kind) {
			t.Errorf("no line with %s:\n%s", kind, logged)
		}
	}
	if strings.Contains(logged, "Ws:1:1") {
		t.Errorf("the log holds a message's text:\n%s", logged)
	}
}

// The secret is handed out only once the guard is in place, never when it
// failed or before (a prefixed message would reach Wails with the prefix
// still on, and the chrome would run on an open channel).
func TestChannelPrefixWaitsForTheGuard(t *testing.T) {
	t.Parallel()
	t.Run("the secret once in place", func(t *testing.T) {
		t.Parallel()
		g := guardWithPrefix("s3cret", &logtest.Buffer{})
		got := make(chan string, 1)
		go func() {
			p, err := g.Prefix(context.Background())
			if err != nil {
				p = "error: " + err.Error()
			}
			got <- p
		}()
		select {
		case p := <-got:
			t.Fatalf("Prefix answered %q before the guard was in place", p)
		case <-time.After(50 * time.Millisecond):
		}
		g.done(nil)
		if p := <-got; p != "s3cret" {
			t.Errorf("Prefix = %q, want the secret", p)
		}
	})
	t.Run("an error when it could not be put in place", func(t *testing.T) {
		t.Parallel()
		var out logtest.Buffer
		g := guardWithPrefix("s3cret", &out)
		g.done(errors.New("no web view"))
		g.done(nil) // the first outcome wins
		if p, err := g.Prefix(context.Background()); !errors.Is(err, errChannelOpen) || p != "" {
			t.Errorf("Prefix = %q, %v; want %v", p, err, errChannelOpen)
		}
		if !strings.Contains(out.String(), "level=ERROR") {
			t.Errorf("the failure was not logged as an error:\n%s", out.String())
		}
	})
	t.Run("an error when it takes too long", func(t *testing.T) {
		t.Parallel()
		g := guardWithPrefix("s3cret", &logtest.Buffer{})
		g.wait = 10 * time.Millisecond
		if p, err := g.Prefix(context.Background()); !errors.Is(err, errChannelOpen) || p != "" {
			t.Errorf("Prefix = %q, %v; want %v", p, err, errChannelOpen)
		}
	})
	t.Run("nothing for a request that went away", func(t *testing.T) {
		t.Parallel()
		g := guardWithPrefix("s3cret", &logtest.Buffer{})
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if p, err := g.Prefix(ctx); !errors.Is(err, context.Canceled) || p != "" {
			t.Errorf("Prefix = %q, %v; want %v", p, err, context.Canceled)
		}
	})
}

// Each run has a secret of its own where the channel needs one.
func TestChannelSecretIsPerRun(t *testing.T) {
	t.Parallel()
	a, b := newWebviewGuard(nil, nil), newWebviewGuard(nil, nil)
	if !guardsChannel {
		if a.prefix != "" {
			t.Errorf("prefix %q where no guard is needed", a.prefix)
		}
		return
	}
	if len(a.prefix) < 32 || a.prefix == b.prefix {
		t.Errorf("secrets %q and %q: want two different ones of 128 bits", a.prefix, b.prefix)
	}
}

// The files of a person's drop go to the shell at once (before the
// chrome's document hears the drop and asks for them); a drop of nothing,
// or a guard with nowhere to send drops, does nothing.
func TestWebviewGuardHandsDropsOver(t *testing.T) {
	t.Parallel()
	var got [][]string
	g := newWebviewGuard(nil, func(paths []string) { got = append(got, paths) })
	g.drop(nil)
	g.drop([]string{"/home/op/lineapp.zip"})
	if len(got) != 1 || len(got[0]) != 1 || got[0][0] != "/home/op/lineapp.zip" {
		t.Errorf("dropped %q, want the one file once", got)
	}
	newWebviewGuard(nil, nil).drop([]string{"/x.zip"}) // must not panic
}
