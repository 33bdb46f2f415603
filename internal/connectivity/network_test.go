package connectivity_test

// The monitor over a real login server: the demo OpenID provider on
// loopback answering, stopped, slow, hanging, and a network that is down.
// The last is a dialer that fails as an unplugged cable does; no test
// traffic leaves loopback.

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"loginshell/internal/connectivity"
	"loginshell/internal/demoidp"
	"loginshell/internal/online"
	"loginshell/internal/user"
)

var t0 = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

// probe is the real connectivity check against issuer: online.Client's
// Reachable, which the shell's adapter calls.
func probe(t testing.TB, issuer string, client *http.Client) func(context.Context) bool {
	t.Helper()
	c, err := online.New(online.Config{Issuer: issuer, ClientID: "loginshell", HTTPClient: client,
		Now: time.Now, Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	return c.Reachable
}

func monitor(t testing.TB, opts connectivity.MonitorOptions) *connectivity.Monitor {
	t.Helper()
	m, err := connectivity.NewMonitor(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Close)
	return m
}

// hangingServer accepts connections and never answers, like a login server
// whose process is wedged; it returns the issuer URL.
func hangingServer(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return "http://" + ln.Addr().String()
}

func TestMonitorAgainstALoginServer(t *testing.T) {
	t.Parallel()
	idp, err := demoidp.Start(demoidp.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer idp.Close()
	stopped, err := demoidp.Start(demoidp.Options{})
	if err != nil {
		t.Fatal(err)
	}
	stoppedURL := stopped.Issuer()
	stopped.Close()

	plain := &http.Client{Timeout: 5 * time.Second}
	unplugged := &http.Client{Transport: &http.Transport{
		DialContext: func(context.Context, string, string) (net.Conn, error) {
			return nil, &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ENETUNREACH}
		},
	}}
	tests := []struct {
		name     string
		loginURL string
		client   *http.Client
		forced   bool
		signIn   user.Method
		want     []string
	}{
		{"the login server answers", idp.Issuer(), plain, false, "", []string{connectivity.Internet, connectivity.Online}},
		{"signed in while the login server answers", idp.Issuer(), plain, false, user.Online,
			[]string{connectivity.Internet, connectivity.Online, connectivity.Authenticated}},
		{"the login server is stopped", stoppedURL, plain, false, "", []string{connectivity.Offline}},
		{"the network is down", idp.Issuer(), unplugged, false, user.Offline,
			[]string{connectivity.Offline, connectivity.OfflineAuthenticated}},
		{"offline is forced while the server answers", idp.Issuer(), plain, true, "", []string{connectivity.Offline}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { // not parallel: the deferred Close would run first
			// A fixed clock keeps the answer Check waited for fresh for
			// States, which reads it without probing.
			m := monitor(t, connectivity.MonitorOptions{Probe: probe(t, tt.loginURL, tt.client),
				Now: func() time.Time { return t0 }, ForceOffline: tt.forced})
			u := user.NewService()
			if tt.signIn != "" {
				u.SignIn(user.Profile{Username: "op"}, tt.signIn)
			}
			m.Check(context.Background())
			if got := m.States(u); !slices.Equal(got, tt.want) {
				t.Errorf("States = %v, want %v", got, tt.want)
			}
		})
	}
	if !errors.Is(&net.OpError{Err: syscall.ENETUNREACH}, syscall.ENETUNREACH) {
		t.Fatal("the unplugged dialer does not fail as a down network does")
	}
}

// TestMonitorSlowLoginServer is the measured bug: a discovery document that
// takes longer than a caller is willing to wait (the status bar gave 300 ms,
// the server took 500 ms) must not make the shell decide the server is
// unreachable.
func TestMonitorSlowLoginServer(t *testing.T) {
	t.Parallel()
	arrived, release := make(chan struct{}, 1), make(chan struct{})
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		arrived <- struct{}{}
		<-release
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{}`))
	}))
	defer srv.Close()
	m := monitor(t, connectivity.MonitorOptions{Probe: probe(t, srv.URL, srv.Client()),
		Now: func() time.Time { return t0 }, Timeout: time.Minute})

	impatient, cancel := context.WithCancel(context.Background())
	got := make(chan bool, 1)
	go func() { got <- m.Check(impatient) }()
	<-arrived
	cancel()
	if <-got {
		t.Error("Check = true for a caller that gave up before the server answered")
	}
	close(release)
	if !m.Check(context.Background()) {
		t.Error("Check = false: the impatient caller's give-up was recorded as unreachable")
	}
	if !m.Online() {
		t.Error("Online = false after the server answered")
	}
	if n := requests.Load(); n != 1 {
		t.Errorf("%d discovery requests, want 1", n)
	}
}

// TestMonitorHangingLoginServer: while a probe of a server that accepts and
// never answers is in flight, none of 16 concurrent reads waits for it; once
// the monitor's own timeout has passed the server counts as unreachable.
func TestMonitorHangingLoginServer(t *testing.T) {
	t.Parallel()
	const readers = 16
	t.Run("reads return while the probe is stuck", func(t *testing.T) {
		t.Parallel()
		reachable := probe(t, hangingServer(t), &http.Client{})
		started := make(chan struct{})
		var returned atomic.Bool
		m := monitor(t, connectivity.MonitorOptions{Now: func() time.Time { return t0 }, Timeout: time.Hour,
			Probe: func(ctx context.Context) bool {
				close(started) // a second probe would panic here: single flight
				defer returned.Store(true)
				return reachable(ctx)
			}})
		m.Start(context.Background())
		<-started
		var wg sync.WaitGroup
		for range readers {
			wg.Go(func() {
				if got := m.States(nil); !slices.Equal(got, []string{connectivity.Offline}) {
					t.Errorf("States = %v before any answer, want Offline", got)
				}
			})
		}
		wg.Wait()
		if returned.Load() {
			t.Error("the probe returned before the reads did; the test proves nothing")
		}
		m.Close()
		if !returned.Load() {
			t.Error("Close returned before the stuck probe did")
		}
	})
	t.Run("the monitor's timeout makes the server unreachable", func(t *testing.T) {
		t.Parallel()
		m := monitor(t, connectivity.MonitorOptions{Probe: probe(t, hangingServer(t), &http.Client{}),
			Now: func() time.Time { return t0 }, Timeout: 50 * time.Millisecond})
		if m.Check(context.Background()) {
			t.Error("Check = true for a server that never answers")
		}
		if m.Online() {
			t.Error("Online = true for a server that never answers")
		}
	})
}

// BenchmarkConnectivityReadsWhileServerHangs: 16 readers (the status bar and
// pages polling /pmapi/connectivity) while the login server accepts and
// never answers. Reads answer from the last finished probe, so ns/op is that
// of the monitor's mutex under contention, not of the 2 s probe timeout that
// each read used to wait for; probes is how many discovery requests were
// made meanwhile (single flight: one per Timeout at most).
//
// The slowest single read is not reported: on a small machine it measures
// the scheduler (16 goroutines on 2 CPUs), not the monitor; a probe that
// answers at once shows the same tail.
func BenchmarkConnectivityReadsWhileServerHangs(b *testing.B) {
	const readers = 16
	reads := []struct {
		name string
		read func(m *connectivity.Monitor)
	}{
		{"Online", func(m *connectivity.Monitor) { m.Online() }},
		{"States", func(m *connectivity.Monitor) { m.States(nil) }},
	}
	for _, r := range reads {
		b.Run(r.name, func(b *testing.B) {
			reachable := probe(b, hangingServer(b), &http.Client{})
			var probes atomic.Int64
			m := monitor(b, connectivity.MonitorOptions{Now: time.Now, Probe: func(ctx context.Context) bool {
				probes.Add(1)
				return reachable(ctx)
			}})
			m.Start(context.Background())
			var wg sync.WaitGroup
			b.ResetTimer()
			for w := range readers {
				n := b.N / readers
				if w < b.N%readers {
					n++
				}
				wg.Go(func() {
					for range n {
						r.read(m)
					}
				})
			}
			wg.Wait()
			b.StopTimer()
			b.ReportMetric(float64(probes.Load()), "probes")
		})
	}
}
