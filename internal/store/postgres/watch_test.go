package postgres

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"loginshell/internal/signature"
	"loginshell/internal/store/postgres/pgtest"
)

func TestWatch(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := pgtest.DB(t)
	a, b := open(t, dsn), open(t, dsn)
	heard := make(chan uuid.UUID, 8)
	changes := map[uuid.UUID]signature.Change{} // by slot, as heard
	var mu sync.Mutex
	wctx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		a.Watch(wctx, func(c signature.Change) {
			mu.Lock()
			changes[c.Slot] = c
			mu.Unlock()
			heard <- c.Slot
		})
		close(done)
	}()
	defer func() { stop(); <-done }()

	queue := func(name string) signature.Request {
		r := signature.Request{ID: uuid.New(), Template: "T", Name: name, State: signature.Pending, Station: "A", Session: "s",
			QueuedAt: time.Now(), Slots: []signature.Slot{{ID: uuid.New(), Clause: "{role:A}"}}}
		if err := a.Queue(ctx, r); err != nil {
			t.Fatal(err)
		}
		return r
	}
	sig := signature.Signature{Signer: signature.Signer{UserID: "bob"}, Approve: true, SignedAt: time.Now(), Station: "B"}

	// Watch may not have read the changes log's head yet: sign probes
	// until one is heard. Every change after that head is reported, in
	// commit order, so the probes after the first heard follow it: read up
	// to the last, and the subtests hear only their own changes. (Taking
	// only a notice of the probe just signed never caught up with a
	// backlog of earlier probes reported from the log.)
	var probes []uuid.UUID
	deadline := time.After(10 * time.Second)
	last := uuid.Nil
	for last == uuid.Nil {
		r := queue("probe")
		if _, err := b.Sign(ctx, r.Slots[0].ID, sig, false); err != nil {
			t.Fatal(err)
		}
		probes = append(probes, r.Slots[0].ID)
		select {
		case last = <-heard:
		case <-time.After(200 * time.Millisecond):
		case <-deadline:
			t.Fatal("no notification within 10 s")
		}
	}
	for last != probes[len(probes)-1] {
		if !slices.Contains(probes, last) {
			t.Fatalf("heard %s, which is no probe", last)
		}
		select {
		case last = <-heard:
		case <-deadline:
			t.Fatal("the probes after the first heard were not all heard within 10 s")
		}
	}

	t.Run("a signature at another station is heard within a second", func(t *testing.T) {
		r := queue("second")
		start := time.Now()
		if _, err := b.Sign(ctx, r.Slots[0].ID, sig, false); err != nil {
			t.Fatal(err)
		}
		select {
		case slot := <-heard:
			if slot != r.Slots[0].ID {
				t.Errorf("heard %s, want %s", slot, r.Slots[0].ID)
			}
			t.Logf("heard after %v", time.Since(start))
			// Whose change it is, so a station none of whose pages
			// hears of it need not read it.
			mu.Lock()
			c := changes[slot]
			mu.Unlock()
			if c.Request != r.ID || c.Session != signature.SessionKey("s") || c.State != signature.Approved {
				t.Errorf("heard %+v, want request %s, session key %s, approved", c, r.ID, signature.SessionKey("s"))
			}
		case <-time.After(time.Second):
			t.Fatal("not heard within a second")
		}
	})

	t.Run("a cancel at another station is heard, a change of its own is not", func(t *testing.T) {
		own := queue("own")
		if _, err := a.Cancel(ctx, own.ID); err != nil {
			t.Fatal(err)
		}
		other := queue("other")
		if _, err := b.Cancel(ctx, other.ID); err != nil {
			t.Fatal(err)
		}
		select {
		case slot := <-heard:
			if slot != other.Slots[0].ID {
				t.Errorf("heard %s, want the other station's cancel %s", slot, other.Slots[0].ID)
			}
		case <-time.After(time.Second):
			t.Fatal("not heard within a second")
		}
		select {
		case slot := <-heard:
			t.Errorf("heard %s as well", slot)
		case <-time.After(100 * time.Millisecond):
		}
	})
}

