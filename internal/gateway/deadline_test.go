package gateway

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestSlowBodiesAreCut opens connections as a flood would (issue 20): the
// headers at once, then a body that never comes. Each connection must be
// closed once the deadline passes, while a request without a body (an
// event stream) stays open past it, and a body that arrives in time is
// read whole.
func TestSlowBodiesAreCut(t *testing.T) {
	t.Parallel()
	const d = 300 * time.Millisecond
	streamDone := make(chan error, 1)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/events" {
			w.WriteHeader(http.StatusOK)
			http.NewResponseController(w).Flush()
			select {
			case <-r.Context().Done():
				streamDone <- errors.New("the stream's request ended at the body deadline")
			case <-time.After(3 * d):
				streamDone <- nil
			}
			return
		}
		b, err := io.ReadAll(r.Body)
		if err != nil {
			return // the deadline cut it
		}
		_, _ = w.Write(b)
	})
	srv := httptest.NewServer(WithBodyDeadline(h, d))
	t.Cleanup(srv.Close)
	addr := strings.TrimPrefix(srv.URL, "http://")

	t.Run("a trickled body's connection is closed", func(t *testing.T) {
		t.Parallel()
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		io.WriteString(c, "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\nx")
		c.SetReadDeadline(time.Now().Add(20 * d)) // the test's own bound, far past the guard's
		_, err = io.ReadAll(c)
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			t.Fatal("the connection was still open long after the body deadline")
		}
	})
	t.Run("a body sent in time is read", func(t *testing.T) {
		t.Parallel()
		resp, err := http.Post(srv.URL+"/x", "text/plain", strings.NewReader("hello"))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(b) != "hello" {
			t.Errorf("got %q", b)
		}
	})
	t.Run("an event stream outlives the body deadline", func(t *testing.T) {
		t.Parallel()
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		io.WriteString(c, "GET /events HTTP/1.1\r\nHost: a\r\n\r\n")
		if _, err := http.ReadResponse(bufio.NewReader(c), nil); err != nil {
			t.Fatal(err)
		}
		if err := <-streamDone; err != nil {
			t.Error(err)
		}
	})
}
