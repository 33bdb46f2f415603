package postgres_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"loginshell/internal/audit"
	"loginshell/internal/cli"
	"loginshell/internal/signature"
	stationkey "loginshell/internal/station"
	"loginshell/internal/store/postgres"
	"loginshell/internal/store/postgres/pgtest"
)

// The tests of this file run the engines of several stations, each on a
// postgres.Store handle of its own, over one database: what a plant does.

// people are the signers every station knows; each one's password is
// "pw-" and the user ID.
var people = map[string]signature.Signer{
	"olga": {UserID: "olga", PrintedName: "Olga Operator", Roles: []string{"Operator"}},
	"otto": {UserID: "otto", PrintedName: "Otto Operator", Roles: []string{"Operator"}},
	"sam":  {UserID: "sam", PrintedName: "Sam Supervisor", Roles: []string{"Supervisor"}},
	"sue":  {UserID: "sue", PrintedName: "Sue Supervisor", Roles: []string{"Supervisor"}},
}

type identity struct{}

func (identity) Verify(userID, password string) (signature.Signer, error) {
	s, ok := people[userID]
	if !ok || password != "pw-"+userID {
		return signature.Signer{}, errors.New("wrong user ID or password")
	}
	return s, nil
}

// poster is a station's dialog: it keeps the challenges posted, by slot.
type poster struct {
	mu     sync.Mutex
	bySlot map[uuid.UUID]signature.Challenge
}

func (p *poster) Post(_, _ string, c signature.Challenge) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.bySlot[c.Slot] = c
	return nil
}

func (p *poster) Close(string) {}

func (p *poster) challenge(slot uuid.UUID) signature.Challenge {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.bySlot[slot]
}

var (
	release = signature.Template{Name: "Line Release", Expression: "{role:Operator} AND {role:Supervisor}", Timeout: 10,
		ForceUniqueUser: true, Meaning: "Approval: I approve the release of this line."}
	probe = signature.Template{Name: "Probe", Expression: "{role:Operator}", Timeout: 10, Meaning: "Test"}
)

// station is one station's engine over a store handle of its own.
type station struct {
	name   string
	store  *postgres.Store
	engine *signature.Engine
	poster *poster
}

// newStation opens a handle on dsn, signing checkpoints with a station
// key of its own as a station does, and runs its engine's Watch until tb
// ends.
func newStation(tb testing.TB, dsn, name string) *station {
	tb.Helper()
	ctx := context.Background()
	key, err := stationkey.Open(stationkey.Options{Dir: tb.TempDir(), Name: name, Now: time.Now})
	if err != nil {
		tb.Fatal(err)
	}
	s, err := postgres.Open(ctx, dsn, postgres.WithCheckpointer(key))
	if err != nil {
		tb.Fatal(err)
	}
	p := &poster{bySlot: map[uuid.UUID]signature.Challenge{}}
	e, err := signature.New(signature.Options{Store: s, Identities: map[string]signature.Identity{signature.IDPLocal: identity{}},
		Poster: p, Now: time.Now, Station: name})
	if err != nil {
		tb.Fatal(err)
	}
	wctx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { e.Watch(wctx); close(done) }()
	tb.Cleanup(func() { stop(); <-done; s.Close(); key.Close() })
	return &station{name: name, store: s, engine: e, poster: p}
}

// session is the session of the station's page.
func (st *station) session() string { return "session-" + st.name }

// trigger posts the challenge of slot to the station's page and returns
// it.
func (st *station) trigger(ctx context.Context, slot uuid.UUID, approve bool) (signature.Challenge, error) {
	if err := st.engine.Trigger(ctx, slot, st.session(), "page", approve, signature.Plant); err != nil {
		return signature.Challenge{}, err
	}
	return st.poster.challenge(slot), nil
}

// sign triggers slot at the station and answers as user.
func (st *station) sign(ctx context.Context, slot uuid.UUID, user string, approve bool) (signature.Outcome, error) {
	c, err := st.trigger(ctx, slot, approve)
	if err != nil {
		return signature.Outcome{}, err
	}
	return st.engine.Answer(ctx, c.ID, user, "pw-"+user, "signed at "+st.name)
}

// listening waits until listener hears a change signer makes: a station's
// LISTEN connection comes up (and back, after the database was away) on
// its own time, and changes committed before it are not replayed.
func listening(tb testing.TB, listener, signer *station) {
	tb.Helper()
	ctx := context.Background()
	session := "probe-" + uuid.NewString()
	heard, cancel := listener.engine.Subscribe(session)
	defer cancel()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		ids, err := listener.engine.Queue(ctx, signature.Queuing{Template: probe.Name, Name: "probe", Session: session})
		if err == nil {
			_, err = signer.sign(ctx, ids[0], "otto", true)
		}
		if err != nil {
			time.Sleep(200 * time.Millisecond)
			continue
		}
		select {
		case <-heard:
			return
		case <-time.After(300 * time.Millisecond):
		}
	}
	tb.Fatalf("%s does not hear %s's signatures within 30 s", listener.name, signer.name)
}

