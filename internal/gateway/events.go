package gateway

import (
	"encoding/json"
	"fmt"
	"net/http"

	"loginshell/internal/install"
)

// events is GET /shell/events: the screen's views as server-sent events
// ("view"), the view shown now first, and with Options.Install the
// progress and results of installs ("install"). What a slow reader misses
// is the engines' choice: both keep only the newest unread event
// (pubsub.Latest).
func (c *chrome) events(w http.ResponseWriter, r *http.Request) {
	flusher, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	ch, cancel := c.Screen.Subscribe()
	defer cancel()
	var installs <-chan install.Event // nil: never ready
	if c.Install != nil {
		in, stop := c.Install.Subscribe()
		defer stop()
		installs = in
	}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	send := func(event string, v any) bool {
		b, _ := json.Marshal(v)
		if _, err := fmt.Fprintf(w, "event: %s\ndata: %s\n\n", event, b); err != nil {
			return false
		}
		flusher.Flush()
		return true
	}
	if !send("view", c.Screen.Current()) {
		return
	}
	for {
		select {
		case <-r.Context().Done():
			return
		case v := <-ch:
			if !send("view", v) {
				return
			}
		case e := <-installs:
			if !send("install", e) {
				return
			}
		}
	}
}
