package signature_test

import (
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"loginshell/internal/audit"
	"loginshell/internal/keychain"
	"loginshell/internal/screen"
	"loginshell/internal/signature"
	"loginshell/internal/store/sqlite"
	"loginshell/internal/user"
)

// lineRelease is the demo's template: an operator, then a supervisor, not
// the same person.
var lineRelease = signature.Template{Name: "Line Release Approval", Description: "Release a line",
	Expression: "{role:Operator} AND {role:Supervisor}", IDP: signature.IDPLocal, Framing: signature.FramingEmbedded,
	Timeout: 2, ForceUniqueUser: true, Meaning: "Approval"}

// env is an engine over a real SQLite store, a real keychain holding the
// offline passwords of operator (Operator), supervisor (Supervisor,
// Operator) and qa (QA), and a real screen showing the line app.
type env struct {
	eng    *signature.Engine
	store  *sqlite.Store
	screen *screen.Screen
	page   string
	dir    string
}

// alerts is every alert of the trail, in order.
func (e *env) alerts(t *testing.T) []audit.Entry {
	t.Helper()
	return e.entries(t, audit.EventAlert)
}

// entries is every entry of the trail of the event given, in order.
func (e *env) entries(t *testing.T, event string) []audit.Entry {
	t.Helper()
	var out []audit.Entry
	if err := e.store.AuditEntries(context.Background(), func(en audit.Entry) error {
		if en.Event == event {
			out = append(out, en)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

var people = []struct {
	name, password string
	roles          []string
}{
	{"operator", "operator-pass-1", []string{"Operator"}},
	{"supervisor", "supervisor-pass-1", []string{"Supervisor", "Operator"}},
	{"qa", "qa-pass-1", []string{"QA"}},
}

func newEnv(t *testing.T, dir string, opts ...func(*signature.Options)) *env {
	t.Helper()
	if dir == "" {
		dir = t.TempDir()
	}
	kc, err := keychain.Open(keychain.Options{Dir: filepath.Join(dir, "keychain"), Now: time.Now, Log: slog.New(slog.DiscardHandler),
		Params: keychain.Params{Time: 1, MemoryKiB: 64, Threads: 1}, InsecureAllowWeakParams: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range people {
		if kc.Exists(p.name) {
			continue
		}
		if err := kc.Create(p.name, p.password, user.Profile{Username: p.name, Name: strings.ToUpper(p.name[:1]) + p.name[1:] + " Example", Roles: p.roles}); err != nil {
			t.Fatal(err)
		}
	}
	st, err := sqlite.Open(filepath.Join(dir, "signatures.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	scr := screen.New("test", "http://p.localhost:1", nil, nil)
	scr.ShowPage("/webapps/lineapp/index.html", "Line")
	o := signature.Options{Store: st, Identities: map[string]signature.Identity{"local": signature.KeychainIdentity{Vault: kc}}, Poster: scr,
		Now: time.Now, Station: "station-a"}
	for _, opt := range opts {
		opt(&o)
	}
	eng, err := signature.New(o)
	if err != nil {
		t.Fatal(err)
	}
	if err := eng.PutTemplate(context.Background(), lineRelease); err != nil {
		t.Fatal(err)
	}
	return &env{eng: eng, store: st, screen: scr, page: scr.Current().Page, dir: dir}
}

// outcomes collects the session's outcomes.
func (e *env) outcomes(t *testing.T) <-chan signature.Outcome {
	ch, stop := e.eng.Subscribe(e.screen.Session())
	t.Cleanup(stop)
	return ch
}

// sign triggers slot and answers its dialog as user with password.
func (e *env) sign(t *testing.T, slot uuid.UUID, approve bool, user, password, comment string) (signature.Outcome, error) {
	t.Helper()
	if err := e.eng.Trigger(context.Background(), slot, e.screen.Session(), e.page, approve, signature.Plant); err != nil {
		t.Fatalf("Trigger: %v", err)
	}
	c := e.screen.Current().Challenge
	if c == nil || c.Slot != slot || c.Approve != approve {
		t.Fatalf("the dialog shows %+v, want slot %s", c, slot)
	}
	return e.eng.Answer(context.Background(), c.ID, user, password, comment)
}

// signAnyway is sign, answering again as the same person when the engine
// asks to confirm (ErrOtherSlot: they could also give another slot).
func (e *env) signAnyway(t *testing.T, slot uuid.UUID, approve bool, user, password, comment string) (signature.Outcome, error) {
	t.Helper()
	o, err := e.sign(t, slot, approve, user, password, comment)
	if signature.NeedsConfirm(err) {
		o, err = e.eng.Answer(context.Background(), e.screen.Current().Challenge.ID, user, password, comment)
	}
	return o, err
}

func (e *env) queue(t *testing.T) []uuid.UUID {
	t.Helper()
	ids, err := e.eng.Queue(context.Background(), signature.Queuing{Template: "line release approval", Name: "Release line", Description: "Batch 4711", Session: e.screen.Session()})
	if err != nil || len(ids) != 2 {
		t.Fatalf("Queue = %v, %v; want two slots", ids, err)
	}
	return ids
}

func next(t *testing.T, ch <-chan signature.Outcome) signature.Outcome {
	t.Helper()
	select {
	case o := <-ch:
		return o
	case <-time.After(10 * time.Second):
		t.Fatal("no outcome")
		return signature.Outcome{}
	}
}
