//go:build unix

package serve_test

import (
	"context"
	"crypto/rand"
	"io"
	"net/http"
	"net/url"
	"runtime/debug"
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
// answer. Its floor is argon2.IDKey alone with the same parameters
// (sub-benchmark "floor"): what any offline login must pay. Between two
// logins (not timed) the person signs out and the sign-in page comes
// back with a new token. Before each, in both, the process gives its free
// memory back to the system (debug.FreeOSMemory), as it has after the
// minutes a station waits between logins: the 64 MiB the derivation
// fills are fresh pages each time, for the floor as for the shell.
func BenchmarkOfflineLogin(b *testing.B) {
	const password = "correct horse battery staple"
	params := keychain.DefaultParams()
	b.Run("floor=argon2.IDKey", func(b *testing.B) {
		salt := make([]byte, 16)
		rand.Read(salt)
		for b.Loop() {
			b.StopTimer()
			debug.FreeOSMemory()
			b.StartTimer()
			argon2.IDKey([]byte(password), salt, params.Time, params.MemoryKiB, params.Threads, 32)
		}
	})
	b.Run("loginshell=PUT authenticate", func(b *testing.B) {
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
		for b.Loop() {
			b.StopTimer()
			t := token()
			debug.FreeOSMemory()
			b.StartTimer()
			if code, body := send(http.MethodPut, "/pmapi/auth/"+t+"/authenticate?u=alice&p="+url.QueryEscape(password)); code != http.StatusOK {
				b.Fatalf("PUT authenticate = %d %s", code, body)
			}
			b.StopTimer()
			if code, body := send(http.MethodPost, "/pmapi/auth/logout"); code != http.StatusOK {
				b.Fatalf("POST logout = %d %s", code, body)
			}
			b.StartTimer()
		}
	})
}
