package shell

import (
	"context"
	"errors"
	"log/slog"
	"sync"

	"loginshell/internal/settings"
	"loginshell/internal/signature"
	"loginshell/internal/user"
)

// recordSettings writes every change of the login server or the OpenID
// client (settings.Recorded) to the audit trail through the signature
// engine, as a template's change goes: who (the person signed in when it
// was made, else the OS user and host the shell runs as), where (the
// station: Engine stamps it), through what (settings.Via). The changes made
// before the engine existed are written first: settings.json edited by
// hand since the trail last took it, or a change whose trail write failed
// (settings.Noted: each written change is noted, so a failed one is found
// again at the next start), then --login-url and --demo.
//
// They are written in the order made, and never open the signature store
// themselves (issue 24.4: --demo changes login_url at every start, and
// opening SQLite, the station's key and the alert follower for it cost the
// idle window about 4 MB): a change made while the store is closed waits
// for its first use, which writes it before anything else (db's
// beforeUse), so the trail has it before any signature made under it.
// Once the store is open they are written off the caller (settingsTrail):
// a setting saved never waits for the store, which may be a plant's
// PostgreSQL that does not answer. The returned flush writes what waits,
// opening the store if need be, and waits for what is queued; Close calls
// it before the store closes.
func recordSettings(st *settings.Store, sigs *signature.Engine, users *user.Service, db *lazyStore, log *slog.Logger) (flush func()) {
	t := &settingsTrail{write: func(ctx context.Context, w settingWrite) {
		if err := sigs.RecordSetting(signature.ActingAs(ctx, w.who), w.change.Detail()); err != nil {
			// Not noted: the next start finds the change again and writes it then.
			log.Error("a change of the login server is not in the audit trail; it is written at the next start", "key", w.change.Key, "via", string(w.change.Via), "err", err)
			return
		}
		if err := st.Noted(w.change); err != nil {
			// The trail has it; at worst the next start writes it once more.
			log.Warn("the login server's recorded value was not kept", "err", err)
		}
	}, open: func() error {
		_, err := db.store()
		return err
	}}
	t.idle = sync.NewCond(&t.mu)
	db.BeforeUse(t.storeOpened)
	st.Record(func(c settings.Change) {
		who := OSActor()
		if p, _, ok := users.Current(); ok {
			who = p.Username
			if p.Name != "" && p.Name != p.Username {
				who += " (" + p.Name + ")"
			}
		}
		t.add(settingWrite{who: who, change: c})
	})
	return func() {
		if err := t.flush(); err != nil {
			log.Error("changes of the login server are not in the audit trail; they are written at the next start", "err", err)
		}
	}
}

// settingWrite is one change of a setting and who made it.
type settingWrite struct {
	who    string
	change settings.Change
}

// settingsTrail holds the changes made while the store is closed and
// writes the others one at a time, in order, on a goroutine that runs
// while there are any.
type settingsTrail struct {
	write func(context.Context, settingWrite)
	open  func() error // opens the store (flush)
	mu    sync.Mutex
	idle  *sync.Cond // signalled when the queue is drained
	queue []settingWrite
	busy  bool
	// ready: the store is open (storeOpened took the queue); changes
	// from then on are written as they come.
	ready bool
}

func (t *settingsTrail) add(w settingWrite) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.queue = append(t.queue, w)
	if t.ready && !t.busy {
		t.busy = true
		go t.drain()
	}
}

// storeOpened writes, with the opening store's context, the changes that
// waited for it; the store is given to no other use meanwhile. A change
// added from now on is drained (its write waits for the opening to end).
func (t *settingsTrail) storeOpened(ctx context.Context) {
	t.mu.Lock()
	t.ready = true
	waited := t.queue
	t.queue = nil
	t.mu.Unlock()
	for _, w := range waited {
		t.write(ctx, w)
	}
}

func (t *settingsTrail) drain() {
	for {
		t.mu.Lock()
		if len(t.queue) == 0 {
			t.busy = false
			t.idle.Broadcast()
			t.mu.Unlock()
			return
		}
		w := t.queue[0]
		t.queue = t.queue[1:]
		t.mu.Unlock()
		t.write(context.Background(), w)
	}
}

// flush opens the store when changes wait for it (storeOpened writes
// them), then waits for the queue to drain.
func (t *settingsTrail) flush() error {
	t.mu.Lock()
	waiting := !t.ready && len(t.queue) > 0
	t.mu.Unlock()
	if waiting {
		if err := t.open(); err != nil && !errors.Is(err, errStoreClosed) {
			return err
		}
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	for t.busy {
		t.idle.Wait()
	}
	return nil
}
