package signature_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"loginshell/internal/audit"
	"loginshell/internal/signature"
)

// clock is a fixed clock a test moves, with the timers the engine set on
// it (Options.AfterFunc): a test fires them itself, so it reaches a
// template's timeout without waiting for it.
type clock struct {
	mu     sync.Mutex
	now    time.Time
	timers []*fakeTimer
}

type fakeTimer struct {
	at      time.Time
	f       func()
	stopped bool
}

func newClock() *clock { return &clock{now: time.Date(2026, 12, 6, 8, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) AfterFunc(d time.Duration, f func()) func() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &fakeTimer{at: c.now.Add(d), f: f}
	c.timers = append(c.timers, t)
	return func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		was := !t.stopped
		t.stopped = true
		return was
	}
}

// advance moves the clock by d without firing anything: the moment
// between a deadline passing and its timer running.
func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// fire runs the timers that are due, as the runtime would.
func (c *clock) fire() {
	c.mu.Lock()
	var due []func()
	for _, t := range c.timers {
		if !t.stopped && !t.at.After(c.now) {
			t.stopped = true
			due = append(due, t.f)
		}
	}
	c.mu.Unlock()
	for _, f := range due {
		f()
	}
}

// slowIdentity is the keychain's identity that holds each Verify until
// the test lets it go: the seconds argon2 takes on a slow station.
type slowIdentity struct {
	signature.Identity
	entered chan struct{}
	release chan struct{}
}

func (s slowIdentity) Verify(userID, password string) (signature.Signer, error) {
	s.entered <- struct{}{}
	<-s.release
	return s.Identity.Verify(userID, password)
}

// slowCommit is a store whose signing transaction waits for the test:
// the moment between an answer's check of its deadline and its commit.
type slowCommit struct {
	signature.Backend
	entered, release chan struct{}
}

func (s slowCommit) SignAudited(ctx context.Context, id uuid.UUID, sig signature.Signature, unique bool,
	entries func(signature.Request) []audit.Entry) (signature.Request, []audit.Entry, error) {
	s.entered <- struct{}{}
	<-s.release
	return s.Backend.SignAudited(ctx, id, sig, unique, entries)
}

