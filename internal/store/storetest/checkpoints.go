package storetest

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"reflect"
	"sync"
	"testing"

	"loginshell/internal/audit"
	"loginshell/internal/signature"
	"loginshell/internal/store"
)

// NewSignedDB is NewDB whose handles are opened with a Checkpointer
// (nil for none), as a station opens its store.
type NewSignedDB func(tb testing.TB) (open func(tb testing.TB, cp store.Checkpointer) Store)

// station is a Checkpointer with a key of its own, made from its name,
// and a fixed clock; it keeps what it was told was committed.
type station struct {
	name string
	key  ed25519.PrivateKey

	mu        sync.Mutex
	committed []audit.Checkpoint
}

func newStation(name string) *station {
	var seed [ed25519.SeedSize]byte
	copy(seed[:], name)
	return &station{name: name, key: ed25519.NewKeyFromSeed(seed[:])}
}

func (s *station) Sign(c audit.Checkpoint) audit.Checkpoint {
	c.Station, c.Time = s.name, base
	return audit.SignCheckpoint(s.key, c)
}

func (s *station) PublicKey() string {
	return hex.EncodeToString(s.key.Public().(ed25519.PublicKey))
}

func (s *station) Committed(c audit.Checkpoint) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.committed = append(s.committed, c)
}

func (s *station) told() []audit.Checkpoint {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]audit.Checkpoint(nil), s.committed...)
}

// pins are the fingerprints of the stations' keys, as a station that has
// seen them keeps them.
func pins(ss ...*station) map[string][]string {
	m := map[string][]string{}
	for _, s := range ss {
		m[s.name] = []string{audit.Fingerprint(audit.SignCheckpoint(s.key, audit.Checkpoint{}).Key)}
	}
	return m
}

// signed is what a store holds beside the entries, as AuditTrail read it.
type signed struct {
	Store       string
	Keys        []audit.StationKey
	Checkpoints []audit.Checkpoint
}

// checked reads s's trail and checks it, failing t on a read error.
func checked(t *testing.T, s Store, expect audit.Expect) (signed, audit.Report) {
	t.Helper()
	var p signed
	var r audit.Report
	err := s.AuditTrail(context.Background(), func(tr audit.Trail) error {
		p = signed{Store: tr.Store, Keys: tr.Keys}
		rows := tr.Rows
		tr.Rows = func(yield func(audit.Row, error) bool) {
			for row, err := range rows {
				if row.Checkpoint != nil {
					p.Checkpoints = append(p.Checkpoints, *row.Checkpoint)
				}
				if !yield(row, err) {
					return
				}
			}
		}
		var err error
		r, err = audit.CheckTrail(tr, expect)
		return err
	})
	if err != nil {
		t.Fatalf("AuditTrail: %v", err)
	}
	return p, r
}

