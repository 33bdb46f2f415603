package pubsub

import (
	"slices"
	"sync"
	"testing"
	"time"
)

// drain returns what ch holds now, without waiting.
func drain(ch <-chan int) []int {
	var got []int
	for {
		select {
		case v := <-ch:
			got = append(got, v)
		default:
			return got
		}
	}
}

func TestWhatAReaderGets(t *testing.T) {
	t.Parallel()
	even := func(v int) bool { return v%2 == 0 }
	tests := []struct {
		name   string
		queue  int            // 0: Latest, else Queue(queue)
		accept func(int) bool // nil: Subscribe
		slow   bool           // read once after every Publish, not after each
		cancel bool           // end the subscription before publishing
		want   []int          // what the reader receives
		lost   []int          // what dropped is told (Queue only)
	}{
		{name: "a reader of the latest that keeps up gets every value", want: []int{1, 2, 3, 4, 5}},
		{name: "a slow reader of the latest gets only the newest", slow: true, want: []int{5}},
		{name: "a reader that keeps up gets every queued value", queue: 3, want: []int{1, 2, 3, 4, 5}},
		{name: "a slow reader of a queue keeps the oldest and loses the newest", queue: 3, slow: true,
			want: []int{1, 2, 3}, lost: []int{4, 5}},
		{name: "a queue of one behaves as a queue, not as latest", queue: 1, slow: true, want: []int{1}, lost: []int{2, 3, 4, 5}},
		{name: "a filter's refusals are not losses", queue: 1, accept: even, slow: true, want: []int{2}, lost: []int{4}},
		{name: "a filtered reader of the latest gets the newest it takes", accept: even, slow: true, want: []int{4}},
		{name: "an ended subscription gets nothing and loses nothing", queue: 1, cancel: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var lost []int
			h := Latest[int]()
			if tt.queue > 0 {
				h = Queue(tt.queue, func(v int) { lost = append(lost, v) })
			}
			ch, stop := h.SubscribeWhere(tt.accept)
			if tt.cancel {
				stop()
			}
			defer stop()
			var got []int
			for v := 1; v <= 5; v++ {
				h.Publish(v)
				if !tt.slow {
					got = append(got, drain(ch)...)
				}
			}
			got = append(got, drain(ch)...)
			if !slices.Equal(got, tt.want) {
				t.Errorf("the reader got %v, want %v", got, tt.want)
			}
			if !slices.Equal(lost, tt.lost) {
				t.Errorf("dropped was told %v, want %v", lost, tt.lost)
			}
		})
	}
}

// A reader that never reads costs the publisher nothing and costs the
// other subscribers nothing either.
func TestAStalledReaderNeitherBlocksNorStarvesOthers(t *testing.T) {
	t.Parallel()
	for _, h := range []*Hub[int]{Latest[int](), Queue[int](2, nil)} {
		_, stopStalled := h.Subscribe() // never read
		defer stopStalled()
		ch, stop := h.Subscribe()
		defer stop()
		done := make(chan []int)
		go func() {
			var got []int
			for v := 1; v <= 100; v++ {
				h.Publish(v)
				got = append(got, <-ch)
			}
			done <- got
		}()
		select {
		case got := <-done:
			if len(got) != 100 || got[99] != 100 {
				t.Errorf("the reader beside a stalled one got %d values ending %d", len(got), got[len(got)-1])
			}
		case <-time.After(10 * time.Second):
			t.Fatal("Publish waited for a reader that does not read")
		}
	}
}

// Under a publisher that does not wait, a slow reader sees values in the
// order published; of Latest it always ends with the newest, and of a
// Queue what it missed is exactly what dropped was told.
func TestSlowReaderUnderLoad(t *testing.T) {
	t.Parallel()
	const n = 2000
	tests := []struct {
		name  string
		queue int
	}{
		{"latest", 0},
		{"queue", 8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var mu sync.Mutex
			lost := 0
			h := Latest[int]()
			if tt.queue > 0 {
				h = Queue(tt.queue, func(int) { mu.Lock(); lost++; mu.Unlock() })
			}
			ch, stop := h.Subscribe()
			defer stop()
			published := make(chan struct{})
			go func() {
				for v := 1; v <= n; v++ {
					h.Publish(v)
				}
				close(published)
			}()
			var got []int
			reading := true
			for reading {
				select {
				case v := <-ch:
					got = append(got, v)
					time.Sleep(10 * time.Microsecond) // slower than the publisher
				case <-published:
					got = append(got, drain(ch)...)
					reading = false
				}
			}
			if !slices.IsSorted(got) || len(slices.Compact(slices.Clone(got))) != len(got) {
				t.Fatalf("values out of order or repeated: %v", got)
			}
			if tt.queue == 0 && got[len(got)-1] != n {
				t.Errorf("the slow reader ended with %d, want the newest, %d", got[len(got)-1], n)
			}
			if tt.queue > 0 && len(got)+lost != n {
				t.Errorf("received %d + told dropped %d = %d, want %d", len(got), lost, len(got)+lost, n)
			}
		})
	}
}
