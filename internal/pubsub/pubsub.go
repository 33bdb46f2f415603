// Package pubsub hands what an engine publishes (the screen's views, an
// install's progress, signature outcomes) to every subscriber's channel
// without ever waiting for a reader. Engines publish while they hold locks
// that requests and screen changes wait on (DESIGN §1), so a reader that
// stalls (a tab in the background, a connection nobody noticed is dead)
// must cost the publisher nothing: the reader loses values instead. What
// it loses is chosen when the Hub is made:
//
//   - Latest: each subscriber holds one unread value and a newer one
//     replaces it. A slow reader misses intermediate values, never the
//     newest: right for state, where only the last value matters (the view
//     shown now, an install's last progress and its result).
//   - Queue(n, dropped): each subscriber holds up to n unread values in
//     order. A reader n values behind keeps those n and loses every value
//     published until it reads again (the newest ones); each loss is
//     reported to dropped: right for events that each matter (signature
//     outcomes), whose loss must at least be logged.
//
// Ending a subscription does NOT close its channel: readers select on their
// own context, and a closed channel would hand them zero values.
package pubsub

import "sync"

// Hub fans each published value out to its subscribers. Safe for
// concurrent use.
type Hub[T any] struct {
	size    int
	replace bool    // Latest: the newest value replaces the unread one
	dropped func(T) // Queue: told of each value a full subscriber misses

	mu   sync.Mutex
	subs map[chan T]func(T) bool // subscriber -> which values it takes
}

// Latest returns a Hub whose subscribers each hold only the newest unread
// value: a slow reader misses intermediate values, never the last one.
func Latest[T any]() *Hub[T] {
	return &Hub[T]{size: 1, replace: true, dropped: func(T) {}, subs: map[chan T]func(T) bool{}}
}

// Queue returns a Hub whose subscribers each buffer up to size values
// (at least 1). A value published while a subscriber's buffer is full is
// lost to that subscriber, and dropped (nil: nobody) is called with it
// once per such subscriber, under the Hub's lock: it must not call back
// into the Hub.
func Queue[T any](size int, dropped func(T)) *Hub[T] {
	if size < 1 {
		size = 1
	}
	if dropped == nil {
		dropped = func(T) {}
	}
	return &Hub[T]{size: size, dropped: dropped, subs: map[chan T]func(T) bool{}}
}

// Subscribe returns a channel that receives every value published from
// now on, as the Hub's kind allows (see Latest and Queue), and the func
// that ends the subscription (safe to call more than once).
func (h *Hub[T]) Subscribe() (<-chan T, func()) { return h.SubscribeWhere(nil) }

// SubscribeWhere is Subscribe for the values accept (nil: all) takes;
// accept runs under the Hub's lock and must answer at once. A value it
// refuses is not a loss.
func (h *Hub[T]) SubscribeWhere(accept func(T) bool) (<-chan T, func()) {
	if accept == nil {
		accept = func(T) bool { return true }
	}
	ch := make(chan T, h.size)
	h.mu.Lock()
	h.subs[ch] = accept
	h.mu.Unlock()
	return ch, func() {
		h.mu.Lock()
		delete(h.subs, ch)
		h.mu.Unlock()
	}
}

// Publish hands v to every subscriber that takes it and returns without
// waiting for any of them. Publishers that need their values seen in a
// given order publish under the lock that orders them.
func (h *Hub[T]) Publish(v T) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for ch, accept := range h.subs {
		if !accept(v) {
			continue
		}
		if h.replace {
			select { // take back the unread value v replaces
			case <-ch:
			default:
			}
		}
		// Only Publish sends, under h.mu: with replace the buffer has room now.
		select {
		case ch <- v:
		default:
			h.dropped(v)
		}
	}
}
