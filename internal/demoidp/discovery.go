package demoidp

import (
	"bytes"
	"maps"
	"net/http"
	"sync"
)

// pathDiscovery is where zitadel's provider serves its discovery document.
const pathDiscovery = "/.well-known/openid-configuration"

// onceDocument answers GET requests with what next answered the first
// time it said 200, and passes every request to next until then.
//
// The discovery document is fixed for a Server's life: a static issuer,
// fixed endpoints and one key's algorithm. The shell's connectivity
// monitor asks for it every 10 s, and made afresh each time, it ran
// zitadel's router, tracer, handler and JSON encoder again: in --demo
// that was most of the code the window maps back after it gave its
// start-up pages away (exepages), about 3 MB of it resident at idle.
// An answer other than 200 is not kept, so a failure is not repeated for
// the server's life.
type onceDocument struct {
	next http.Handler

	mu   sync.Mutex
	kept *recorder // the first 200; nil until then, never written after
}

func (d *onceDocument) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	d.mu.Lock()
	answer := d.kept
	d.mu.Unlock()
	if answer == nil {
		answer = &recorder{header: http.Header{}, status: http.StatusOK}
		d.next.ServeHTTP(answer, r)
		if answer.status == http.StatusOK {
			d.mu.Lock()
			d.kept = answer
			d.mu.Unlock()
		}
	}
	answer.replay(w)
}

// recorder keeps one answer in memory.
type recorder struct {
	header http.Header
	status int
	wrote  bool
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(status int) {
	if !r.wrote {
		r.status, r.wrote = status, true
	}
}

func (r *recorder) Write(b []byte) (int, error) {
	r.WriteHeader(http.StatusOK)
	return r.body.Write(b)
}

// replay writes the recorded answer to w.
func (r *recorder) replay(w http.ResponseWriter) {
	maps.Copy(w.Header(), r.header)
	w.WriteHeader(r.status)
	_, _ = w.Write(r.body.Bytes())
}
