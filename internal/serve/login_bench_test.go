//go:build unix

package serve_test

import (
	"bufio"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/argon2"
	"loginshell/internal/keychain"
	"loginshell/internal/screen"
	"loginshell/internal/serve"
	"loginshell/internal/shell/shelltest"
	"loginshell/internal/user"
	"loginshell/internal/webapps"
)

// BenchmarkOfflineLogin is an offline login as a person waits for it: the
// offline sign-in page's whole PUT /pmapi/auth/{token}/authenticate over
// HTTP, on its package's own origin, with the vault's own key derivation
// (keychain.DefaultParams), timed from sending the request to reading its
// answer. Its floor is argon2.IDKey alone with the same parameters, what
// any offline login must pay, timed around the call alone in a process of
// its own (this test binary again, TestKDFFloorProcess), so the shell's
// heap and goroutines are not the floor's. The two alternate login by
// login (floor first in even rounds, the shell first in odd ones) so the
// noise of a shared machine lands on both sides of each pair; run it as
// -benchtime=Nx, N pairs. Between two logins (not timed) the person signs
// out and the sign-in page comes back with a new token. Before each, on
// both sides, the process gives its free memory back to the system
// (debug.FreeOSMemory), as it has after the minutes a station waits
// between logins: the 64 MiB the derivation fills are fresh pages each
// time, for the floor as for the shell. It reports the medians
// ("floor-ms/login", "ms/login") and the median of the pairs' ratios,
// and beside them the same derivation as the floor's timed in this
// process ("kdf-in-shell-process-ms"), which tells what the HTTP path
// costs from what running beside the shell's heap and goroutines does.
func BenchmarkOfflineLogin(b *testing.B) {
	const password = "correct horse battery staple"
	params := keychain.DefaultParams()
	floor := startKDFFloor(b)
	defer floor.stop()

	sh := shelltest.New(b, shelltest.Options{Offline: true, KeychainParams: params})
	if err := sh.Keychain.Create("alice", password, user.Profile{Username: "alice", Name: "Alice Example"}); err != nil {
		b.Fatal(err)
	}
	views, stop := sh.Screen.Subscribe()
	defer stop()
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
	host := webapps.PackageLabel("offline-login") + "." + strings.TrimPrefix(ln.PagesOrigin(), "http://")
	c := newClient()
	send := func(method, path string) (int, string) {
		req, _ := http.NewRequest(method, "http://"+addr+path, nil)
		req.Host = host
		req.Header.Set("Origin", "http://"+host)
		resp, err := c.Do(req)
		if err != nil {
			return 0, err.Error()
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	// token waits for the sign-in page, asking for it once if it does
	// not come by itself (after a sign-out).
	token := func() string {
		asked := false
		for {
			select {
			case v := <-views:
				if v.Kind == screen.Page && v.Auth {
					u, err := url.Parse(v.URL)
					if err != nil {
						b.Fatal(err)
					}
					return u.Query().Get("t")
				}
			case <-time.After(2 * time.Second):
				if asked {
					b.Fatal("the sign-in page did not come back")
				}
				asked = true
				go send(http.MethodPost, "/pmapi/auth")
			}
		}
	}
	// login is one login and sign-out, the login timed.
	login := func() time.Duration {
		t := token()
		debug.FreeOSMemory()
		start := time.Now()
		if code, body := send(http.MethodPut, "/pmapi/auth/"+t+"/authenticate?u=alice&p="+url.QueryEscape(password)); code != http.StatusOK {
			b.Fatalf("PUT authenticate = %d %s", code, body)
		}
		took := time.Since(start)
		if code, body := send(http.MethodPost, "/pmapi/auth/logout"); code != http.StatusOK {
			b.Fatalf("POST logout = %d %s", code, body)
		}
		return took
	}
	// here is the floor's derivation in this process, beside the shell:
	// not the floor (this process holds the shell's heap and goroutines),
	// but what tells the HTTP path's cost from this process's.
	salt := make([]byte, 16)
	rand.Read(salt)
	here := func() time.Duration {
		debug.FreeOSMemory()
		start := time.Now()
		argon2.IDKey([]byte(password), salt, params.Time, params.MemoryKiB, params.Threads, 32)
		return time.Since(start)
	}
	floor.derive(b) // all warm: code paged in, connections open
	login()
	here()
	b.ResetTimer()
	var floors, shells, heres, ratios []float64
	for i := range b.N {
		var f, s, h time.Duration
		if i%2 == 0 {
			f, s, h = floor.derive(b), login(), here()
		} else {
			h, s, f = here(), login(), floor.derive(b)
		}
		floors, shells, heres = append(floors, ms(f)), append(shells, ms(s)), append(heres, ms(h))
		ratios = append(ratios, ms(s)/ms(f))
	}
	b.StopTimer()
	b.ReportMetric(median(floors), "floor-ms/login")
	b.ReportMetric(median(shells), "ms/login")
	b.ReportMetric(median(heres), "kdf-in-shell-process-ms")
	b.ReportMetric(median(ratios), "pair-ratio")
}

func ms(d time.Duration) float64 { return float64(d) / 1e6 }

func median(v []float64) float64 {
	slices.Sort(v)
	return v[len(v)/2]
}

// kdfFloor is the floor's process: it derives a key each time it is
// asked and answers how long that took.
type kdfFloor struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Scanner
}

// floorEnv marks the test binary started as the floor's process.
const floorEnv = "LOGINSHELL_KDF_FLOOR"

func startKDFFloor(b *testing.B) *kdfFloor {
	self, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	cmd := exec.Command(self, "-test.run=^TestKDFFloorProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), floorEnv+"=1")
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	return &kdfFloor{cmd: cmd, in: in, out: bufio.NewScanner(out)}
}

// derive asks for one derivation and returns its time as the floor's
// process measured it (the pipe's round trip is not counted).
func (f *kdfFloor) derive(b *testing.B) time.Duration {
	if _, err := io.WriteString(f.in, "derive\n"); err != nil {
		b.Fatal(err)
	}
	for f.out.Scan() { // the test binary may print its own lines first
		if ns, ok := strings.CutPrefix(f.out.Text(), "took "); ok {
			n, err := strconv.ParseInt(ns, 10, 64)
			if err != nil {
				b.Fatal(err)
			}
			return time.Duration(n)
		}
	}
	b.Fatalf("the floor's process ended: %v", f.out.Err())
	return 0
}

func (f *kdfFloor) stop() {
	f.in.Close()
	f.cmd.Wait()
}

// TestKDFFloorProcess is BenchmarkOfflineLogin's floor when the benchmark
// starts this binary as its floor's process (floorEnv set); otherwise it
// does nothing. For each line on stdin it gives its free memory back to
// the system, as the shell's process does before a login, then derives
// the vault's key with argon2.IDKey and DefaultParams, and answers
// "took <ns>", the derivation's time alone.
func TestKDFFloorProcess(t *testing.T) {
	if os.Getenv(floorEnv) == "" {
		t.Skip("run by BenchmarkOfflineLogin as its floor's process")
	}
	p := keychain.DefaultParams()
	salt := make([]byte, 16)
	rand.Read(salt)
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		debug.FreeOSMemory()
		start := time.Now()
		argon2.IDKey([]byte("correct horse battery staple"), salt, p.Time, p.MemoryKiB, p.Threads, 32)
		fmt.Printf("took %d\n", time.Since(start))
	}
}
