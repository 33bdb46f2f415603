package connectivity

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"loginshell/internal/user"
)

// guard bounds every wait in these tests so a broken monitor fails instead
// of hanging; no assertion depends on it.
const guard = 10 * time.Second

// never is a Timeout or Every that no test reaches, so only the test decides
// when a probe ends and no background tick interferes.
const never = time.Hour

var t0 = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

// fakeClock is the monitor's Now; tests move it to age results.
type fakeClock struct{ ns atomic.Int64 }

func newClock() *fakeClock {
	c := &fakeClock{}
	c.ns.Store(t0.UnixNano())
	return c
}

func (c *fakeClock) Now() time.Time          { return time.Unix(0, c.ns.Load()) }
func (c *fakeClock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

// probeCall is one call of the fake probe: the test answers it, or it ends
// with its context (as online.Client.Reachable does) and answers false.
type probeCall struct {
	ctx    context.Context
	answer chan bool // buffered 1: answering a probe that has gone never blocks
}

// fakeProbe counts its calls and hands each one to the test.
type fakeProbe struct {
	n     atomic.Int32
	calls chan probeCall
}

func newProbe() *fakeProbe { return &fakeProbe{calls: make(chan probeCall, 64)} }

func (p *fakeProbe) Probe(ctx context.Context) bool {
	p.n.Add(1)
	c := probeCall{ctx: ctx, answer: make(chan bool, 1)}
	p.calls <- c
	select {
	case ok := <-c.answer:
		return ok
	case <-ctx.Done():
		return false
	}
}

// next returns the probe the monitor started next.
func (p *fakeProbe) next(t *testing.T) probeCall {
	t.Helper()
	select {
	case c := <-p.calls:
		return c
	case <-time.After(guard):
		t.Fatal("no probe was started")
		return probeCall{}
	}
}

func newTestMonitor(t *testing.T, opts MonitorOptions) *Monitor {
	t.Helper()
	m, err := NewMonitor(opts)
	if err != nil {
		t.Fatalf("NewMonitor: %v", err)
	}
	t.Cleanup(m.Close)
	return m
}

// settle makes the monitor hold the answer ok: it starts a probe through
// Check and answers it.
func settle(t *testing.T, m *Monitor, p *fakeProbe, ok bool) {
	t.Helper()
	got := make(chan bool, 1)
	go func() { got <- m.Check(context.Background()) }()
	p.next(t).answer <- ok
	if g := wait(t, got); g != ok {
		t.Fatalf("Check = %v, want %v", g, ok)
	}
}

func wait[T any](t *testing.T, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(guard):
		t.Fatal("waited in vain")
		var zero T
		return zero
	}
}

func TestNewMonitorRefusesMissingDependencies(t *testing.T) {
	t.Parallel()
	probe := func(context.Context) bool { return true }
	tests := []struct {
		name string
		opts MonitorOptions
	}{
		{"a monitor without a probe is refused", MonitorOptions{Now: time.Now}},
		{"a monitor without a clock is refused", MonitorOptions{Probe: probe}},
		{"a negative timeout is refused", MonitorOptions{Probe: probe, Now: time.Now, Timeout: -1}},
		{"a negative period is refused", MonitorOptions{Probe: probe, Now: time.Now, Every: -1}},
		{"a negative freshness is refused", MonitorOptions{Probe: probe, Now: time.Now, FreshFor: -1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if m, err := NewMonitor(tt.opts); err == nil || m != nil {
				t.Errorf("NewMonitor = %v, %v; want an error", m, err)
			}
		})
	}
}

// TestMonitorSingleFlight: however many readers arrive at once, with no
// answer yet or a stale one, the monitor makes one probe.
func TestMonitorSingleFlight(t *testing.T) {
	t.Parallel()
	const readers = 16
	tests := []struct {
		name string
		read func(m *Monitor) bool
		// blocks: the read waits for the probe (Check), so the probe is
		// answered before the readers are waited for.
		blocks bool
	}{
		{"concurrent Online reads make one probe", func(m *Monitor) bool { return m.Online() }, false},
		{"concurrent States reads make one probe", func(m *Monitor) bool {
			return slices.Contains(m.States(nil), Online)
		}, false},
		{"concurrent Checks join one probe", func(m *Monitor) bool { return m.Check(context.Background()) }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, clk := newProbe(), newClock()
			m := newTestMonitor(t, MonitorOptions{Probe: p.Probe, Now: clk.Now, Timeout: never, Every: never})
			for round, prior := range []string{"no answer yet", "a stale answer"} {
				if round == 1 {
					clk.Advance(DefaultFreshFor)
				}
				want := round == 1 // the stale answer was true; no answer reads as false
				var wg sync.WaitGroup
				got := make(chan bool, readers)
				for range readers {
					wg.Go(func() { got <- tt.read(m) })
				}
				call := p.next(t)
				if tt.blocks {
					want = true
					call.answer <- true
				}
				wg.Wait()
				close(got)
				for g := range got {
					if g != want {
						t.Errorf("with %s: a read answered %v, want %v", prior, g, want)
					}
				}
				if !tt.blocks {
					call.answer <- true
				}
				// Check returns the recorded answer: the probe has ended.
				if !m.Check(context.Background()) {
					t.Fatalf("with %s: Check = false after the probe answered true", prior)
				}
				if n := p.n.Load(); n != int32(round+1) {
					t.Errorf("with %s: %d probes after %d concurrent reads, want %d", prior, n, readers, round+1)
				}
			}
		})
	}
}

