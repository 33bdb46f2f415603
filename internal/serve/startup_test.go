package serve_test

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"loginshell/internal/demoidp"
	"loginshell/internal/gateway"
	"loginshell/internal/screen"
	"loginshell/internal/settings"
	"loginshell/internal/shell"
	"loginshell/internal/shell/shelltest"
	"loginshell/internal/user"
	"loginshell/internal/webapps"
)

// slowDiscovery fronts a real OpenID provider and holds every discovery
// request for delay: a plant network whose login server is up but slow.
func slowDiscovery(t *testing.T, delay time.Duration) string {
	t.Helper()
	idp, err := demoidp.Start(demoidp.Options{Addr: "127.0.0.1:0", ClientID: shell.DefaultClientID})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { idp.Close() })
	target, err := url.Parse(idp.Issuer())
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	var front *httptest.Server
	// The discovery document names the front as the issuer and as the
	// host of every endpoint, so the shell talks to the front only.
	proxy.ModifyResponse = func(resp *http.Response) error {
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return err
		}
		b = bytes.ReplaceAll(b, []byte(idp.Issuer()), []byte(front.URL))
		resp.Body = io.NopCloser(bytes.NewReader(b))
		resp.ContentLength = int64(len(b))
		resp.Header.Del("Content-Length")
		return nil
	}
	front = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/.well-known/openid-configuration") {
			select {
			case <-time.After(delay):
			case <-r.Context().Done():
				return
			}
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(front.Close)
	return front.URL
}

// The start-up decides online or offline by asking the login server; a
// server that answers slowly is still online, even for a user who could
// sign in offline. (Before, a status bar probe with a 300 ms budget cached
// "unreachable" and the shell opened the offline page.)
func TestStartupWithASlowLoginServerSignsInOnline(t *testing.T) {
	t.Parallel()
	for _, delay := range []time.Duration{500 * time.Millisecond, 1500 * time.Millisecond} {
		t.Run("discovery delayed by "+delay.String(), func(t *testing.T) {
			t.Parallel()
			issuer := slowDiscovery(t, delay)
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "state.json"), []byte(`{"last_user":"alice"}`), 0o600); err != nil {
				t.Fatal(err)
			}
			st, err := settings.Open(filepath.Join(dir, "settings.json"))
			if err != nil {
				t.Fatal(err)
			}
			if err := st.Set(settings.LoginURL, issuer); err != nil {
				t.Fatal(err)
			}
			sh := shelltest.New(t, shelltest.Options{DataDir: dir})
			if err := sh.Keychain.Create("alice", "correct horse battery", user.Profile{Username: "alice"}); err != nil {
				t.Fatal(err)
			}
			views, stop := sh.Screen.Subscribe()
			defer stop()
			sh.Boot.Start(context.Background())
			for {
				v := <-views
				if v.Kind == screen.Navigate {
					if !strings.HasPrefix(v.URL, issuer) {
						t.Errorf("the window went to %s, want the login server %s", v.URL, issuer)
					}
					return
				}
				if v.Auth || v.Kind == screen.Error {
					t.Fatalf("start-up showed %+v, want the login server's page", v)
				}
			}
		})
	}
}

// hangingServer accepts connections and never answers; it reports how
// many connections are open, and first is closed at the first.
type hangingServer struct {
	ln    net.Listener
	first chan struct{}
	mu    sync.Mutex
	conns []net.Conn
}

func newHangingServer(t *testing.T) *hangingServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	h := &hangingServer{ln: ln, first: make(chan struct{})}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			h.mu.Lock()
			h.conns = append(h.conns, c)
			if len(h.conns) == 1 {
				close(h.first)
			}
			h.mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		h.mu.Lock()
		defer h.mu.Unlock()
		for _, c := range h.conns {
			c.Close()
		}
	})
	return h
}

func (h *hangingServer) accepted() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.conns)
}

// With a login server that never answers, /pmapi/connectivity answers from
// the last finished probe at once: 16 requests at the same moment all
// return while the one probe in flight still waits for the server.
func TestConnectivityNeverWaitsOnAProbe(t *testing.T) {
	t.Parallel()
	hang := newHangingServer(t)
	dir := t.TempDir()
	st, err := settings.Open(filepath.Join(dir, "settings.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Set(settings.LoginURL, "http://"+hang.ln.Addr().String()); err != nil {
		t.Fatal(err)
	}
	sh := shelltest.New(t, shelltest.Options{DataDir: dir})
	_, pages, err := gateway.ForWindow(sh.Shell, windowChrome, "p.localhost:1", []string{"wails://wails"})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Host = webapps.PackageLabel("lineapp") + ".p.localhost:1" // as the webview would address it
		pages.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	// Wait until the monitor's first probe is held by the server.
	select {
	case <-hang.first:
	case <-time.After(5 * time.Second):
		t.Fatal("the monitor never probed the login server")
	}
	var wg sync.WaitGroup
	answers := make(chan string, 16)
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := srv.Client().Get(srv.URL + "/pmapi/connectivity")
			if err != nil {
				answers <- err.Error()
				return
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			answers <- strings.TrimSpace(string(b))
		}()
	}
	wg.Wait()
	close(answers)
	if n := hang.accepted(); n != 1 {
		t.Errorf("%d probes reached the server, want the one in flight", n)
	}
	for a := range answers {
		if a != `["Offline"]` {
			t.Errorf("answer %q, want [\"Offline\"] from the monitor (no probe has finished)", a)
		}
	}
}
