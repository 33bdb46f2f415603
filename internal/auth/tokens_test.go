package auth_test

import (
	"context"
	"errors"
	"testing"

	"loginshell/internal/auth"
	"loginshell/internal/fault"
	"loginshell/internal/user"
)

// A page's token is single-use across flows, not only while no flow runs:
// the README promises `{t}` is "a single-use token minted for the page that
// was opened". A token that a finished flow minted (used or not) must be
// refused by the next flow of the same command with ErrTokenUnknown (the
// NotFound kind, so 404), and must leave that flow running.

// tokenFlow is one kind of flow that shows a page with a token.
type tokenFlow struct {
	name  string
	env   envOptions
	ready func(t *testing.T, e *env) // before each flow starts
	start func(e *env, ctx context.Context) <-chan outcome
	// complete calls the page's completion with tok.
	complete func(e *env, tok string) error
}

var tokenFlows = []tokenFlow{
	{
		name:     "offline login",
		env:      envOptions{vault: true},
		ready:    func(*testing.T, *env) {},
		start:    func(e *env, ctx context.Context) <-chan outcome { return e.goLogin(ctx) },
		complete: func(e *env, tok string) error { return e.svc.Authenticate(tok, goodPassword) },
	},
	{
		name: "offline password setup",
		env:  envOptions{online: onlineOK()},
		ready: func(t *testing.T, e *env) {
			signedInOnline(t, e)
			// A completed setup left a vault; setup runs only without one.
			if e.kc.Exists("alice") {
				if err := e.kc.Remove("alice"); err != nil {
					t.Fatal(err)
				}
			}
		},
		start:    func(e *env, ctx context.Context) <-chan outcome { return e.goSetup(ctx) },
		complete: func(e *env, tok string) error { return e.svc.CompleteSetup(tok, goodPassword) },
	},
	{
		name: "offline password change",
		env:  envOptions{online: onlineOK(), vault: true},
		ready: func(t *testing.T, e *env) {
			signedInOnline(t, e)
		},
		start: func(e *env, ctx context.Context) <-chan outcome { return e.goUpdate(ctx) },
		// The same password again, so every flow knows the current one.
		complete: func(e *env, tok string) error { return e.svc.CompleteUpdate(tok, goodPassword, goodPassword) },
	},
}

// signedInOnline signs alice in online unless she already is.
func signedInOnline(t *testing.T, e *env) {
	t.Helper()
	if _, m, ok := e.users.Current(); !ok || m != user.Online {
		e.signInOnline(t)
	}
}

// endings are the ways the first flow ends before the second starts.
var endings = []struct {
	name string
	end  func(t *testing.T, e *env, tf tokenFlow, tok string, stop context.CancelFunc)
}{
	{"a token used in flow 1", func(t *testing.T, e *env, tf tokenFlow, tok string, _ context.CancelFunc) {
		if err := tf.complete(e, tok); err != nil {
			t.Fatalf("completing flow 1: %v", err)
		}
	}},
	{"a token minted for flow 1 that was cancelled", func(t *testing.T, e *env, _ tokenFlow, _ string, _ context.CancelFunc) {
		if err := e.svc.Cancel(); err != nil {
			t.Fatalf("Cancel: %v", err)
		}
	}},
	{"a token minted for flow 1 whose caller went away", func(_ *testing.T, _ *env, _ tokenFlow, _ string, stop context.CancelFunc) {
		stop()
	}},
}

func TestTokenOfOneFlowIsRefusedInTheNext(t *testing.T) {
	t.Parallel()
	for _, tf := range tokenFlows {
		for _, en := range endings {
			t.Run(en.name+" is refused in the next "+tf.name, func(t *testing.T) {
				t.Parallel()
				e := newEnv(t, tf.env)

				tf.ready(t, e)
				ctx1, stop1 := context.WithCancel(context.Background())
				defer stop1()
				first := tf.start(e, ctx1)
				tok1 := e.waitPage(t, first).token
				en.end(t, e, tf, tok1, stop1)
				<-first

				tf.ready(t, e)
				second := tf.start(e, context.Background())
				tok2 := e.waitPage(t, second).token
				if tok2 == tok1 {
					t.Fatalf("flow 2 was given flow 1's token %s", tok1)
				}

				err := tf.complete(e, tok1)
				if !errors.Is(err, auth.ErrTokenUnknown) {
					t.Fatalf("flow 1's token in flow 2: %v, want ErrTokenUnknown", err)
				}
				if k := fault.KindOf(err); k != fault.NotFound {
					t.Errorf("flow 1's token in flow 2: kind %v, want %v (404)", k, fault.NotFound)
				}
				if !e.svc.InProgress() {
					t.Fatal("the stale token ended flow 2")
				}

				if err := tf.complete(e, tok2); err != nil {
					t.Fatalf("flow 2's own token: %v", err)
				}
				if o := <-second; o.err != nil {
					t.Fatalf("flow 2 = %v", o.err)
				}
				// And once flow 2 is over, neither token opens anything.
				for _, tok := range []string{tok1, tok2} {
					if err := tf.complete(e, tok); !errors.Is(err, auth.ErrNotInProgress) {
						t.Errorf("token %s after both flows: %v, want ErrNotInProgress", tok, err)
					}
				}
			})
		}
	}
}

// TestEveryFlowMintsAFreshToken: many flows in a row never repeat a token,
// so no page can guess the next one from an old one.
func TestEveryFlowMintsAFreshToken(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{vault: true})
	seen := map[string]int{}
	for i := range 20 {
		running := e.goLogin(context.Background())
		tok := e.waitPage(t, running).token
		if j, ok := seen[tok]; ok {
			t.Fatalf("flow %d reuses the token of flow %d", i, j)
		}
		seen[tok] = i
		if err := e.svc.Cancel(); err != nil {
			t.Fatal(err)
		}
		if o := <-running; !errors.Is(o.err, auth.ErrCancelled) {
			t.Fatalf("flow %d = %v, want ErrCancelled", i, o.err)
		}
	}
}