// TestMonitorReadsNeverWaitOnTheProbe: while a probe is stuck (a login server
// that accepts and never answers), every read returns at once with the last
// finished answer.
func TestMonitorReadsNeverWaitOnTheProbe(t *testing.T) {
	t.Parallel()
	const readers = 16
	tests := []struct {
		name  string
		prior *bool // the answer held before the stuck probe; nil: none
		read  func(m *Monitor) bool
	}{
		{"Online before any answer returns false at once", nil, func(m *Monitor) bool { return m.Online() }},
		{"Online with a stale answer returns it at once", ptr(true), func(m *Monitor) bool { return m.Online() }},
		{"States with a stale answer returns it at once", ptr(true), func(m *Monitor) bool {
			return slices.Equal(m.States(nil), []string{Internet, Online})
		}},
		{"States with a stale offline answer returns it at once", ptr(false), func(m *Monitor) bool {
			return !slices.Equal(m.States(nil), []string{Offline})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, clk := newProbe(), newClock()
			m := newTestMonitor(t, MonitorOptions{Probe: p.Probe, Now: clk.Now, Timeout: never, Every: never})
			want := false
			if tt.prior != nil {
				settle(t, m, p, *tt.prior)
				clk.Advance(DefaultFreshFor)
				want = *tt.prior
			}
			var wg sync.WaitGroup
			got := make(chan bool, readers)
			for range readers {
				wg.Go(func() { got <- tt.read(m) })
			}
			stuck := p.next(t) // never answered until every read has returned
			done := make(chan struct{})
			go func() { wg.Wait(); close(done) }()
			wait(t, done)
			close(got)
			for g := range got {
				if g != want {
					t.Errorf("a read answered %v, want %v", g, want)
				}
			}
			if stuck.ctx.Err() != nil {
				t.Error("the probe ended before the reads were checked; the test proves nothing")
			}
			stuck.answer <- true
		})
	}
}

// TestMonitorCallerDeadline: a caller that stops waiting does not decide the
// answer; only the monitor's own timeout does.
func TestMonitorCallerDeadline(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// caller is the context of the Check that gives up.
		caller func() (context.Context, context.CancelFunc)
		// timeout is the monitor's; answer is the server's, nil for none.
		timeout time.Duration
		answer  *bool
		want    bool
	}{
		{"a caller cancelled before the server answers does not record it as unreachable",
			func() (context.Context, context.CancelFunc) { return context.WithCancel(context.Background()) },
			never, ptr(true), true},
		{"a caller whose deadline passes before the server answers does not record it as unreachable",
			func() (context.Context, context.CancelFunc) {
				return context.WithTimeout(context.Background(), time.Millisecond)
			},
			never, ptr(true), true},
		{"a server that does not answer within the monitor's timeout is unreachable",
			func() (context.Context, context.CancelFunc) { return context.WithCancel(context.Background()) },
			time.Millisecond, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := newProbe()
			m := newTestMonitor(t, MonitorOptions{Probe: p.Probe, Now: newClock().Now, Timeout: tt.timeout, Every: never})
			ctx, cancel := tt.caller()
			got := make(chan bool, 1)
			go func() { got <- m.Check(ctx) }()
			call := p.next(t)
			cancel()
			if wait(t, got) {
				t.Error("Check = true for a caller that gave up before any answer")
			}
			if m.Online() {
				t.Error("Online = true before the probe finished")
			}
			if tt.answer != nil {
				call.answer <- *tt.answer
			}
			if got := m.Check(context.Background()); got != tt.want {
				t.Errorf("Check after the probe = %v, want %v", got, tt.want)
			}
			if got := m.Online(); got != tt.want {
				t.Errorf("Online after the probe = %v, want %v", got, tt.want)
			}
			if n := p.n.Load(); n != 1 {
				t.Errorf("%d probes, want 1: the caller's give-up must not cost a probe", n)
			}
		})
	}
}

