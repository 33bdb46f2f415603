package alert

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"loginshell/internal/audit"
)

// trail is an in-memory trail a test appends to while Follow reads it.
type trail struct {
	mu      sync.Mutex
	entries []audit.Entry
	fail    int // the next fail reads fail
}

func (t *trail) add(event, detail string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.entries = append(t.entries, audit.Entry{Seq: int64(len(t.entries) + 1), Event: event, Detail: detail, Station: "station-a"})
}

func (t *trail) AuditEvents(_ context.Context, event string, after int64, fn func(audit.Entry) error) (int64, error) {
	t.mu.Lock()
	if t.fail > 0 {
		t.fail--
		t.mu.Unlock()
		return 0, errors.New("the database went away")
	}
	es := slices.Clone(t.entries)
	t.mu.Unlock()
	for _, e := range es {
		if e.Seq > after && e.Event == event {
			if err := fn(e); err != nil {
				return int64(len(es)), err
			}
		}
	}
	return int64(len(es)), nil
}

func TestFollow(t *testing.T) {
	t.Parallel()
	t.Run("every alert after the start is heard once, in order, new ones as they come", func(t *testing.T) {
		t.Parallel()
		tr := &trail{}
		tr.add("queue", "q")
		tr.add(audit.EventAlert, "before the start")
		tr.add(audit.EventAlert, "first")
		tr.add("failure", "f")
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		heard := make(chan string, 10)
		done := make(chan error, 1)
		go func() {
			done <- Follow(ctx, tr, 2, 5*time.Millisecond, func(e audit.Entry) { heard <- e.Detail }, nil)
		}()
		if got := <-heard; got != "first" {
			t.Fatalf("heard %q first, want the alert after the start", got)
		}
		tr.add("queue", "q2")
		tr.add(audit.EventAlert, "second")
		if got := <-heard; got != "second" {
			t.Fatalf("heard %q, want the new alert", got)
		}
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Follow ended with %v, want nil when its context ends", err)
		}
		select {
		case got := <-heard:
			t.Errorf("heard %q again", got)
		default:
		}
	})
	t.Run("a failed read is reported and read again, skipping nothing", func(t *testing.T) {
		t.Parallel()
		tr := &trail{fail: 2}
		tr.add(audit.EventAlert, "first")
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		heard := make(chan string, 10)
		var mu sync.Mutex
		var failures int
		go Follow(ctx, tr, 0, 5*time.Millisecond, func(e audit.Entry) { heard <- e.Detail }, func(error) {
			mu.Lock()
			failures++
			mu.Unlock()
		})
		if got := <-heard; got != "first" {
			t.Fatalf("heard %q, want the alert once the trail answers", got)
		}
		mu.Lock()
		defer mu.Unlock()
		if failures != 2 {
			t.Errorf("%d failures reported, want 2", failures)
		}
	})
	t.Run("Head is the trail's end, so following from it hears only new alerts", func(t *testing.T) {
		t.Parallel()
		tr := &trail{}
		tr.add(audit.EventAlert, "old")
		tr.add("queue", "q")
		head, err := Head(context.Background(), tr)
		if err != nil || head != 2 {
			t.Fatalf("Head = %d, %v; want 2", head, err)
		}
	})
}

func TestNotices(t *testing.T) {
	t.Parallel()
	alertOf := func(detail string) audit.Entry {
		return audit.Entry{Event: audit.EventAlert, Station: "station-b", Detail: detail}
	}
	// timers are the clears the notices asked for, run by hand.
	type timer struct {
		f       func()
		stopped bool
	}
	setup := func() (*Notices, *[]string, *[]*timer) {
		var shown []string
		var timers []*timer
		n := NewNotices(func(s string) { shown = append(shown, s) }, func(d time.Duration, f func()) func() bool {
			if d != NoticeFor {
				t.Errorf("cleared after %v, want %v", d, NoticeFor)
			}
			tm := &timer{f: f}
			timers = append(timers, tm)
			return func() bool { tm.stopped = true; return true }
		})
		return n, &shown, &timers
	}
	t.Run("an alert shows where and what, and goes after NoticeFor", func(t *testing.T) {
		t.Parallel()
		n, shown, timers := setup()
		n.Alert(alertOf("operator is locked out"))
		(*timers)[0].f()
		if want := []string{"Signature alert at station-b: operator is locked out", ""}; !slices.Equal(*shown, want) {
			t.Errorf("shown %q, want %q", *shown, want)
		}
	})
	t.Run("a newer alert is not taken down by the older one's timer", func(t *testing.T) {
		t.Parallel()
		n, shown, timers := setup()
		n.Alert(alertOf("first"))
		n.Alert(alertOf("second\nline"))
		if !(*timers)[0].stopped {
			t.Error("the first clear was not stopped")
		}
		(*timers)[0].f() // fired anyway, as a timer may while being stopped
		if want := []string{"Signature alert at station-b: first", "Signature alert at station-b: second line"}; !slices.Equal(*shown, want) {
			t.Errorf("shown %q, want %q", *shown, want)
		}
	})
}
