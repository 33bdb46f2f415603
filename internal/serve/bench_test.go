package serve_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"loginshell/internal/serve"
	"loginshell/internal/shell/shelltest"
	"loginshell/internal/webapps"
)

// clients is how many connections load the server at once: a busy
// station's pages and scripts, and then some.
const clients = 64

// BenchmarkUserEndpoint is GET /pmapi/user under 64 keep-alive clients,
// against its floor: a plain net/http server on loopback answering the
// very same bytes (sub-benchmark "floor"). Both report req/s; `make bench`
// interleaves them and reports the ratio. What the shell adds is the
// routing by Host, the page origin's guard, the service mux and the JSON.
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
	body := fetch(b, newClient(), "http://"+addr+"/pmapi/user", host)

	floorLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	floor := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	}), ReadHeaderTimeout: 10 * time.Second}
	go floor.Serve(floorLn)
	defer floor.Close()

	b.Run("floor=net/http", func(b *testing.B) { load(b, "http://"+floorLn.Addr().String()+"/pmapi/user", "") })
	b.Run("loginshell=GET /pmapi/user", func(b *testing.B) { load(b, "http://"+addr+"/pmapi/user", host) })
}

func newClient() *http.Client {
	return &http.Client{Transport: &http.Transport{MaxIdleConns: clients, MaxIdleConnsPerHost: clients}}
}

// load sends b.N GETs from 64 goroutines and reports requests per second;
// any answer but 200 fails.
func load(b *testing.B, url, host string) {
	c := newClient()
	defer c.CloseIdleConnections()
	fetch(b, c, url, host) // a warm connection
	var failed atomic.Int64
	b.SetParallelism((clients + 1) / 2) // × GOMAXPROCS goroutines; 64 on two cores
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		if host != "" {
			req.Host = host
		}
		for pb.Next() {
			resp, err := c.Do(req)
			if err != nil {
				failed.Add(1)
				continue
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				failed.Add(1)
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")
	if n := failed.Load(); n > 0 {
		b.Fatalf("%d of %d requests failed", n, b.N)
	}
}

func fetch(b *testing.B, c *http.Client, url, host string) []byte {
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
	return body
}