// TestMonitorCheck: the sign-in decision takes a fresh answer as it is and
// waits for a probe otherwise.
func TestMonitorCheck(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		prior     *bool         // answer held before Check; nil: none
		age       time.Duration // how old it is when Check runs
		answer    *bool         // what the probe Check waits for answers; nil: no probe expected
		want      bool
		wantCalls int32
	}{
		{"a fresh online answer is used without a probe", ptr(true), 0, nil, true, 1},
		{"a fresh offline answer is used without a probe", ptr(false), DefaultFreshFor / 2, nil, false, 1},
		{"a stale offline answer is not trusted for sign-in", ptr(false), DefaultFreshFor, ptr(true), true, 2},
		{"a stale online answer is not trusted for sign-in", ptr(true), DefaultFreshFor, ptr(false), false, 2},
		{"with no answer yet Check waits for one", nil, 0, ptr(true), true, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, clk := newProbe(), newClock()
			m := newTestMonitor(t, MonitorOptions{Probe: p.Probe, Now: clk.Now, Timeout: never, Every: never})
			if tt.prior != nil {
				settle(t, m, p, *tt.prior)
			}
			clk.Advance(tt.age)
			got := make(chan bool, 1)
			go func() { got <- m.Check(context.Background()) }()
			if tt.answer != nil {
				p.next(t).answer <- *tt.answer
			}
			if g := wait(t, got); g != tt.want {
				t.Errorf("Check = %v, want %v", g, tt.want)
			}
			if n := p.n.Load(); n != tt.wantCalls {
				t.Errorf("%d probes, want %d", n, tt.wantCalls)
			}
		})
	}
	t.Run("Check joins the probe a read started", func(t *testing.T) {
		t.Parallel()
		p := newProbe()
		m := newTestMonitor(t, MonitorOptions{Probe: p.Probe, Now: newClock().Now, Timeout: never, Every: never})
		if m.Online() {
			t.Fatal("Online = true before any probe")
		}
		call := p.next(t)
		got := make(chan bool, 1)
		go func() { got <- m.Check(context.Background()) }()
		call.answer <- true
		if !wait(t, got) {
			t.Error("Check = false, want the joined probe's true")
		}
		if n := p.n.Load(); n != 1 {
			t.Errorf("%d probes, want 1", n)
		}
	})
}

// TestMonitorOnChange: the state is pushed after the first probe and at each
// change, never for an answer equal to the last one pushed.
func TestMonitorOnChange(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		answers []bool
		want    []bool
	}{
		{"the first answer is pushed even when offline", []bool{false}, []bool{false}},
		{"a repeated answer is pushed once", []bool{true, true, true}, []bool{true}},
		{"each flip is pushed", []bool{true, false, true}, []bool{true, false, true}},
		{"only transitions are pushed", []bool{true, true, false, false, true}, []bool{true, false, true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, clk := newProbe(), newClock()
			changes := make(chan bool, len(tt.answers))
			var m *Monitor
			m = newTestMonitor(t, MonitorOptions{Probe: p.Probe, Now: clk.Now, Timeout: never, Every: never,
				OnChange: func(online bool) {
					m.Online() // would deadlock if OnChange ran under the monitor's lock
					changes <- online
				}})
			m.Start(context.Background())
			var got []bool
			for i, a := range tt.answers {
				if i == 0 {
					p.next(t).answer <- a // Start probes at once
				} else {
					clk.Advance(DefaultFreshFor)
					settle(t, m, p, a)
				}
				if i == 0 || a != tt.answers[i-1] {
					got = append(got, wait(t, changes))
				}
			}
			m.Close() // waits for the notifier: nothing more can arrive
			close(changes)
			for c := range changes {
				got = append(got, c)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("OnChange got %v, want %v", got, tt.want)
			}
		})
	}
}

// TestMonitorForceOffline: --offline means no contact with the login server.
func TestMonitorForceOffline(t *testing.T) {
	t.Parallel()
	var calls, changes atomic.Int32
	m := newTestMonitor(t, MonitorOptions{
		Probe:        func(context.Context) bool { calls.Add(1); return true },
		Now:          newClock().Now,
		ForceOffline: true,
		OnChange:     func(bool) { changes.Add(1) },
	})
	m.Start(context.Background())
	u := user.NewService()
	u.SignIn(user.Profile{Username: "op"}, user.Offline)
	tests := []struct {
		name string
		read func() bool
	}{
		{"Online is false", m.Online},
		{"Check is false", func() bool { return m.Check(context.Background()) }},
		{"States reports Offline", func() bool {
			return !slices.Equal(m.States(u), []string{Offline, OfflineAuthenticated})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.read() {
				t.Error("the monitor reported online while offline is forced")
			}
		})
	}
	m.Close()
	if n := calls.Load(); n != 0 {
		t.Errorf("%d probes, want none", n)
	}
	if n := changes.Load(); n != 0 {
		t.Errorf("%d OnChange calls, want none", n)
	}
}

