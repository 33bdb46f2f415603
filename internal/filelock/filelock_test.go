package filelock

import (
	"errors"
	"path/filepath"
	"testing"
	"time"
)

// TestTryLock: one holder at a time, however many open the file (two
// opens in one process exclude each other as two processes do: the lock
// is the open file's), and the next once it is let go.
func TestTryLock(t *testing.T) {
	path := filepath.Join(t.TempDir(), ".lock")
	a, ok, err := TryLock(path)
	if err != nil || !ok {
		t.Fatalf("first TryLock = %v, %v", ok, err)
	}
	if b, ok, err := TryLock(path); err != nil || ok || b != nil {
		t.Fatalf("second TryLock while held = %v, %v, %v; want refused", b, ok, err)
	}
	a.Unlock()
	b, ok, err := TryLock(path)
	if err != nil || !ok {
		t.Fatalf("TryLock after Unlock = %v, %v", ok, err)
	}
	b.Unlock()
}

// TestWait: a lock held all the wait is ErrBusy, having said once that
// it waits; one let go during the wait is taken.
func TestWait(t *testing.T) {
	path := filepath.Join(t.TempDir(), ".lock")
	held, _, err := TryLock(path)
	if err != nil {
		t.Fatal(err)
	}
	waited := 0
	if l, err := Wait(path, 50*time.Millisecond, func() { waited++ }); !errors.Is(err, ErrBusy) || l != nil {
		t.Fatalf("Wait while held = %v, %v; want ErrBusy", l, err)
	}
	if waited != 1 {
		t.Errorf("waiting called %d times, want once", waited)
	}
	go func() {
		time.Sleep(30 * time.Millisecond)
		held.Unlock()
	}()
	l, err := Wait(path, 10*time.Second, nil)
	if err != nil {
		t.Fatalf("Wait for a lock let go meanwhile: %v", err)
	}
	l.Unlock()
}
