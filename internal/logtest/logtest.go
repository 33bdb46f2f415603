// Package logtest is for tests that read a log while goroutines write it.
package logtest

import (
	"bytes"
	"sync"
)

// Buffer is a log destination (slog's handlers, log.Logger) that the
// code under test may write from any goroutine while the test reads it.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *Buffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// String is everything written so far.
func (l *Buffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
