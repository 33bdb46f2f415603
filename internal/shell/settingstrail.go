package shell

import (
	"context"
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
// They are written in the order made, off the caller (settingsTrail): a
// setting saved never waits for the signature store, which opens at its
// first use and may be a plant's PostgreSQL that does not answer, and
// --demo's change at start does not open the store before the window. The
// returned flush waits for what is queued; Close calls it before the
// store closes.
func recordSettings(st *settings.Store, sigs *signature.Engine, users *user.Service, log *slog.Logger) (flush func()) {
	t := &settingsTrail{write: func(w settingWrite) {
		if err := sigs.RecordSetting(signature.ActingAs(context.Background(), w.who), w.change.Detail()); err != nil {
			// Not noted: the next start finds the change again and writes it then.
			log.Error("a change of the login server is not in the audit trail; it is written at the next start", "key", w.change.Key, "via", string(w.change.Via), "err", err)
			return
		}
		if err := st.Noted(w.change); err != nil {
			// The trail has it; at worst the next start writes it once more.
			log.Warn("the login server's recorded value was not kept", "err", err)
		}
	}}
	t.idle = sync.NewCond(&t.mu)
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
	return t.flush
}

// settingWrite is one change of a setting and who made it.
type settingWrite struct {
	who    string
	change settings.Change
}

// settingsTrail writes queued changes one at a time, in order, on a
// goroutine that runs while there are any.
type settingsTrail struct {
	write func(settingWrite)
	mu    sync.Mutex
	idle  *sync.Cond // signalled when the queue is drained
	queue []settingWrite
	busy  bool
}

func (t *settingsTrail) add(w settingWrite) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.queue = append(t.queue, w)
	if !t.busy {
		t.busy = true
		go t.drain()
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
		t.write(w)
	}
}

func (t *settingsTrail) flush() {
	t.mu.Lock()
	defer t.mu.Unlock()
	for t.busy {
		t.idle.Wait()
	}
}