// RunCheckpoints runs the contract of a store opened with a
// Checkpointer: every transaction that appends entries signs and stores
// one checkpoint with them, chained to the one before, and the station is
// told once it is committed; AuditTrail reads keys, checkpoints and
// entries in one snapshot.
func RunCheckpoints(t *testing.T, newDB NewSignedDB) {
	ctx := context.Background()
	t.Run("each audited change stores one checkpoint, chained, and tells the station once committed", func(t *testing.T) {
		t.Parallel()
		st := newStation("ST-7")
		s := newDB(t)(t, st)
		r := request("Line Release", "batch-1", 0, "{role:A}", "{role:B}")
		two := func(r signature.Request) []audit.Entry {
			return []audit.Entry{entryFor("queue", r), entryFor("trigger", r)}
		}
		if _, err := s.AppendAudit(ctx, audit.Entry{Time: base, Station: "ST-7", Event: audit.EventTemplate}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.QueueAudited(ctx, r, two); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.SignAudited(ctx, r.Slots[0].ID, signer("alice", true, 1), false, two); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.CancelAudited(ctx, r.ID, func(r signature.Request) []audit.Entry { return []audit.Entry{entryFor("cancel", r)} }); err != nil {
			t.Fatal(err)
		}
		// Refused or empty changes sign nothing and tell nothing.
		if _, _, err := s.SignAudited(ctx, r.Slots[0].ID, signer("bob", true, 2), false, two); !errors.Is(err, signature.ErrSlotTaken) {
			t.Fatalf("signing a signed slot: %v", err)
		}
		if _, err := s.QueueAudited(ctx, request("Line Release", "batch-2", 3, "{role:A}"), func(signature.Request) []audit.Entry { return nil }); err != nil {
			t.Fatal(err)
		}
		p, rep := checked(t, s, audit.Expect{Pins: pins(st)})
		if len(rep.Problems) > 0 || len(rep.Notes) > 0 {
			t.Errorf("problems %q, notes %q", rep.Problems, rep.Notes)
		}
		want := [][3]int64{{0, 1, 1}, {1, 2, 3}, {3, 4, 5}, {5, 6, 6}} // prev, from, seq
		if len(p.Checkpoints) != len(want) || len(p.Keys) != 1 || p.Keys[0].Station != "ST-7" {
			t.Fatalf("checkpoints %+v, keys %+v; want %d checkpoints and ST-7's key", p.Checkpoints, p.Keys, len(want))
		}
		for i, c := range p.Checkpoints {
			if got := [3]int64{c.Prev, c.From, c.Seq}; got != want[i] || c.Store == "" || c.Store != p.Store || audit.VerifySignature(c) != nil {
				t.Errorf("checkpoint %d: prev, from, seq %v, store %q (the store's %q); want %v, signed", i, got, c.Store, p.Store, want[i])
			}
		}
		if told := st.told(); !reflect.DeepEqual(told, p.Checkpoints) {
			t.Errorf("the station was told of\n%+v\nwant the stored\n%+v", told, p.Checkpoints)
		}
	})

	t.Run("stations appending at once on one database chain their checkpoints", func(t *testing.T) {
		t.Parallel()
		open := newDB(t)
		sts := []*station{newStation("ST-1"), newStation("ST-2")}
		hs := []Store{open(t, sts[0]), open(t, sts[1])}
		const each = 6
		race(2*each, func(i int) {
			st := sts[i%2]
			if _, err := hs[i%2].AppendAudit(ctx, audit.Entry{Time: at(i), Station: st.name, Event: audit.EventAttempt}); err != nil {
				t.Error(err)
			}
		})
		p, rep := checked(t, hs[0], audit.Expect{Pins: pins(sts...)})
		if len(rep.Problems) > 0 || rep.Entries != 2*each || len(p.Checkpoints) != 2*each || len(p.Keys) != 2 {
			t.Errorf("problems %q; %d entries, %d checkpoints, %d keys; want none, %d, %d, 2", rep.Problems, rep.Entries, len(p.Checkpoints), len(p.Keys), 2*each, 2*each)
		}
	})

	t.Run("handles with one key (a shell and a command) link its checkpoints in one chain", func(t *testing.T) {
		t.Parallel()
		open := newDB(t)
		st := newStation("ST-1")
		hs := []Store{open(t, st), open(t, st)}
		const each = 5
		race(2*each, func(i int) {
			if _, err := hs[i%2].AppendAudit(ctx, audit.Entry{Time: at(i), Station: st.name, Event: audit.EventAttempt}); err != nil {
				t.Error(err)
			}
		})
		p, rep := checked(t, hs[0], audit.Expect{Pins: pins(st)})
		if len(rep.Problems) > 0 || len(p.Checkpoints) != 2*each {
			t.Fatalf("problems %q, %d checkpoints; want none, %d", rep.Problems, len(p.Checkpoints), 2*each)
		}
		link := audit.GenesisLink
		for _, c := range p.Checkpoints {
			if c.Link != link {
				t.Fatalf("checkpoint at #%d links to %q, want %q: the key's chain forked", c.Seq, c.Link, link)
			}
			link = audit.LinkOf(&c)
		}
	})

	t.Run("an entry appended without a station's key is unvouched", func(t *testing.T) {
		t.Parallel()
		open := newDB(t)
		st := newStation("ST-7")
		s, forger := open(t, st), open(t, nil)
		for i := range 3 {
			if _, err := s.AppendAudit(ctx, audit.Entry{Time: at(i), Station: "ST-7", Event: audit.EventAttempt}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := forger.AppendAudit(ctx, audit.Entry{Time: at(4), Station: "ST-7", Event: audit.EventApprove, Approve: boolPtr(true)}); err != nil {
			t.Fatal(err)
		}
		_, rep := checked(t, s, audit.Expect{Pins: pins(st)})
		if len(rep.Problems) != 1 || rep.Problems[0].Kind != audit.ProblemUnvouched || rep.Problems[0].Seq != 4 {
			t.Errorf("problems %q; want entry 4 unvouched", rep.Problems)
		}
	})

	t.Run("a check while stations append sees every entry with its checkpoint", func(t *testing.T) {
		t.Parallel()
		open := newDB(t)
		st := newStation("ST-7")
		w, r := open(t, st), open(t, nil)
		done := make(chan struct{})
		go func() {
			defer close(done)
			for i := range 30 {
				if _, err := w.AppendAudit(ctx, audit.Entry{Time: at(i), Station: "ST-7", Event: audit.EventAttempt}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
		for checks := 0; ; checks++ {
			select {
			case <-done:
				if _, rep := checked(t, r, audit.Expect{Pins: pins(st)}); len(rep.Problems) > 0 || rep.Entries != 30 {
					t.Errorf("at the end: %d entries, problems %q", rep.Entries, rep.Problems)
				}
				return
			default:
			}
			if _, rep := checked(t, r, audit.Expect{Pins: pins(st)}); len(rep.Problems) > 0 {
				t.Fatalf("check %d, at entry %d: %q", checks, rep.Entries, rep.Problems)
			}
		}
	})

	t.Run("a handle without a checkpointer stores none", func(t *testing.T) {
		t.Parallel()
		s := newDB(t)(t, nil)
		if _, err := s.AppendAudit(ctx, audit.Entry{Time: base, Event: audit.EventTemplate}); err != nil {
			t.Fatal(err)
		}
		p, rep := checked(t, s, audit.Expect{})
		if len(p.Checkpoints) != 0 || len(p.Keys) != 0 || p.Store == "" || len(rep.Problems) != 0 {
			t.Errorf("proof %+v, problems %q; want no checkpoint, the store's identity", p, rep.Problems)
		}
	})

	t.Run("the store keeps its identity across handles", func(t *testing.T) {
		t.Parallel()
		open := newDB(t)
		a, _ := checked(t, open(t, nil), audit.Expect{})
		b, _ := checked(t, open(t, nil), audit.Expect{})
		if a.Store == "" || a.Store != b.Store {
			t.Errorf("identities %q and %q; want one, not empty", a.Store, b.Store)
		}
		if c, _ := checked(t, newDB(t)(t, nil), audit.Expect{}); c.Store == a.Store {
			t.Errorf("two databases share the identity %q", a.Store)
		}
	})
}