// plant is stations on one new database, with the templates stored and
// every station hearing every other.
func plant(tb testing.TB, dsn string, names ...string) []*station {
	tb.Helper()
	var sts []*station
	for _, n := range names {
		sts = append(sts, newStation(tb, dsn, n))
	}
	for _, t := range []signature.Template{release, probe} {
		if err := sts[0].engine.PutTemplate(context.Background(), t); err != nil {
			tb.Fatal(err)
		}
	}
	// One LISTEN connection per station hears every other station.
	for i, l := range sts {
		if len(sts) > 1 {
			listening(tb, l, sts[(i+1)%len(sts)])
		}
	}
	return sts
}

// outcomes collects what a subscription delivers until quiet passes with
// nothing new after a decisive (approve, reject) outcome, or within.
func outcomes(t *testing.T, ch <-chan signature.Outcome, within, quiet time.Duration) []signature.Outcome {
	t.Helper()
	var got []signature.Outcome
	deadline := time.After(within)
	for {
		wait := within
		if n := len(got); n > 0 && (got[n-1].Kind == signature.OutcomeApprove || got[n-1].Kind == signature.OutcomeReject) {
			wait = quiet
		}
		select {
		case o := <-ch:
			got = append(got, o)
		case <-time.After(wait):
			return got
		case <-deadline:
			return got
		}
	}
}

func kinds(os []signature.Outcome) string {
	var k []string
	for _, o := range os {
		k = append(k, o.Kind)
	}
	return strings.Join(k, " ")
}

// verifyTrail checks the trail as `audit verify` does: the chain, and
// every station's checkpoints against it.
func verifyTrail(t testing.TB, s *postgres.Store) {
	t.Helper()
	var r audit.Report
	start := time.Now()
	err := s.AuditTrail(context.Background(), func(tr audit.Trail) error {
		var err error
		r, err = audit.CheckTrail(tr, audit.Expect{})
		return err
	})
	if err != nil {
		t.Errorf("the audit trail is broken: %v", err)
		return
	}
	for _, p := range r.Problems {
		t.Errorf("the audit trail: %s", p.Text)
	}
	t.Logf("audit trail intact: %d entries, %d checkpoints of %d stations, checked in %v", r.Entries, r.Checkpoints, len(r.Stations), time.Since(start).Round(time.Millisecond))
}

func TestStations(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := pgtest.DB(t)
	sts := plant(t, dsn, "A", "B", "C")
	a, b, c := sts[0], sts[1], sts[2]

	t.Run("queued at A, signed at B and C: A's page hears the approval once", func(t *testing.T) {
		heard, cancel := a.engine.Subscribe(a.session())
		defer cancel()
		ids, err := a.engine.Queue(ctx, signature.Queuing{Template: release.Name, Name: "Release line 4", Description: "Batch 4711.", Session: a.session()})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := b.sign(ctx, ids[0], "olga", true); err != nil {
			t.Fatal(err)
		}
		if o, err := c.sign(ctx, ids[1], "sam", true); err != nil || o.Kind != signature.OutcomeApprove {
			t.Fatalf("C's signature: %+v, %v", o, err)
		}
		got := outcomes(t, heard, 5*time.Second, 500*time.Millisecond)
		if kinds(got) != "signed approve" {
			t.Fatalf("A heard %q, want \"signed approve\"", kinds(got))
		}
		if o := got[1]; o.Request.String() == "" || o.UserID != "sam" || o.PrintedName != "Sam Supervisor" || !o.Approved {
			t.Errorf("the approval A heard: %+v", o)
		}
	})

	t.Run("a script queues and waits; B and C sign; the script prints both and exits 0", func(t *testing.T) {
		pr, pw := io.Pipe()
		done := make(chan error, 1)
		var stderr strings.Builder
		go func() {
			code := cli.Run([]string{"signature", "queue", "--data", t.TempDir(), "--store", dsn, "--template", "line release",
				"--name", "Release line 5", "--description", "Batch 4712.", "--wait", "--timeout", "30s"}, pw, &stderr, cli.Options{Poll: 5 * time.Second})
			if code != 0 {
				done <- fmt.Errorf("exit status %d: %s", code, stderr.String())
			} else {
				done <- nil
			}
			pw.Close()
		}()
		lines := bufio.NewScanner(pr)
		var slots []uuid.UUID
		for len(slots) < 2 && lines.Scan() {
			id, err := uuid.Parse(lines.Text())
			if err != nil {
				t.Fatalf("line %q is not a slot UUID", lines.Text())
			}
			slots = append(slots, id)
		}
		// The script's Poll is 5 s: it hears the outcome by LISTEN well
		// before. Nothing to wait for here: its Watch reads the changes
		// log's head first and, once its connection listens, reports every
		// change committed after that head, so B and C may sign before the
		// listener is up. (A signature committed between the script's first
		// read of its request and that head read is found by the next
		// poll, 5 s later: slower, never lost.)
		if _, err := b.sign(ctx, slots[0], "otto", true); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		if _, err := c.sign(ctx, slots[1], "sue", true); err != nil {
			t.Fatal(err)
		}
		var rest strings.Builder
		for lines.Scan() {
			rest.WriteString(lines.Text() + "\n")
		}
		if err := <-done; err != nil {
			t.Fatalf("the script: %v\n%s", err, rest.String())
		}
		t.Logf("the script ended %v after C's Answer began:\n%s", time.Since(start), rest.String())
		for _, want := range []string{"approved: \"Release line 5\"", "approved by Otto Operator (user ID otto)", "approved by Sue Supervisor (user ID sue)",
			"signed at C", "Approval: I approve"} {
			if !strings.Contains(rest.String(), want) {
				t.Errorf("the script's output lacks %q", want)
			}
		}
	})

	t.Run("two stations signing one slot at the same moment: exactly one counts", func(t *testing.T) {
		for round := range 20 {
			ids, err := a.engine.Queue(ctx, signature.Queuing{Template: release.Name, Name: fmt.Sprintf("race %d", round), Session: a.session()})
			if err != nil {
				t.Fatal(err)
			}
			cb, err := b.trigger(ctx, ids[0], true)
			if err != nil {
				t.Fatal(err)
			}
			cc, err := c.trigger(ctx, ids[0], round%2 == 0) // half the time C rejects
			if err != nil {
				t.Fatal(err)
			}
			var wg sync.WaitGroup
			var errB, errC error
			gate := make(chan struct{})
			wg.Go(func() { <-gate; _, errB = b.engine.Answer(ctx, cb.ID, "olga", "pw-olga", "") })
			wg.Go(func() { <-gate; _, errC = c.engine.Answer(ctx, cc.ID, "otto", "pw-otto", "") })
			close(gate)
			wg.Wait()
			winner := "olga"
			switch {
			case errB == nil && errors.Is(errC, signature.ErrSlotTaken):
			case errC == nil && errors.Is(errB, signature.ErrSlotTaken):
				winner = "otto"
			default:
				t.Fatalf("round %d: B %v, C %v; want one nil and one ErrSlotTaken", round, errB, errC)
			}
			slot, _, err := a.store.Slot(ctx, ids[0])
			if err != nil || slot.Signature == nil || slot.Signature.Signer.UserID != winner {
				t.Fatalf("round %d: the slot holds %+v (%v), want %s's signature", round, slot.Signature, err, winner)
			}
		}
	})
	verifyTrail(t, a.store)
}

