//go:build unix

package serve_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
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
// very same bytes (sub-benchmark "floor"). Both report req/s, the p50 and
// p99 of a request's time at the client, and the process's CPU time per
// request (clients and server share the process, so the difference is
// the server's); `make bench` interleaves them and reports the ratios.
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
	go func() { done <- serve.Run(ctx, ln, sh.Shell, nil, func(l string) { banner <- l }) }()
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
	go floor.Serve(floorLn)
	defer floor.Close()

	b.Run("floor=net/http", func(b *testing.B) { load(b, "http://"+floorLn.Addr().String()+"/pmapi/user", host) })
	b.Run("loginshell=GET /pmapi/user", func(b *testing.B) { load(b, "http://"+addr+"/pmapi/user", host) })
}

func newClient() *http.Client {
	return &http.Client{Transport: &http.Transport{MaxIdleConns: clients, MaxIdleConnsPerHost: clients}}
}

// load sends b.N GETs from 64 goroutines and reports requests per second,
// the p50 and p99 of a request's time, and the CPU time per request; any
// answer but 200 fails.
func load(b *testing.B, url, host string) {
	c := newClient()
	defer c.CloseIdleConnections()
	fetch(b, c, url, host) // a warm connection
	var failed atomic.Int64
	var mu sync.Mutex
	var times []time.Duration
	b.SetParallelism((clients + 1) / 2) // × GOMAXPROCS goroutines; 64 on two cores
	cpu := cpuTime()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		if host != "" {
			req.Host = host
		}
		var mine []time.Duration
		for pb.Next() {
			t := time.Now()
			resp, err := c.Do(req)
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
		times = append(times, mine...)
		mu.Unlock()
	})
	elapsed, used := time.Since(start), cpuTime()-cpu
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "req/s")
	b.ReportMetric(float64(used.Microseconds())/float64(b.N), "cpu-us/req")
	if len(times) > 0 {
		slices.Sort(times)
		b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(times[len(times)*99/100].Microseconds())/1000, "p99-ms")
	}
	if n := failed.Load(); n > 0 {
		b.Fatalf("%d of %d requests failed", n, b.N)
	}
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