// TestWatchReplaysWhatItMissed cuts the watcher's connection, commits a
// signature and a cancel while it waits to listen again, and expects both
// reported once it is back, in commit order, and nothing twice.
func TestWatchReplaysWhatItMissed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := pgtest.DB(t)
	a, b := open(t, dsn), open(t, dsn)
	a.retryMin = 3 * time.Second // the window in which b's changes go unheard
	admin, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	listeners := func() int {
		var n int
		if err := admin.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND application_name = 'loginshell watch'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	type notice struct {
		slot  uuid.UUID
		state signature.State
	}
	heard := make(chan notice, 8)
	wctx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		a.Watch(wctx, func(c signature.Change) { heard <- notice{c.Slot, c.State} })
		close(done)
	}()
	defer func() { stop(); <-done }()
	queue := func(name string, slots int) signature.Request {
		r := signature.Request{ID: uuid.New(), Template: "T", Name: name, State: signature.Pending, Station: "A", Session: "s", QueuedAt: time.Now()}
		for i := range slots {
			r.Slots = append(r.Slots, signature.Slot{ID: uuid.New(), Index: i, Clause: "{role:A}"})
		}
		if err := a.Queue(ctx, r); err != nil {
			t.Fatal(err)
		}
		return r
	}
	for deadline := time.Now().Add(10 * time.Second); listeners() == 0; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the watcher did not listen within 10 s")
		}
	}
	if _, err := admin.Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE datname = current_database() AND application_name = 'loginshell watch'`); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); listeners() != 0; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the watcher's connection was not ended within 10 s")
		}
	}

	signed, cancelled := queue("signed", 2), queue("cancelled", 1)
	sig := signature.Signature{Signer: signature.Signer{UserID: "bob"}, Approve: true, SignedAt: time.Now(), Station: "B"}
	if _, err := b.Sign(ctx, signed.Slots[0].ID, sig, false); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Cancel(ctx, cancelled.ID); err != nil {
		t.Fatal(err)
	}
	if listeners() != 0 {
		t.Fatal("the watcher listened again before the changes committed: they were not missed, and this test proves nothing")
	}

	want := []notice{{signed.Slots[0].ID, signature.Pending}, {cancelled.Slots[0].ID, signature.Cancelled}}
	for i, w := range want {
		select {
		case got := <-heard:
			if got != w {
				t.Errorf("notice %d: %v, want %v", i, got, w)
			}
		case <-time.After(20 * time.Second):
			t.Fatalf("notice %d (%v) not reported within 20 s of the connection's end", i, w)
		}
	}
	// Heard now: a later change is reported once, by its notice.
	if _, err := b.Sign(ctx, signed.Slots[1].ID, sig, false); err != nil {
		t.Fatal(err)
	}
	select {
	case got := <-heard:
		if w := (notice{signed.Slots[1].ID, signature.Approved}); got != w {
			t.Errorf("after replay: %v, want %v", got, w)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the change after the replay was not reported")
	}
	select {
	case got := <-heard:
		t.Errorf("reported as well: %v", got)
	case <-time.After(200 * time.Millisecond):
	}
}

// TestWatchReportsAReplayedChangeOnce commits a change at another station
// after the watcher listens again but before it reads what it missed from
// the changes log, so the change is both in the log and noticed: it must
// be reported once, by whichever comes first (the log), never again when
// its notice arrives.
func TestWatchReportsAReplayedChangeOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := pgtest.DB(t)
	a, b := open(t, dsn), open(t, dsn)
	a.retryMin = 50 * time.Millisecond
	admin, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)

	r := signature.Request{ID: uuid.New(), Template: "T", Name: "r", State: signature.Pending, Station: "A", Session: "s",
		QueuedAt: time.Now(), Slots: []signature.Slot{{ID: uuid.New(), Clause: "{role:A}"}}}
	if err := a.Queue(ctx, r); err != nil {
		t.Fatal(err)
	}
	sig := signature.Signature{Signer: signature.Signer{UserID: "bob"}, Approve: true, SignedAt: time.Now(), Station: "B"}
	listening := make(chan struct{}, 1) // the first connection listens
	signed := make(chan error, 1)       // the change committed between LISTEN and the log's read
	connections := 0                    // only the watch goroutine counts
	a.afterListen = func() {
		connections++
		switch connections {
		case 1:
			listening <- struct{}{}
		case 2:
			_, err := b.Sign(ctx, r.Slots[0].ID, sig, false)
			signed <- err
		}
	}

	type notice struct {
		slot  uuid.UUID
		state signature.State
	}
	heard := make(chan notice, 8)
	wctx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		a.Watch(wctx, func(c signature.Change) { heard <- notice{c.Slot, c.State} })
		close(done)
	}()
	defer func() { stop(); <-done }()

	select {
	case <-listening:
	case <-time.After(10 * time.Second):
		t.Fatal("the watcher did not listen within 10 s")
	}
	// The first connection has read the log's head; end it, so the next
	// one reads the log after that head once it listens.
	if _, err := admin.Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE datname = current_database() AND application_name = 'loginshell watch'`); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-signed:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the watcher did not listen again within 20 s")
	}

	want := notice{r.Slots[0].ID, signature.Approved}
	select {
	case got := <-heard:
		if got != want {
			t.Errorf("reported %v, want %v", got, want)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the change was not reported")
	}
	// Its notice was sent to the listening connection too: give it time
	// to arrive, and to be reported in error.
	select {
	case got := <-heard:
		t.Errorf("reported again: %v", got)
	case <-time.After(time.Second):
	}
}