// events lists the trail's events of request id, in order.
func events(t *testing.T, e *env, id string) []string {
	t.Helper()
	var out []string
	err := e.store.AuditEntries(context.Background(), func(en audit.Entry) error {
		if en.Request == id {
			out = append(out, en.Event)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestTimeIsFinal: an answer that arrives after the slot's challenge timed
// out never counts, under each interleaving of the answer and the timer
// (issue 20). A template's own timeout is what runs out, not the default.
func TestTimeIsFinal(t *testing.T) {
	t.Parallel()
	const timeout = 2 * time.Minute // lineRelease.Timeout
	pending := func(t *testing.T, e *env, slot string) {
		t.Helper()
		for _, r := range mustPending(t, e) {
			for _, s := range r.Slots {
				if s.ID.String() == slot && s.State != signature.Pending {
					t.Errorf("the slot is %s, want it pending: a late answer counted", s.State)
				}
			}
		}
	}

	t.Run("the template's timeout, not the default, sets the deadline", func(t *testing.T) {
		t.Parallel()
		clk := newClock()
		e := newEnv(t, "", func(o *signature.Options) { o.Now, o.AfterFunc = clk.Now, clk.AfterFunc })
		ids := e.queue(t)
		if err := e.eng.Trigger(context.Background(), ids[0], e.screen.Session(), e.page, true, signature.Plant); err != nil {
			t.Fatal(err)
		}
		c := e.screen.Current().Challenge
		if got := c.Expires.Sub(clk.Now()); got != timeout {
			t.Errorf("the challenge expires after %v, want the template's %v", got, timeout)
		}
		clk.advance(timeout - time.Second)
		clk.fire()
		if e.screen.Current().Challenge == nil {
			t.Fatal("the dialog closed a second before the template's timeout")
		}
		clk.advance(time.Second)
		clk.fire()
		if e.screen.Current().Challenge != nil {
			t.Fatal("the dialog stayed up after the template's timeout")
		}
	})

	t.Run("an answer after the deadline, before the timer ran, is refused", func(t *testing.T) {
		t.Parallel()
		clk := newClock()
		e := newEnv(t, "", func(o *signature.Options) { o.Now, o.AfterFunc = clk.Now, clk.AfterFunc })
		ids := e.queue(t)
		if err := e.eng.Trigger(context.Background(), ids[0], e.screen.Session(), e.page, true, signature.Plant); err != nil {
			t.Fatal(err)
		}
		c := e.screen.Current().Challenge
		clk.advance(timeout) // due, but the timer has not run yet
		_, err := e.eng.Answer(context.Background(), c.ID, "operator", "operator-pass-1", "")
		if !errors.Is(err, signature.ErrTimedOut) {
			t.Errorf("Answer at the deadline = %v, want ErrTimedOut", err)
		}
		pending(t, e, ids[0].String())
		if got := events(t, e, c.Request.String()); contains(got, audit.EventSuccess) || contains(got, audit.EventApprove) || !contains(got, audit.EventTimeout) {
			t.Errorf("trail %v: want a timeout and no success", got)
		}
		if e.screen.Current().Challenge != nil {
			t.Error("the dialog stayed up after a late answer")
		}
	})

	t.Run("the timer runs while the password is being checked: the answer does not count", func(t *testing.T) {
		t.Parallel()
		clk := newClock()
		slow := slowIdentity{entered: make(chan struct{}), release: make(chan struct{})}
		e := newEnv(t, "", func(o *signature.Options) {
			o.Now, o.AfterFunc = clk.Now, clk.AfterFunc
			slow.Identity = o.Identities["local"]
			o.Identities = map[string]signature.Identity{"local": slow}
		})
		ids := e.queue(t)
		if err := e.eng.Trigger(context.Background(), ids[0], e.screen.Session(), e.page, true, signature.Plant); err != nil {
			t.Fatal(err)
		}
		c := e.screen.Current().Challenge
		answered := make(chan error, 1)
		go func() {
			_, err := e.eng.Answer(context.Background(), c.ID, "operator", "operator-pass-1", "")
			answered <- err
		}()
		<-slow.entered
		clk.advance(timeout)
		clk.fire() // the timeout ends the challenge while Verify runs
		close(slow.release)
		if err := <-answered; err == nil {
			t.Error("an answer whose check ended after the timeout counted")
		}
		pending(t, e, ids[0].String())
		got := events(t, e, c.Request.String())
		if contains(got, audit.EventSuccess) || contains(got, audit.EventApprove) {
			t.Errorf("trail %v holds a success after the timeout", got)
		}
	})

	t.Run("an answer in time counts even if the timer runs during its commit, and no timeout is recorded", func(t *testing.T) {
		t.Parallel()
		clk := newClock()
		var slow slowCommit
		slow.entered, slow.release = make(chan struct{}), make(chan struct{})
		e := newEnv(t, "", func(o *signature.Options) {
			o.Now, o.AfterFunc = clk.Now, clk.AfterFunc
			slow.Backend = o.Store
			o.Store = slow
		})
		ids := e.queue(t)
		if err := e.eng.Trigger(context.Background(), ids[0], e.screen.Session(), e.page, true, signature.Plant); err != nil {
			t.Fatal(err)
		}
		c := e.screen.Current().Challenge
		answered := make(chan error, 1)
		go func() {
			_, err := e.eng.Answer(context.Background(), c.ID, "operator", "operator-pass-1", "")
			answered <- err
		}()
		<-slow.entered // the answer was in time and is being committed
		clk.advance(timeout)
		clk.fire()
		close(slow.release)
		if err := <-answered; err != nil {
			t.Fatalf("an answer committed in time = %v, want it counted", err)
		}
		if got := events(t, e, c.Request.String()); contains(got, audit.EventTimeout) || !contains(got, audit.EventSuccess) {
			t.Errorf("trail %v: want the success and no timeout", got)
		}
		if e.screen.Current().Challenge != nil {
			t.Error("the dialog stayed up after the signature")
		}
	})

	t.Run("answers raced against a real timer: a timeout and a success never both", func(t *testing.T) {
		t.Parallel()
		for round := range 20 {
			e := newEnv(t, "", func(o *signature.Options) {
				o.AfterFunc = func(_ time.Duration, f func()) func() bool {
					return time.AfterFunc(time.Duration(round%5)*time.Millisecond, f).Stop
				}
			})
			ids := e.queue(t)
			if err := e.eng.Trigger(context.Background(), ids[0], e.screen.Session(), e.page, true, signature.Plant); err != nil {
				t.Fatal(err)
			}
			c := e.screen.Current().Challenge
			if c == nil {
				continue // the timer was quicker than the screen
			}
			_, err := e.eng.Answer(context.Background(), c.ID, "operator", "operator-pass-1", "")
			got := events(t, e, c.Request.String())
			if contains(got, audit.EventTimeout) && contains(got, audit.EventSuccess) {
				t.Fatalf("round %d: trail %v holds both a timeout and a success (Answer: %v)", round, got, err)
			}
		}
	})
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func mustPending(t *testing.T, e *env) []signature.Request {
	t.Helper()
	rs, err := e.eng.Pending(context.Background(), signature.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	return rs
}
