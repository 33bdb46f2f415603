//go:build unix

package serve_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"loginshell/internal/gateway"
	"loginshell/internal/serve"
	"loginshell/internal/shell/shelltest"
	"loginshell/internal/webapps"
)

// clients is how many connections load the server at once: a busy
// station's pages and scripts, and then some.
const clients = 64

// BenchmarkUserEndpoint is GET /pmapi/user under 64 keep-alive clients,
// against its floor: a plain net/http server on loopback answering the
// very same bytes. Both servers run in this process for the whole
// benchmark and take turns: each iteration loads one for a slice of
// time, then the other (floor first on even iterations, the shell first
// on odd ones), so a machine shared with other work lends both the same
// share of its cores: its noise lands on both sides of each pair instead
// of on whichever ran in a busy second. Run it as -benchtime=Nx (N
// pairs of slices). It reports, for each side ("floor-" for the floor),
// requests per second, the p50 and p99 of a request's time at the client,
// and the process's CPU time per request (clients and server share the
// process, so the difference is the server's); `make bench` reads them.
// What the shell adds is the routing by Host, the page origin's guard
// (Host, Origin, Sec-Fetch-Site, the package's label), the service mux and
// the JSON.
func BenchmarkUserEndpoint(b *testing.B) {
	sh := shelltest.New(b, shelltest.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ln, err := serve.Listen("127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	banner := make(chan string, 1)
	done := make(chan error, 1)
	// Each server's goroutines carry a profile label, side=shell or
	// side=floor, so that a -cpuprofile of this benchmark tells the two
	// servers' CPU apart from the clients' (pprof -tags, -tagfocus).
	go pprof.Do(ctx, pprof.Labels("side", "shell"), func(context.Context) {
		done <- serve.Run(ctx, ln, sh.Shell, nil, func(l string) { banner <- l })
	})
	<-banner
	defer func() { cancel(); <-done }()
	addr := strings.TrimSuffix(strings.TrimPrefix(ln.URL(), "http://"), "/")
	host := webapps.PackageLabel("lineapp") + "." + strings.TrimPrefix(ln.PagesOrigin(), "http://")
	body, header := fetch(b, newClient(), "http://"+addr+"/pmapi/user", host)

	// The floor answers the same bytes, headers and all (the security
	// headers cost what they cost on the wire whoever sends them), to the
	// same request, Host included: what differs is what the shell does.
	floorLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	floor := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		for _, k := range []string{"Content-Type", "Cache-Control", "Content-Security-Policy"} {
			h[k] = header[k]
		}
		w.Write(body)
	}), ReadHeaderTimeout: 10 * time.Second}
	go pprof.Do(ctx, pprof.Labels("side", "floor"), func(context.Context) { floor.Serve(floorLn) })
	defer floor.Close()

	sides := []*loadSide{
		newLoadSide(b, "floor", "http://"+floorLn.Addr().String()+"/pmapi/user", host),
		newLoadSide(b, "shell", "http://"+addr+"/pmapi/user", host),
	}
	for _, s := range sides {
		defer s.client.CloseIdleConnections()
		s.slice(b, 50*time.Millisecond) // warm: connections, buffers, the JSON cache
		*s = loadSide{name: s.name, client: s.client, req: s.req}
	}
	b.ResetTimer()
	ratios := make([]float64, b.N) // each pair's throughput, the shell's over the floor's
	for i := range b.N {
		var rate [2]float64
		for j := range sides {
			k := (i + j) % 2
			rate[k] = sides[k].slice(b, loadSlice)
		}
		ratios[i] = rate[1] / rate[0]
	}
	b.StopTimer()
	sides[0].report(b, "floor-")
	sides[1].report(b, "")
	slices.Sort(ratios)
	b.ReportMetric(ratios[len(ratios)/2], "pair-ratio-req/s")
}

// loadSlice is how long one side is loaded at a turn: long enough for
// thousands of requests, short enough that the machine's load changes
// little between the two turns of a pair.
const loadSlice = 250 * time.Millisecond

func newClient() *http.Client {
	return &http.Client{Transport: &http.Transport{MaxIdleConns: clients, MaxIdleConnsPerHost: clients}}
}

// loadSide is one server under load, what its turns measured added up.
type loadSide struct {
	name   string // the side's profile label: client=floor or client=shell
	client *http.Client
	req    *http.Request
	n      int
	wall   time.Duration
	cpu    time.Duration
	times  []time.Duration
}

func newLoadSide(b *testing.B, name, url, host string) *loadSide {
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Host = host
	return &loadSide{name: name, client: newClient(), req: req}
}

