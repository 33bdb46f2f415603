package lockout

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"loginshell/internal/fault"
)

func TestDelay(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name     string
		failures int
		want     time.Duration
	}{
		{"no failures, no delay", 0, 0},
		{"one short of the threshold, no delay", 9, 0},
		{"the tenth locks for thirty seconds", 10, 30 * time.Second},
		{"each further failure doubles it", 11, time.Minute},
		{"seven more hit the one-hour cap", 17, time.Hour},
		{"the cap holds for ever", 1000, time.Hour},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := Delay(tt.failures); got != tt.want {
				t.Errorf("Delay(%d) = %v, want %v", tt.failures, got, tt.want)
			}
		})
	}
}

// clock is a fixed clock the test moves by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func newMemory(t *testing.T) (*Memory, *clock) {
	t.Helper()
	c := &clock{t: time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)}
	m, err := NewMemory(c.Now)
	if err != nil {
		t.Fatal(err)
	}
	return m, c
}

func TestMemory(t *testing.T) {
	t.Parallel()
	t.Run("nine wrong passwords lock nothing, the tenth locks for thirty seconds", func(t *testing.T) {
		t.Parallel()
		m, c := newMemory(t)
		for i := 1; i < Threshold; i++ {
			if err := m.Fail("operator"); err != nil {
				t.Fatalf("failure %d locked: %v", i, err)
			}
			if err := m.Check("operator"); err != nil {
				t.Fatalf("locked after %d failures: %v", i, err)
			}
		}
		var locked *Error
		if err := m.Fail("operator"); !errors.As(err, &locked) || !locked.Until.Equal(c.Now().Add(Base)) || locked.Failures != Threshold {
			t.Fatalf("the tenth failure = %v, want a lockout until %v", err, c.Now().Add(Base))
		}
		if err := m.Check("operator"); fault.KindOf(err) != fault.Locked {
			t.Errorf("Check while locked = %v, want a lockout", err)
		}
		if err := m.Check("supervisor"); err != nil {
			t.Errorf("another user is locked: %v", err)
		}
		c.Advance(Base)
		if err := m.Check("operator"); err != nil {
			t.Errorf("still locked once the delay passed: %v", err)
		}
		if err := m.Fail("operator"); !errors.As(err, &locked) || !locked.Until.Equal(c.Now().Add(2*Base)) {
			t.Errorf("the eleventh failure = %v, want a lockout twice as long", err)
		}
	})
	t.Run("a right password ends the count", func(t *testing.T) {
		t.Parallel()
		m, _ := newMemory(t)
		for range Threshold - 1 {
			_ = m.Fail("operator")
		}
		m.Succeed("operator")
		if err := m.Fail("operator"); err != nil {
			t.Errorf("the first failure after a success locked: %v", err)
		}
	})
	t.Run("a clock is required", func(t *testing.T) {
		t.Parallel()
		if _, err := NewMemory(nil); err == nil {
			t.Error("NewMemory(nil) succeeded")
		}
	})
}

func TestIn(t *testing.T) {
	t.Parallel()
	wrong := fault.New(fault.Forbidden, "wrong password")
	locked := &Error{Until: time.Now(), Failures: 10}
	for _, tt := range []struct {
		name string
		err  error
		want bool
	}{
		{"no error is no lockout", nil, false},
		{"a wrong password is no lockout", wrong, false},
		{"a lockout in force is one", locked, true},
		{"a lockout wrapped is one", fmt.Errorf("verify: %w", locked), true},
		{"a wrong password that starts a lockout holds one", fault.Explain(wrong, "wrong password. %w", locked), true},
		{"a lockout joined to another error is one", errors.Join(errors.New("x"), locked), true},
		{"an error of another kind wrapping nothing is none", fault.Explain(wrong, "wrong password: %v", "text"), false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := In(tt.err); got != tt.want {
				t.Errorf("In(%v) = %v, want %v", tt.err, got, tt.want)
			}
			if l := Of(tt.err); (l != nil) != tt.want || (l != nil && l.Error() != locked.Error()) {
				t.Errorf("Of(%v) = %v, want the lockout: %v", tt.err, l, tt.want)
			}
		})
	}
}