// TestDeadConnectionsAreReplaced ends every connection the store holds,
// as a quick server restart does, and expects the next reads and writes
// to succeed on fresh connections: an operator must not meet one error
// per pooled connection for a database that is back.
func TestDeadConnectionsAreReplaced(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := pgtest.DB(t)
	s := open(t, dsn)
	admin, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	tpl := signature.Template{Name: "T", Expression: "{role:A}", IDP: "local", Framing: signature.FramingEmbedded, Meaning: "M"}
	ops := []struct {
		name string
		run  func() error
	}{
		{"Template", func() error { _, err := s.Template(ctx, "T"); return err }},
		{"Templates", func() error { _, err := s.Templates(ctx); return err }},
		{"PutTemplate", func() error { return s.PutTemplate(ctx, tpl) }},
		{"Pending", func() error { _, err := s.Pending(ctx, signature.Filter{}); return err }},
		{"Queue", func() error {
			return s.Queue(ctx, signature.Request{ID: uuid.New(), Template: "T", Name: "r", State: signature.Pending, Station: "A",
				Session: "s", QueuedAt: time.Now(), Slots: []signature.Slot{{ID: uuid.New(), Clause: "{role:A}"}}})
		}},
	}
	if err := s.PutTemplate(ctx, tpl); err != nil {
		t.Fatal(err)
	}
	for _, op := range ops {
		t.Run(op.name, func(t *testing.T) {
			// Fill the pool with a few connections in use a moment ago.
			var wg sync.WaitGroup
			for range 4 {
				wg.Go(func() { s.Pending(ctx, signature.Filter{}) })
			}
			wg.Wait()
			var ended int
			if err := admin.QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
				WHERE datname = current_database() AND application_name = 'loginshell'`).Scan(&ended); err != nil {
				t.Fatal(err)
			}
			if ended == 0 {
				t.Fatal("the store held no connection to end: this test proves nothing")
			}
			if err := op.run(); err != nil {
				t.Errorf("after %d connections ended: %v", ended, err)
			}
		})
	}
}

// TestChangesLogKeepsTheLast10000 pins the README's promise: the changes
// log keeps the last 10,000 changes for stations that were away, and no
// more.
func TestChangesLogKeepsTheLast10000(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := open(t, pgtest.DB(t))
	if keptChanges != 10_000 {
		t.Fatalf("keptChanges = %d, the README says 10,000", keptChanges)
	}
	const n = 10_005
	err := s.write(ctx, "fill the changes log", func(tx *writeTx) error {
		b := &pgx.Batch{}
		for range n {
			s.notify(b, uuid.New(), signature.Request{ID: uuid.New(), State: signature.Pending})
		}
		return tx.SendBatch(ctx, b).Close()
	})
	if err != nil {
		t.Fatal(err)
	}
	var count, oldest, newest int64
	if err := s.pool.QueryRow(ctx, `SELECT count(*), min(seq), max(seq) FROM changes`).Scan(&count, &oldest, &newest); err != nil {
		t.Fatal(err)
	}
	if count != 10_000 || oldest != n-10_000+1 || newest != n {
		t.Errorf("the log holds %d changes, %d to %d; want the last 10,000: %d to %d", count, oldest, newest, n-10_000+1, n)
	}
}

// TestParseNotice: a notice names whose change it is after the origin; a
// station of an older version wrote none, and its notice is still heard
// (the request is then read in full).
func TestParseNotice(t *testing.T) {
	t.Parallel()
	slot, req := uuid.New(), uuid.New()
	key := signature.SessionKey("s")
	for _, tc := range []struct {
		name, payload  string
		ok             bool
		origin         string
		request        uuid.UUID
		session, state string
	}{
		{"this version's notice", fmt.Sprintf("7 %s 0a1b/%s/%s approved", slot, req, key), true, "0a1b", req, key, "approved"},
		{"an older station's notice", fmt.Sprintf("7 %s 0a1b rejected", slot), true, "0a1b", uuid.Nil, "", "rejected"},
		{"an origin field that names no request", fmt.Sprintf("7 %s 0a1b/not-a-uuid/%s pending", slot, key), true, "0a1b/not-a-uuid/" + key, uuid.Nil, "", "pending"},
		{"too few fields", fmt.Sprintf("7 %s approved", slot), false, "", uuid.Nil, "", ""},
		{"no number", fmt.Sprintf("x %s 0a1b approved", slot), false, "", uuid.Nil, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, ok := parseNotice(tc.payload)
			if ok != tc.ok {
				t.Fatalf("parseNotice(%q) ok = %v, want %v", tc.payload, ok, tc.ok)
			}
			if !ok {
				return
			}
			if c.seq != 7 || c.Slot != slot || c.origin != tc.origin || c.Request != tc.request || c.Session != tc.session || string(c.State) != tc.state {
				t.Errorf("parseNotice(%q) = %+v", tc.payload, c)
			}
		})
	}
}
