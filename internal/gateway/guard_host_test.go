package gateway

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// The serve guard's Host check is exact: the README promises "A Host header
// other than the listening address gets 403 (no DNS rebinding)". A check by
// prefix, suffix, host without port or case-folding would let a rebinding
// page through, so every near miss below must be refused, with or without
// the key, and without reaching the handler.

const (
	guardKey  = "0123456789abcdef0123456789abcdef"
	guardHost = "127.0.0.1:8123"
)

// hostileHosts are Host headers a rebinding page, a proxy or a careless
// parser could produce for the shell listening on 127.0.0.1:8123.
var hostileHosts = []struct{ name, host string }{
	{"a name that starts with the address", "127.0.0.1.evil.example:8123"},
	{"the address with a domain after the port", "127.0.0.1:8123.evil"},
	{"the address with a dotted domain after the port", "127.0.0.1:8123.evil.example"},
	{"a name that ends with the address", "evil.127.0.0.1:8123"},
	{"a prefix glued to the address", "x127.0.0.1:8123"},
	{"another port", "127.0.0.1:9999"},
	{"a port that starts with the right one", "127.0.0.1:81234"},
	{"a port that is a prefix of the right one", "127.0.0.1:812"},
	{"the port with a leading zero", "127.0.0.1:08123"},
	{"the address without a port", "127.0.0.1"},
	{"the address with an empty port", "127.0.0.1:"},
	{"the port twice", "127.0.0.1:8123:8123"},
	{"localhost on the right port", "localhost:8123"},
	{"LOCALHOST in capitals", "LOCALHOST:8123"},
	{"the IPv6 loopback", "[::1]:8123"},
	{"another loopback address", "127.0.0.2:8123"},
	{"the short form of the address", "127.1:8123"},
	{"the address as one decimal number", "2130706433:8123"},
	{"the address in hex", "0x7f.0.0.1:8123"},
	{"the address as a fully qualified name", "127.0.0.1.:8123"},
	{"a trailing dot after the port", "127.0.0.1:8123."},
	{"a trailing slash", "127.0.0.1:8123/"},
	{"a trailing space", "127.0.0.1:8123 "},
	{"a leading space", " 127.0.0.1:8123"},
	{"user info before the address", "user@127.0.0.1:8123"},
	{"the address as user info of another host", "127.0.0.1:8123@evil.example"},
	{"the address and another host", "127.0.0.1:8123,evil.example"},
	{"another host on the right port", "evil.example:8123"},
	{"an empty Host", ""},
}

func TestGuardHostIsExact(t *testing.T) {
	t.Parallel()
	type row struct {
		name       string
		host       string
		withKey    bool
		wantStatus int
	}
	rows := []row{
		{"the exact listening address with the key passes", guardHost, true, http.StatusOK},
		{"the exact listening address without the key is unauthorised", guardHost, false, http.StatusUnauthorized},
	}
	for _, h := range hostileHosts {
		rows = append(rows,
			row{h.name + " is forbidden with the key", h.host, true, http.StatusForbidden},
			row{h.name + " is forbidden without the key", h.host, false, http.StatusForbidden})
	}
	for _, tt := range rows {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var reached atomic.Bool
			h := Guard(guardKey, guardHost, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				reached.Store(true)
				w.WriteHeader(http.StatusOK)
			}))
			r := httptest.NewRequest(http.MethodGet, "/pmapi/version", nil)
			r.Host = tt.host
			if tt.withKey {
				r.Header.Set(KeyHeader, guardKey)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != tt.wantStatus {
				t.Fatalf("Host %q: status %d, want %d (body %s)", tt.host, w.Code, tt.wantStatus, w.Body)
			}
			if reached.Load() != (tt.wantStatus == http.StatusOK) {
				t.Errorf("Host %q: handler reached = %v", tt.host, reached.Load())
			}
			if tt.wantStatus == http.StatusForbidden && len(w.Result().Cookies()) != 0 {
				t.Errorf("Host %q: a refused request set cookies %v", tt.host, w.Result().Cookies())
			}
		})
	}
}

