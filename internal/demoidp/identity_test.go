package demoidp

import (
	"errors"
	"sync"
	"testing"
	"time"

	"loginshell/internal/fault"
	"loginshell/internal/lockout"
)

// testClock is a fixed clock the test moves by hand.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// TestIdentityLocksOut: the demo identity locks a user out as the
// keychain does: ten consecutive wrong passwords, then a refusal of even
// the right one until the delay has passed (issue 21.6).
func TestIdentityLocksOut(t *testing.T) {
	t.Parallel()
	newIdentity := func(t *testing.T) (*Identity, *testClock) {
		t.Helper()
		c := &testClock{t: time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)}
		id, err := NewIdentity(DemoUsers(), c.Now)
		if err != nil {
			t.Fatal(err)
		}
		return id, c
	}
	wrong := func(t *testing.T, id *Identity, user string, n int) error {
		t.Helper()
		var err error
		for range n {
			_, err = id.Verify(user, "not-the-password")
		}
		return err
	}
	for _, tt := range []struct {
		name     string
		run      func(t *testing.T, id *Identity, c *testClock) error
		wantErr  error
		wantKind fault.Kind
		wantLock bool // the error holds a lockout (lockout.In)
	}{
		{name: "the listed password signs", run: func(t *testing.T, id *Identity, _ *testClock) error {
			_, err := id.Verify("Operator", "operator-demo")
			return err
		}},
		{name: "nine wrong passwords are wrong, no more", run: func(t *testing.T, id *Identity, _ *testClock) error {
			return wrong(t, id, "operator", lockout.Threshold-1)
		}, wantErr: ErrWrongCredentials, wantKind: fault.Forbidden},
		{name: "the tenth wrong password locks the user out", run: func(t *testing.T, id *Identity, _ *testClock) error {
			return wrong(t, id, "operator", lockout.Threshold)
		}, wantErr: ErrWrongCredentials, wantKind: fault.Forbidden, wantLock: true},
		{name: "a locked-out user is refused the right password", run: func(t *testing.T, id *Identity, _ *testClock) error {
			wrong(t, id, "operator", lockout.Threshold)
			_, err := id.Verify("operator", "operator-demo")
			return err
		}, wantKind: fault.Locked, wantLock: true},
		{name: "the lockout is one user's: another still signs", run: func(t *testing.T, id *Identity, _ *testClock) error {
			wrong(t, id, "operator", lockout.Threshold)
			_, err := id.Verify("supervisor", "supervisor-demo")
			return err
		}},
		{name: "the user ID's case does not escape the count", run: func(t *testing.T, id *Identity, _ *testClock) error {
			wrong(t, id, "operator", lockout.Threshold-1)
			return wrong(t, id, "OPERATOR", 1)
		}, wantErr: ErrWrongCredentials, wantKind: fault.Forbidden, wantLock: true},
		{name: "once the delay has passed the right password signs", run: func(t *testing.T, id *Identity, c *testClock) error {
			wrong(t, id, "operator", lockout.Threshold)
			c.Advance(lockout.Base)
			_, err := id.Verify("operator", "operator-demo")
			return err
		}},
		{name: "a right password ends the count", run: func(t *testing.T, id *Identity, _ *testClock) error {
			wrong(t, id, "operator", lockout.Threshold-1)
			if _, err := id.Verify("operator", "operator-demo"); err != nil {
				return err
			}
			return wrong(t, id, "operator", lockout.Threshold-1)
		}, wantErr: ErrWrongCredentials, wantKind: fault.Forbidden},
		{name: "an unknown user ID is wrong and locks nothing", run: func(t *testing.T, id *Identity, _ *testClock) error {
			err := wrong(t, id, "nobody", lockout.Threshold+1)
			if id.Knows("nobody") {
				t.Error("Knows(nobody)")
			}
			return err
		}, wantErr: ErrWrongCredentials, wantKind: fault.Forbidden},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			id, c := newIdentity(t)
			err := tt.run(t, id, c)
			if tt.wantKind == 0 && tt.wantErr == nil {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("accepted")
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("error %v, want %v", err, tt.wantErr)
			}
			if fault.KindOf(err) != tt.wantKind {
				t.Errorf("kind %v, want %v", fault.KindOf(err), tt.wantKind)
			}
			if lockout.In(err) != tt.wantLock {
				t.Errorf("lockout.In(%v) = %v, want %v", err, lockout.In(err), tt.wantLock)
			}
		})
	}
	if _, err := NewIdentity(DemoUsers(), nil); err == nil {
		t.Error("NewIdentity without a clock succeeded")
	}
}
