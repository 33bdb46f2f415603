package serve_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestSoak is `make soak`, not part of `make test`: for LOGINSHELL_SOAK (a
// duration, "10m"), 64 clients load the pages' services of a whole shell
// while a page's signatures are queued, triggered and signed through the
// shell's dialog endpoint one after the other, and event streams are
// opened and dropped. Every answer must be one the seed gives that call
// (any other status fails the soak); goroutines, open files and the heap
// are sampled every SOAK_SAMPLE (10 s) into LOGINSHELL_SOAK_OUT/soak.csv
// (the curve), and once the load stops they must come back near where
// they started, the heap not growing from the first half of the run to
// the second.
// soakClients load the shell at once, as many as the REST benchmark's.
const soakClients = 64

func TestSoak(t *testing.T) {
	d, err := time.ParseDuration(os.Getenv("LOGINSHELL_SOAK"))
	if err != nil || d <= 0 {
		t.Skip("set LOGINSHELL_SOAK to a duration (make soak)")
	}
	sample := 10 * time.Second
	if s, err := time.ParseDuration(os.Getenv("SOAK_SAMPLE")); err == nil && s > 0 {
		sample = s
	}
	e := newSigEnv(t)
	client := &http.Client{Transport: &http.Transport{MaxIdleConns: soakClients, MaxIdleConnsPerHost: soakClients}, Timeout: 30 * time.Second}
	ctxPage := e.pageContext(t)

	before := measure()
	var requests, signed, wrong atomic.Int64
	var mu sync.Mutex
	var failures []string
	fail := func(format string, args ...any) {
		wrong.Add(1)
		mu.Lock()
		if len(failures) < 20 {
			failures = append(failures, fmt.Sprintf(format, args...))
		}
		mu.Unlock()
	}
	// do sends one request and checks its status is one of want.
	do := func(base, method, path string, body any, want ...int) []byte {
		var rd io.Reader
		if body != nil {
			b, _ := json.Marshal(body)
			rd = strings.NewReader(string(b))
		}
		req, _ := http.NewRequest(method, base+path, rd)
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		requests.Add(1)
		if err != nil {
			fail("%s %s: %v", method, path, err)
			return nil
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if !slices.Contains(want, resp.StatusCode) {
			fail("%s %s = %d %s, want %v", method, path, resp.StatusCode, b, want)
		}
		return b
	}

	ctx, stop := context.WithTimeout(context.Background(), d)
	defer stop()
	var wg sync.WaitGroup
	// Readers: what pages ask all day; one in eight queues a request and
	// cancels it again, so the queue stays bounded.
	reads := []string{"/pmapi/user", "/pmapi/version", "/pmapi/connectivity", "/pmapi/usersettings",
		"/pmapi/signature/templates", "/pmapi/signature/requests?name=soak", "/pmapi/signature/context"}
	for i := range soakClients - 2 {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(i), 7))
			for ctx.Err() == nil {
				if rng.IntN(8) > 0 {
					do(e.pages.URL, "GET", reads[rng.IntN(len(reads))], nil, 200)
					continue
				}
				var q struct{ UUIDs []string }
				b := do(e.pages.URL, "POST", "/pmapi/signature/requests",
					map[string]string{"template": "Line Release Approval", "requestName": "soak", "description": "queued and cancelled"}, 200)
				if json.Unmarshal(b, &q) != nil || len(q.UUIDs) == 0 {
					continue
				}
				var pending []struct {
					ID    string `json:"uuid"`
					Slots []struct {
						UUID string `json:"uuid"`
					} `json:"slots"`
				}
				json.Unmarshal(do(e.pages.URL, "GET", "/pmapi/signature/requests?name=soak", nil, 200), &pending)
				for _, r := range pending {
					if len(r.Slots) > 0 && r.Slots[0].UUID == q.UUIDs[0] {
						do(e.pages.URL, "DELETE", "/pmapi/signature/requests/"+r.ID, nil, 200, 404)
					}
				}
			}
		})
	}
	// A page's event stream, opened and dropped over and over.
	wg.Go(func() {
		for ctx.Err() == nil {
			sctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
			req, _ := http.NewRequestWithContext(sctx, "GET", e.pages.URL+"/pmapi/signature/events", nil)
			if resp, err := client.Do(req); err == nil {
				requests.Add(1)
				if resp.StatusCode != 200 {
					fail("events = %d", resp.StatusCode)
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
			cancel()
		}
	})
	// The signer: queue, trigger each slot, answer the dialog, one at a
	// time (the dialog is modal).
	wg.Go(func() {
		for ctx.Err() == nil {
			var q struct{ UUIDs []string }
			b := do(e.pages.URL, "POST", "/pmapi/signature/requests",
				map[string]string{"template": "Line Release Approval", "requestName": "release", "description": "signed"}, 200)
			if json.Unmarshal(b, &q) != nil || len(q.UUIDs) != 2 {
				continue
			}
			for i, slot := range q.UUIDs {
				do(e.pages.URL, "POST", "/pmapi/signature/trigger",
					map[string]any{"uuid": slot, "session": ctxPage.Session, "page": ctxPage.Page, "approve": true}, 200)
				c := e.sh.Screen.Current().Challenge
				if c == nil {
					fail("slot %d: no dialog after the trigger", i+1)
					break
				}
				who := []string{"operator", "supervisor"}[i]
				b := do(e.chrome.URL, "POST", "/shell/challenge/"+c.ID,
					map[string]string{"userId": who, "password": who + "-pass-1", "comment": "soak"}, 200)
				if !strings.Contains(string(b), `"ok":true`) {
					fail("slot %d: the dialog's answer %s", i+1, b)
					break
				}
				signed.Add(1)
			}
		}
	})

	// The curve.
	var curve []resources
	start := time.Now()
	tick := time.NewTicker(sample)
	for done := false; !done; {
		select {
		case <-ctx.Done():
			done = true
		case <-tick.C:
			m := measure()
			m.at, m.requests = time.Since(start), requests.Load()
			curve = append(curve, m)
			t.Logf("%6.0fs %9d requests %6d signatures: %4d goroutines, %3d open files, heap %6.1f MB",
				m.at.Seconds(), m.requests, signed.Load(), m.goroutines, m.files, m.heapMB)
		}
	}
	tick.Stop()
	wg.Wait()
	client.CloseIdleConnections()
	time.Sleep(2 * time.Second) // handlers and streams wind down
	after := measure()

	if out := os.Getenv("LOGINSHELL_SOAK_OUT"); out != "" {
		writeCurve(t, filepath.Join(out, "soak.csv"), curve)
	}
	t.Logf("%d requests, %d signatures in %v; %d answers outside the seed's", requests.Load(), signed.Load(), d, wrong.Load())
	t.Logf("before: %d goroutines, %d open files, heap %.1f MB; after: %d, %d, %.1f MB",
		before.goroutines, before.files, before.heapMB, after.goroutines, after.files, after.heapMB)
	if n := wrong.Load(); n > 0 {
		t.Errorf("%d answers were not the seed's, the first: %s", n, strings.Join(failures, "\n"))
	}
	if signed.Load() == 0 {
		t.Error("nothing was signed")
	}
	if after.goroutines > before.goroutines+10 {
		t.Errorf("goroutines grew from %d to %d", before.goroutines, after.goroutines)
	}
	if after.files > before.files+10 {
		t.Errorf("open files grew from %d to %d", before.files, after.files)
	}
	if n := len(curve); n >= 4 {
		first, second := heapMedian(curve[1:n/2]), heapMedian(curve[n/2:])
		if second > first*1.5+4 {
			t.Errorf("the heap grew under the same load: median %.1f MB in the first half, %.1f MB in the second", first, second)
		}
	}
}

type resources struct {
	at         time.Duration
	requests   int64
	goroutines int
	files      int
	heapMB     float64
}

func measure() resources {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fds, _ := os.ReadDir("/proc/self/fd")
	return resources{goroutines: runtime.NumGoroutine(), files: len(fds), heapMB: float64(ms.HeapInuse) / 1e6}
}

func heapMedian(rs []resources) float64 {
	var h []float64
	for _, r := range rs {
		h = append(h, r.heapMB)
	}
	slices.Sort(h)
	return h[len(h)/2]
}

func writeCurve(t *testing.T, path string, curve []resources) {
	var b strings.Builder
	b.WriteString("seconds,requests,goroutines,open_files,heap_mb\n")
	for _, r := range curve {
		fmt.Fprintf(&b, "%.0f,%d,%d,%d,%.1f\n", r.at.Seconds(), r.requests, r.goroutines, r.files, r.heapMB)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}