// TestGuardHostIsExactWithAKeyInTheQuery: the ?key= of the opening page
// must not set the cookie for a wrong Host either.
func TestGuardHostIsExactWithAKeyInTheQuery(t *testing.T) {
	t.Parallel()
	h := Guard(guardKey, guardHost, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) }))
	for _, hh := range hostileHosts {
		t.Run(hh.name+" gets no cookie for ?key=", func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest(http.MethodGet, "/?key="+guardKey, nil)
			r.Host = hh.host
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != http.StatusForbidden || len(w.Result().Cookies()) != 0 {
				t.Errorf("Host %q: status %d, cookies %v; want 403 and none", hh.host, w.Code, w.Result().Cookies())
			}
		})
	}
}

// TestGuardOriginIsExact: an Origin header, when present, must be exactly
// http://127.0.0.1:PORT.
func TestGuardOriginIsExact(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, origin string
		wantStatus   int
	}{
		{"no Origin passes", "", http.StatusOK},
		{"the shell's own origin passes", "http://" + guardHost, http.StatusOK},
		{"an origin that starts with the address is forbidden", "http://127.0.0.1.evil.example:8123", http.StatusForbidden},
		{"an origin with a domain after the port is forbidden", "http://127.0.0.1:8123.evil", http.StatusForbidden},
		{"another port is forbidden", "http://127.0.0.1:9999", http.StatusForbidden},
		{"https is forbidden", "https://" + guardHost, http.StatusForbidden},
		{"localhost is forbidden", "http://localhost:8123", http.StatusForbidden},
		{"the opaque null origin is forbidden", "null", http.StatusForbidden},
		{"a trailing slash is forbidden", "http://" + guardHost + "/", http.StatusForbidden},
		{"the address without a scheme is forbidden", guardHost, http.StatusForbidden},
		{"another site is forbidden", "http://evil.example", http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := Guard(guardKey, guardHost, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) }))
			r := httptest.NewRequest(http.MethodPost, "/pmapi/auth", nil)
			r.Host = guardHost
			r.Header.Set(KeyHeader, guardKey)
			if tt.origin != "" {
				r.Header.Set("Origin", tt.origin)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != tt.wantStatus {
				t.Errorf("Origin %q: status %d, want %d", tt.origin, w.Code, tt.wantStatus)
			}
		})
	}
}

// TestGuardHostOverTheWire sends raw requests to a real loopback listener,
// so the Host header goes through net/http's own parsing first: whatever
// the server makes of a hostile Host (400 or the guard's 403), the handler
// is never reached. The listening address is the one of the real socket,
// as in serve mode.
func TestGuardHostOverTheWire(t *testing.T) {
	t.Parallel()
	var reached atomic.Int32
	srv := httptest.NewUnstartedServer(nil)
	hostport := srv.Listener.Addr().String()
	_, port, err := net.SplitHostPort(hostport)
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = Guard(guardKey, hostport, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		reached.Add(1)
		w.WriteHeader(http.StatusOK)
	}))
	srv.Start()
	t.Cleanup(srv.Close)

	send := func(t *testing.T, hostLine string) int {
		t.Helper()
		c, err := net.Dial("tcp", hostport)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		fmt.Fprintf(c, "GET /pmapi/version HTTP/1.1\r\n%s%s: %s\r\nConnection: close\r\n\r\n", hostLine, KeyHeader, guardKey)
		res, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatalf("read response: %v", err)
		}
		res.Body.Close()
		return res.StatusCode
	}

	if got := send(t, "Host: "+hostport+"\r\n"); got != http.StatusOK || reached.Load() != 1 {
		t.Fatalf("the exact Host: status %d, handler calls %d; want 200 and 1", got, reached.Load())
	}
	hostile := []struct{ name, line string }{
		{"a name that starts with the address", "Host: 127.0.0.1.evil.example:" + port + "\r\n"},
		{"the address with a domain after the port", "Host: 127.0.0.1:" + port + ".evil\r\n"},
		{"another port", "Host: 127.0.0.1:1\r\n"},
		{"localhost on the right port", "Host: localhost:" + port + "\r\n"},
		{"an empty Host", "Host: \r\n"},
		{"no Host header at all", ""},
		{"two Host headers", "Host: " + hostport + "\r\nHost: evil.example\r\n"},
	}
	for _, h := range hostile {
		t.Run(h.name+" never reaches the handler", func(t *testing.T) {
			got := send(t, h.line)
			if got == http.StatusOK || got/100 == 2 {
				t.Errorf("%s: status %d", strings.TrimSpace(h.line), got)
			}
		})
	}
	if n := reached.Load(); n != 1 {
		t.Errorf("handler reached %d times, want once (the exact Host)", n)
	}
}
