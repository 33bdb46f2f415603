package connectivity

import (
	"context"
	"errors"
	"sync"
	"time"

	"loginshell/internal/user"
)

// Defaults applied by NewMonitor to zero MonitorOptions fields.
const (
	// DefaultTimeout bounds one probe: a login server whose discovery
	// document takes longer than this to answer counts as unreachable.
	DefaultTimeout = 2 * time.Second
	// DefaultEvery is the background refresh period: often enough that the
	// status bar follows a cable being pulled, rare enough not to load the
	// login server.
	DefaultEvery = 10 * time.Second
	// DefaultFreshFor is how long a finished result answers reads without
	// a new probe being started, so a page polling /pmapi/connectivity does
	// not turn into one probe per request.
	DefaultFreshFor = time.Second
)

// MonitorOptions configures a Monitor. Probe and Now are required.
type MonitorOptions struct {
	// Probe reports whether the login server answers (online.Client's
	// Reachable, through the shell's adapter). It is called with a context
	// that ends after Timeout or at Close and MUST return soon after that
	// context ends: the monitor starts no other probe while one runs.
	Probe func(ctx context.Context) bool
	// Timeout bounds one probe; zero means DefaultTimeout. It belongs to
	// the monitor, not to a caller: a caller that stops waiting earlier
	// does not cut the probe short.
	Timeout time.Duration
	// Every is the period of the background probes Start runs; zero means
	// DefaultEvery.
	Every time.Duration
	// FreshFor is how old a finished result may be before a read starts a
	// probe in the background (Online) or waits for one (Check); zero means
	// DefaultFreshFor.
	FreshFor time.Duration
	// Now is the clock that ages results. Required.
	Now func() time.Time
	// ForceOffline (--offline) makes the monitor report offline and never
	// probe: the person asked for no contact with the login server.
	ForceOffline bool
	// OnChange, if set, receives the reachable state after the first probe
	// and then at each change, so the status bar is pushed the state rather
	// than asking for it. It is called from the monitor's own goroutine
	// (started by Start), one call at a time, never under the monitor's
	// lock, so it may call back into the monitor. When the state flips
	// faster than OnChange returns, the flips in between are skipped: the
	// last call always carries the latest state. With ForceOffline it is
	// never called.
	OnChange func(online bool)
	// Target, if set, names what Probe reaches (the login_url setting).
	// Every read compares it with the target of the answer it holds: an
	// answer about another server is dropped (as Forget does), so a login
	// server set a moment ago is probed, not judged by the old one's
	// answer. It must answer at once.
	Target func() string
}

// Monitor knows whether the login server is reachable without making its
// readers wait on the network: probes run on the monitor's goroutines, one
// at a time, each bounded by the monitor's Timeout, and only a finished
// probe's answer is kept. Readers take the last finished answer (Online) or
// wait for a fresh one with their own deadline (Check); neither holds the
// monitor's lock while a probe runs.
//
// A Monitor is complete when NewMonitor returns and safe for concurrent
// use. Start runs the background probes; Close stops every probe and waits
// for the monitor's goroutines to end.
type Monitor struct {
	opts MonitorOptions
	// base is the parent of every probe's context; Close cancels it.
	base   context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	// changed wakes the notifier; buffered 1, so a pending wake-up stands
	// for any number of results.
	changed chan struct{}

	mu      sync.Mutex
	have    bool      // a probe has finished since NewMonitor or Forget
	ok      bool      // its answer
	at      time.Time // when it finished, by opts.Now
	flight  *flight   // the probe running now, nil if none
	gen     uint64    // bumped by Forget; older flights are not recorded
	target  string    // Target() when the answer held (or the probe in flight) was asked for
	started bool
	closed  bool
}

// flight is one probe. done is closed once ok is set.
type flight struct {
	done   chan struct{}
	ok     bool
	gen    uint64
	cancel context.CancelFunc
}

// NewMonitor validates opts and applies defaults. It starts nothing: no
// probe is made until Start or a read.
func NewMonitor(opts MonitorOptions) (*Monitor, error) {
	switch {
	case opts.Probe == nil:
		return nil, errors.New("connectivity: a probe is required")
	case opts.Now == nil:
		return nil, errors.New("connectivity: a clock is required")
	case opts.Timeout < 0 || opts.Every < 0 || opts.FreshFor < 0:
		return nil, errors.New("connectivity: timeout, period and freshness must not be negative")
	}
	if opts.Timeout == 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.Every == 0 {
		opts.Every = DefaultEvery
	}
	if opts.FreshFor == 0 {
		opts.FreshFor = DefaultFreshFor
	}
	base, cancel := context.WithCancel(context.Background())
	return &Monitor{opts: opts, base: base, cancel: cancel, changed: make(chan struct{}, 1)}, nil
}

// Start probes at once and then every Every until ctx ends or Close, and
// delivers OnChange until Close (answers of probes made by reads before
// Start are delivered too). Calls after the first, or after Close, do
// nothing. With ForceOffline nothing is started.
func (m *Monitor) Start(ctx context.Context) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.started || m.closed || m.opts.ForceOffline {
		return
	}
	m.started = true
	m.wg.Add(1)
	go m.loop(ctx)
	if m.opts.OnChange != nil {
		m.wg.Add(1)
		go m.notify()
	}
}

// Close stops the background probes, cancels a probe in flight (its answer
// is not kept) and waits for the monitor's goroutines, OnChange included,
// to return: an OnChange that never returns blocks Close. Reads still answer afterwards, from what was known, and
// start no probe.
func (m *Monitor) Close() {
	m.mu.Lock()
	m.closed = true
	m.mu.Unlock()
	m.cancel()
	m.wg.Wait()
}