// slice loads the side from 64 goroutines for d, adds up the requests,
// the wall and CPU time and each request's time, and returns this
// slice's requests per second; any answer but 200 fails.
func (s *loadSide) slice(b *testing.B, d time.Duration) float64 {
	var failed atomic.Int64
	var mu sync.Mutex
	var wg sync.WaitGroup
	cpu := cpuTime()
	start := time.Now()
	deadline := start.Add(d)
	// The clients carry a profile label too (client=floor, client=shell):
	// their CPU per request should be the same on both sides, and a
	// profile shows whether it is.
	labels := pprof.WithLabels(context.Background(), pprof.Labels("client", s.name))
	for range clients {
		wg.Go(func() {
			pprof.SetGoroutineLabels(labels)
			req := s.req.Clone(context.Background()) // a request of its own per client
			var mine []time.Duration
			for t := time.Now(); t.Before(deadline); t = time.Now() {
				resp, err := s.client.Do(req)
				if err != nil {
					failed.Add(1)
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				mine = append(mine, time.Since(t))
				if resp.StatusCode != http.StatusOK {
					failed.Add(1)
				}
			}
			mu.Lock()
			s.times = append(s.times, mine...)
			mu.Unlock()
		})
	}
	wg.Wait()
	wall := time.Since(start)
	s.wall += wall
	s.cpu += cpuTime() - cpu
	before := s.n
	s.n = len(s.times)
	if n := failed.Load(); n > 0 {
		b.Fatalf("%d of %d requests to %s failed", n, s.n, s.req.URL)
	}
	return float64(s.n-before) / wall.Seconds()
}

// report reports the side's figures, their names prefixed.
func (s *loadSide) report(b *testing.B, prefix string) {
	if s.n == 0 {
		b.Fatal("no request answered")
	}
	b.ReportMetric(float64(s.n)/s.wall.Seconds(), prefix+"req/s")
	b.ReportMetric(float64(s.cpu.Microseconds())/float64(s.n), prefix+"cpu-us/req")
	slices.Sort(s.times)
	b.ReportMetric(float64(s.times[s.n/2].Microseconds())/1000, prefix+"p50-ms")
	b.ReportMetric(float64(s.times[s.n*99/100].Microseconds())/1000, prefix+"p99-ms")
}

// cpuTime is the CPU time this process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func fetch(b *testing.B, c *http.Client, url, host string) ([]byte, http.Header) {
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if host != "" {
		req.Host = host
	}
	resp, err := c.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		b.Fatalf("GET %s (Host %s) = %d %s, %v", url, host, resp.StatusCode, body, err)
	}
	return body, resp.Header
}

// BenchmarkUserHandler is the server's own part of BenchmarkUserEndpoint,
// without sockets or clients: the handler a request reaches once net/http
// has read it — the shell's (Host routing, the pages' guard, the service
// mux, the answer) against the floor's, which writes the same bytes.
// Both write to a ResponseWriter that keeps nothing, so ns/op and
// allocs/op are what the shell adds to a request, on one core.
func BenchmarkUserHandler(b *testing.B) {
	sh := shelltest.New(b, shelltest.Options{})
	_, pages, err := gateway.ForBrowser(sh.Shell, nil, "p0123.localhost:8080", []string{"http://127.0.0.1:8080"})
	if err != nil {
		b.Fatal(err)
	}
	shell := gateway.WithBodyDeadline(pages, gateway.BodyTimeout)
	req := httptest.NewRequest(http.MethodGet, "/pmapi/user", nil)
	req.Host = webapps.PackageLabel("lineapp") + ".p0123.localhost:8080"
	rec := httptest.NewRecorder()
	shell.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		b.Fatalf("GET /pmapi/user = %d %s", rec.Code, rec.Body)
	}
	body, header := rec.Body.Bytes(), rec.Result().Header
	floor := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		for _, k := range []string{"Content-Type", "Cache-Control", "Content-Security-Policy"} {
			h[k] = header[k]
		}
		w.Write(body)
	})
	for _, h := range []struct {
		name    string
		handler http.Handler
	}{{"floor=net/http", floor}, {"loginshell=GET /pmapi/user", shell}} {
		b.Run(h.name, func(b *testing.B) {
			b.ReportAllocs()
			var w discard
			for b.Loop() {
				w.header = http.Header{}
				h.handler.ServeHTTP(&w, req)
			}
		})
	}
}

// discard is a ResponseWriter that keeps the headers only.
type discard struct{ header http.Header }

func (d *discard) Header() http.Header         { return d.header }
func (d *discard) Write(b []byte) (int, error) { return len(b), nil }
func (d *discard) WriteHeader(int)             {}
