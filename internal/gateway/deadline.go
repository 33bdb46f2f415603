package gateway

import (
	"net/http"
	"time"
)

// BodyTimeout is how long a request with a body may take to send it: a
// whole page's service call or setting is at most 1 MiB, sent over
// loopback in milliseconds. A package upload gets a second more per MiB.
const BodyTimeout = 30 * time.Second

// IdleTimeout closes a keep-alive connection that sends no next request.
const IdleTimeout = 2 * time.Minute

// WithBodyDeadline closes the connection of a request whose body has not
// arrived within d (plus a second per MiB the request announces), so a
// page or a local program that opens connections and trickles bodies
// cannot hold them open for ever. It is per request, not the server's
// ReadTimeout: that would also end the long event streams, whose requests
// have no body. The server clears the deadline before it reads the next
// request on the connection.
func WithBodyDeadline(h http.Handler, d time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil && r.Body != http.NoBody {
			limit := d
			if r.ContentLength > 0 {
				limit += time.Duration(r.ContentLength>>20) * time.Second
			}
			// An error means the connection cannot have a deadline (an
			// HTTP/2 stream, a test recorder): nothing to guard there.
			_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(limit))
		}
		h.ServeHTTP(w, r)
	})
}