// TestMonitorLifecycle: Close ends what runs, and nothing starts afterwards.
func TestMonitorLifecycle(t *testing.T) {
	t.Parallel()
	t.Run("Close cancels a stuck probe and waits for it", func(t *testing.T) {
		t.Parallel()
		p := newProbe()
		m := newTestMonitor(t, MonitorOptions{Probe: p.Probe, Now: newClock().Now, Timeout: never, Every: never})
		m.Start(context.Background())
		call := p.next(t)
		m.Close()
		if call.ctx.Err() == nil {
			t.Error("the probe's context is still live after Close")
		}
		if m.Online() || m.Check(context.Background()) {
			t.Error("a probe cancelled by Close was recorded as online")
		}
		if n := p.n.Load(); n != 1 {
			t.Errorf("%d probes, want 1: reads after Close must not probe", n)
		}
	})
	t.Run("a fresh answer outlives Close", func(t *testing.T) {
		t.Parallel()
		p := newProbe()
		m := newTestMonitor(t, MonitorOptions{Probe: p.Probe, Now: newClock().Now, Timeout: never, Every: never})
		settle(t, m, p, true)
		m.Close()
		if !m.Online() || !m.Check(context.Background()) {
			t.Error("the last answer was lost at Close")
		}
	})
	t.Run("the background probes run every period", func(t *testing.T) {
		t.Parallel()
		p := newProbe()
		m := newTestMonitor(t, MonitorOptions{Probe: p.Probe, Now: newClock().Now, Timeout: never, Every: time.Millisecond})
		m.Start(context.Background())
		for range 3 {
			p.next(t).answer <- true
		}
	})
}

// TestMonitorForget: an answer about the previous login server is not used
// for the new one.
func TestMonitorForget(t *testing.T) {
	t.Parallel()
	t.Run("a held answer is dropped", func(t *testing.T) {
		t.Parallel()
		p := newProbe()
		m := newTestMonitor(t, MonitorOptions{Probe: p.Probe, Now: newClock().Now, Timeout: never, Every: never})
		settle(t, m, p, false)
		m.Forget()
		got := make(chan bool, 1)
		go func() { got <- m.Check(context.Background()) }()
		p.next(t).answer <- true
		if !wait(t, got) {
			t.Error("Check = false: the old server's answer was used")
		}
	})
	t.Run("a probe of the old server is cancelled and not recorded", func(t *testing.T) {
		t.Parallel()
		p := newProbe()
		m := newTestMonitor(t, MonitorOptions{Probe: p.Probe, Now: newClock().Now, Timeout: never, Every: never})
		m.Online()
		old := p.next(t)
		m.Forget()
		if old.ctx.Err() == nil {
			t.Error("the old server's probe is still running")
		}
		old.answer <- true // too late: it must not count for the new server
		got := make(chan bool, 1)
		go func() { got <- m.Check(context.Background()) }()
		p.next(t).answer <- false
		if wait(t, got) || m.Online() {
			t.Error("the old server's answer was recorded for the new one")
		}
	})
}

func ptr[T any](v T) *T { return &v }

// An answer about the old login server is not an answer about a new one:
// a sign-in right after login_url changed waits for a probe of the new
// server, and a read starts one.
func TestMonitorTargetChange(t *testing.T) {
	t.Parallel()
	var target atomic.Value
	target.Store("https://old.example.com")
	p := newProbe()
	m := newTestMonitor(t, MonitorOptions{Probe: p.Probe, Now: newClock().Now, Timeout: never, Every: never,
		Target: func() string { return target.Load().(string) }})
	settle(t, m, p, false)
	if got := m.Check(context.Background()); got {
		t.Fatal("Check = true, want the old server's fresh false")
	}
	target.Store("http://127.0.0.1:8080")
	got := make(chan bool, 1)
	go func() { got <- m.Check(context.Background()) }()
	p.next(t).answer <- true
	if !wait(t, got) {
		t.Error("Check after the change = false, want the new server's true")
	}
	if n := p.n.Load(); n != 2 {
		t.Errorf("%d probes, want 2: one per server", n)
	}
}
