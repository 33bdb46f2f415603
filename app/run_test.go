package app

import (
	"errors"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestStartPagesAreGivenBackOnce: the chrome's DOM-ready comes again at
// each reload; the start-up pages are given back after the first only,
// and a failure is logged, not fatal.
func TestStartPagesAreGivenBackOnce(t *testing.T) {
	for _, tt := range []struct {
		name string
		err  error
		log  string
	}{
		{"released", nil, "gave back the binary's start-up pages"},
		{"refused", errors.New("exepages: madvise: invalid argument"), "could not give back"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var calls atomic.Int32
			lines := make(chan string, 4)
			log := slog.New(slog.NewTextHandler(lineWriter(lines), &slog.HandlerOptions{Level: slog.LevelDebug}))
			hook := releaseStartPages(log, time.Millisecond, func() (int64, error) {
				calls.Add(1)
				return 22 << 20, tt.err
			})
			hook()
			hook()
			hook()
			if got := <-lines; !strings.Contains(got, tt.log) {
				t.Errorf("log %q, want %q", got, tt.log)
			}
			time.Sleep(20 * time.Millisecond) // a second release, were there one, is due by now
			if n := calls.Load(); n != 1 {
				t.Errorf("released %d times over three DOM-readies, want once", n)
			}
		})
	}
}

// lineWriter sends each write (a log line) on the channel.
type lineWriter chan<- string

func (w lineWriter) Write(p []byte) (int, error) {
	w <- string(p)
	return len(p), nil
}