func TestStationsDatabaseRestart(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cluster := pgtest.NewCluster(t)
	sts := plant(t, cluster.CreateDB(t), "A", "B", "C")
	a, b, c := sts[0], sts[1], sts[2]
	heard, cancel := a.engine.Subscribe(a.session())
	defer cancel()

	ids, err := a.engine.Queue(ctx, signature.Queuing{Template: release.Name, Name: "Release line 6", Session: a.session()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.sign(ctx, ids[0], "olga", true); err != nil {
		t.Fatal(err)
	}
	open, err := c.trigger(ctx, ids[1], true)
	if err != nil {
		t.Fatal(err)
	}
	if got := outcomes(t, heard, 5*time.Second, 0); kinds(got) != "signed" {
		t.Fatalf("A heard %q, want \"signed\"", kinds(got))
	}

	if err := cluster.Stop(); err != nil {
		t.Fatal(err)
	}
	for _, op := range []struct {
		name string
		do   func() error
	}{
		{"queue at A", func() error {
			_, err := a.engine.Queue(ctx, signature.Queuing{Template: release.Name, Name: "while down", Session: a.session()})
			return err
		}},
		{"pending at B", func() error { _, err := b.engine.Pending(ctx, signature.Filter{}); return err }},
		{"trigger at B", func() error { _, err := b.trigger(ctx, ids[1], true); return err }},
		{"answer at C", func() error { _, err := c.engine.Answer(ctx, open.ID, "sam", "pw-sam", ""); return err }},
	} {
		start := time.Now()
		err := op.do()
		if d := time.Since(start); !errors.Is(err, postgres.ErrUnavailable) || d > 3*time.Second {
			t.Errorf("%s while the database is down: %v after %v; want ErrUnavailable at once", op.name, err, d)
		}
	}
	if err := cluster.Start(); err != nil {
		t.Fatal(err)
	}
	// The same engines, the same open challenge: C answers again.
	listening(t, a, c)
	if o, err := c.engine.Answer(ctx, open.ID, "sam", "pw-sam", "after the restart"); err != nil || o.Kind != signature.OutcomeApprove {
		t.Fatalf("C's answer after the restart: %+v, %v", o, err)
	}
	got := outcomes(t, heard, 5*time.Second, 500*time.Millisecond)
	if kinds(got) != "approve" {
		t.Fatalf("A heard %q after the restart, want \"approve\"", kinds(got))
	}
	verifyTrail(t, a.store)
}