// Online reports whether the last finished probe reached the login server;
// false before the first one has finished, and always false with
// ForceOffline. It never waits on the network, so the status bar and
// /pmapi/connectivity may call it as often as they like. When the answer is
// older than FreshFor it starts one probe in the background (unless one is
// running already), whose answer the next read gets.
func (m *Monitor) Online() bool {
	if m.opts.ForceOffline {
		return false
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.retargetLocked()
	if !m.freshLocked() {
		m.kickLocked()
	}
	return m.have && m.ok
}

// Check reports whether the login server is reachable now, for the
// sign-in decision: a person must not be sent to offline sign-in on a stale
// or missing answer. A finished answer younger than FreshFor is returned at
// once; otherwise Check joins the probe in flight or starts one and waits
// for its answer, at most until ctx ends or Timeout has passed. When ctx
// ends first Check returns false, but the probe goes on to its own timeout
// and its answer is kept: a caller giving up early never records the server
// as unreachable. Check is false with ForceOffline, and false after Close
// once the last answer is stale.
func (m *Monitor) Check(ctx context.Context) bool {
	if m.opts.ForceOffline {
		return false
	}
	m.mu.Lock()
	m.retargetLocked()
	if m.freshLocked() {
		ok := m.ok
		m.mu.Unlock()
		return ok
	}
	f := m.kickLocked()
	m.mu.Unlock()
	if f == nil {
		return false
	}
	// The probe's own context ends at Timeout; this bound is for a probe
	// that does not honour it.
	ctx, cancel := context.WithTimeout(ctx, m.opts.Timeout)
	defer cancel()
	select {
	case <-f.done:
		return f.ok
	case <-ctx.Done():
		return false
	}
}

// Forget drops the last answer and cancels a probe in flight, because the
// login server changed (the login_url setting): what was known is about
// another server. Reads answer false until a probe of the new server has
// finished; the next read starts it. OnChange is not called for the drop,
// only when that probe's answer differs from the last one delivered.
func (m *Monitor) Forget() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.forgetLocked()
}

// retargetLocked forgets an answer about another target than Target's.
func (m *Monitor) retargetLocked() {
	if m.opts.Target == nil {
		return
	}
	if t := m.opts.Target(); t != m.target {
		m.forgetLocked()
		m.target = t
	}
}

func (m *Monitor) forgetLocked() {
	m.gen++
	m.have, m.ok, m.at = false, false, time.Time{}
	if m.flight != nil {
		// The cancelled probe may still be returning while the next one
		// starts; its answer is discarded by its generation.
		m.flight.cancel()
		m.flight = nil
	}
}

// States returns the /pmapi/connectivity report from the last finished
// probe and the signed-in user, without waiting on the network (see
// Online).
func (m *Monitor) States(users *user.Service) []string { return States(m.Online(), users) }

// freshLocked reports whether a finished answer is younger than FreshFor.
// An answer stamped in the future (the clock stepped back) counts as stale.
func (m *Monitor) freshLocked() bool {
	if !m.have {
		return false
	}
	age := m.opts.Now().Sub(m.at)
	return age >= 0 && age < m.opts.FreshFor
}

// kickLocked returns the probe in flight, starting one if none runs; nil
// after Close.
func (m *Monitor) kickLocked() *flight {
	if m.flight != nil {
		return m.flight
	}
	if m.closed {
		return nil
	}
	if m.opts.Target != nil {
		m.target = m.opts.Target() // what this probe and its answer are about
	}
	ctx, cancel := context.WithTimeout(m.base, m.opts.Timeout)
	f := &flight{done: make(chan struct{}), gen: m.gen, cancel: cancel}
	m.flight = f
	m.wg.Add(1)
	go m.run(ctx, f)
	return f
}

// kick starts a probe unless one is running.
func (m *Monitor) kick() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.kickLocked()
}

// run makes one probe and records its answer, unless Close or Forget made
// the answer meaningless meanwhile.
func (m *Monitor) run(ctx context.Context, f *flight) {
	defer m.wg.Done()
	ok := m.opts.Probe(ctx)
	f.cancel()
	m.mu.Lock()
	f.ok = ok
	current := f.gen == m.gen && !m.closed
	if current {
		m.have, m.ok, m.at = true, ok, m.opts.Now()
	}
	if m.flight == f {
		m.flight = nil
	}
	m.mu.Unlock()
	close(f.done)
	if current {
		select {
		case m.changed <- struct{}{}:
		default: // a wake-up is pending; the notifier reads the latest state
		}
	}
}

// loop runs the background probes.
func (m *Monitor) loop(ctx context.Context) {
	defer m.wg.Done()
	t := time.NewTicker(m.opts.Every)
	defer t.Stop()
	for {
		m.kick()
		select {
		case <-t.C:
		case <-ctx.Done():
			return
		case <-m.base.Done():
			return
		}
	}
}

// notify delivers OnChange: the latest state, when it differs from the last
// one delivered.
func (m *Monitor) notify() {
	defer m.wg.Done()
	delivered, last := false, false
	for {
		select {
		case <-m.changed:
		case <-m.base.Done():
			return
		}
		m.mu.Lock()
		have, ok := m.have, m.ok
		m.mu.Unlock()
		if !have || (delivered && ok == last) {
			continue
		}
		delivered, last = true, ok
		m.opts.OnChange(ok)
	}
}
