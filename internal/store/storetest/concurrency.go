package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"

	"loginshell/internal/audit"
	"loginshell/internal/signature"
)

// signers is how many goroutines race for one slot in each test: enough to
// collide on two cores, few enough for -race.
const signers = 8

// race runs fn(i) for i in [0, n) in goroutines released together, and
// waits for them.
func race(n int, fn func(i int)) {
	var ready, done sync.WaitGroup
	start := make(chan struct{})
	ready.Add(n)
	done.Add(n)
	for i := range n {
		go func() {
			defer done.Done()
			ready.Done()
			<-start
			fn(i)
		}()
	}
	ready.Wait()
	close(start)
	done.Wait()
}

// handles opens n stores on one new database.
func handles(t *testing.T, newDB NewDB, n int) []Store {
	open := newDB(t)
	out := make([]Store, n)
	for i := range out {
		out[i] = open(t)
	}
	return out
}

func testConcurrency(t *testing.T, newDB NewDB) {
	ctx := context.Background()
	for _, n := range []int{1, 2} {
		t.Run(fmt.Sprintf("of %d signers of one slot on %d handles exactly one counts", signers, n), func(t *testing.T) {
			t.Parallel()
			hs := handles(t, newDB, n)
			r := request("Line Release", "batch-1", 0, "{role:A}")
			mustQueue(t, hs[0], r)
			errs := make([]error, signers)
			race(signers, func(i int) {
				sig := signer(fmt.Sprintf("user%d", i), i%2 == 0, i)
				_, _, errs[i] = hs[i%n].SignAudited(ctx, r.Slots[0].ID, sig, false, (&recorder{event: "slot"}).entries)
			})
			won := -1
			for i, err := range errs {
				switch {
				case err == nil && won >= 0:
					t.Errorf("signers %d and %d both counted", won, i)
				case err == nil:
					won = i
				case !errors.Is(err, signature.ErrSlotTaken):
					t.Errorf("signer %d: %v, want ErrSlotTaken", i, err)
				}
			}
			if won < 0 {
				t.Fatal("no signer counted")
			}
			_, got, err := hs[n-1].Slot(ctx, r.Slots[0].ID)
			if err != nil {
				t.Fatal(err)
			}
			wantSig := signer(fmt.Sprintf("user%d", won), won%2 == 0, won)
			want := withSignature(r, 0, wantSig)
			want.State = want.Slots[0].State // approved or rejected with its only slot
			sameRequest(t, "the request after the race", got, want)
			if es := verified(t, hs[0]); len(es) != 2 {
				t.Errorf("the trail holds %d entries, want the winner's slot and request entries", len(es))
			}
		})
	}

	t.Run("signers of every slot on two handles approve the request once, with every signature", func(t *testing.T) {
		t.Parallel()
		hs := handles(t, newDB, 2)
		r := request("Line Release", "batch-1", 0, "{role:A}", "{role:B}", "{role:C}")
		mustQueue(t, hs[0], r)
		const perSlot = 3
		results := make([]signature.Request, len(r.Slots)*perSlot)
		errs := make([]error, len(results))
		race(len(results), func(i int) {
			slot := i % len(r.Slots)
			results[i], _, errs[i] = hs[i%2].SignAudited(ctx, r.Slots[slot].ID, signer(fmt.Sprintf("user%d", i), true, i), false, (&recorder{event: "slot"}).entries)
		})
		wins := make([]int, len(r.Slots))
		approvedSeen := 0
		for i, err := range errs {
			switch {
			case err == nil:
				wins[i%len(r.Slots)]++
				if results[i].State == signature.Approved {
					approvedSeen++
					for _, sl := range results[i].Slots {
						if sl.State != signature.Approved || sl.Signature == nil {
							t.Errorf("an approved request with slot %d %s, signature %v", sl.Index, sl.State, sl.Signature)
						}
					}
				}
			case !errors.Is(err, signature.ErrSlotTaken):
				t.Errorf("signer %d: %v, want ErrSlotTaken", i, err)
			}
		}
		if !reflect.DeepEqual(wins, []int{1, 1, 1}) || approvedSeen != 1 {
			t.Errorf("wins per slot %v, approvals seen %d; want one each and one approval", wins, approvedSeen)
		}
		pending, err := hs[1].Pending(ctx, signature.Filter{})
		if err != nil || len(pending) != 0 {
			t.Errorf("Pending = %v, %v; want none", ids(pending), err)
		}
		approvals := 0
		for _, e := range verified(t, hs[1]) {
			if e.Event == audit.EventApprove {
				approvals++
			}
		}
		if approvals != 1 {
			t.Errorf("the trail records %d request approvals, want 1", approvals)
		}
	})

	t.Run("an approval racing a rejection never approves the request", func(t *testing.T) {
		t.Parallel()
		hs := handles(t, newDB, 2)
		for round := range 10 {
			r := request("Line Release", fmt.Sprintf("batch-%d", round), round, "{role:A}", "{role:B}")
			mustQueue(t, hs[0], r)
			errs := make([]error, 2)
			race(2, func(i int) {
				_, errs[i] = hs[i].Sign(ctx, r.Slots[i].ID, signer(fmt.Sprintf("user%d", i), i == 0, i), false)
			})
			if errs[1] != nil {
				t.Fatalf("round %d: the rejection failed: %v", round, errs[1])
			}
			if errs[0] != nil && !errors.Is(errs[0], signature.ErrNoRequest) {
				t.Errorf("round %d: the approval failed with %v, want nil or ErrNoRequest", round, errs[0])
			}
			_, got, err := hs[round%2].Slot(ctx, r.Slots[0].ID)
			if err != nil {
				t.Fatal(err)
			}
			wantFirst := signature.Approved
			if errs[0] != nil {
				wantFirst = signature.Cancelled
			}
			if got.State != signature.Rejected || got.Slots[0].State != wantFirst || got.Slots[1].State != signature.Rejected {
				t.Errorf("round %d: request %s, slots %s and %s; want rejected, %s and rejected",
					round, got.State, got.Slots[0].State, got.Slots[1].State, wantFirst)
			}
		}
	})

	t.Run("appends from many goroutines on two handles form one chain", func(t *testing.T) {
		t.Parallel()
		hs := handles(t, newDB, 2)
		const each = 10
		sealed := make([][]audit.Entry, signers)
		errs := make([]error, signers)
		race(signers, func(i int) {
			for j := range each {
				e, err := hs[i%2].AppendAudit(ctx, audit.Entry{Time: at(j), Event: audit.EventAttempt, UserID: fmt.Sprintf("user%d", i), Detail: fmt.Sprint(j)})
				if err != nil {
					errs[i] = err
					return
				}
				sealed[i] = append(sealed[i], e)
			}
		})
		if err := errors.Join(errs...); err != nil {
			t.Fatal(err)
		}
		es := verified(t, hs[0])
		if len(es) != signers*each {
			t.Fatalf("the trail holds %d entries, want %d", len(es), signers*each)
		}
		for i, mine := range sealed {
			for _, e := range mine {
				if !reflect.DeepEqual(es[e.Seq-1], e) {
					t.Errorf("goroutine %d was told entry %d is %+v; the trail has %+v", i, e.Seq, e, es[e.Seq-1])
				}
			}
		}
	})

	t.Run("handles opened at once on a new database share one schema", func(t *testing.T) {
		t.Parallel()
		// Several rounds: the race between two first opens is short.
		for round := range 10 {
			open := newDB(t)
			hs := make([]Store, 4)
			race(len(hs), func(i int) { hs[i] = open(t) })
			if slices.Contains(hs, nil) {
				t.FailNow() // open reported why
			}
			errs := make([]error, len(hs))
			race(len(hs), func(i int) {
				errs[i] = hs[i].Queue(ctx, request("Line Release", fmt.Sprintf("batch-%d", i), i, "{role:A}"))
			})
			if err := errors.Join(errs...); err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
			for i, h := range hs {
				if pending, err := h.Pending(ctx, signature.Filter{}); err != nil || len(pending) != len(hs) {
					t.Errorf("round %d, handle %d: Pending = %d requests, %v; want %d", round, i, len(pending), err, len(hs))
				}
			}
		}
	})
}

func testRestart(t *testing.T, newDB NewDB) {
	ctx := context.Background()
	open := newDB(t)
	s := open(t)
	if err := s.PutTemplate(ctx, template("Line Release", "kept")); err != nil {
		t.Fatal(err)
	}
	r1 := request("Line Release", "batch-1", 0, "{role:A}", "{userName:bob}")
	r2 := request("Line Release", "batch-2", 1, "{role:A}")
	for _, r := range []signature.Request{r1, r2} {
		if _, err := s.QueueAudited(ctx, r, (&recorder{event: audit.EventQueue}).entries); err != nil {
			t.Fatal(err)
		}
	}
	alice := signer("alice", true, 5)
	if _, _, err := s.SignAudited(ctx, r1.Slots[0].ID, alice, true, (&recorder{event: "slot"}).entries); err != nil {
		t.Fatal(err)
	}
	before := entries(t, s)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = open(t)
	pending, err := s.Pending(ctx, signature.Filter{User: "bob"})
	if err != nil || len(pending) != 1 {
		t.Fatalf("Pending(bob) after the restart = %v, %v; want the first request", ids(pending), err)
	}
	sameRequest(t, "the first request after the restart", pending[0], withSignature(r1, 0, alice))
	if all, err := s.Pending(ctx, signature.Filter{}); err != nil || !reflect.DeepEqual(ids(all), ids([]signature.Request{r1, r2})) {
		t.Errorf("Pending after the restart = %v, %v; want both", ids(all), err)
	}
	if got, err := s.Template(ctx, "line release"); err != nil || got.Description != "kept" {
		t.Errorf("the template after the restart: %+v, %v", got, err)
	}
	if after := verified(t, s); !reflect.DeepEqual(after, before) {
		t.Errorf("the trail after the restart differs:\n got %+v\nwant %+v", after, before)
	}
	got, sealed, err := s.SignAudited(ctx, r1.Slots[1].ID, signer("bob", true, 6), true, (&recorder{event: "slot"}).entries)
	if err != nil || got.State != signature.Approved {
		t.Fatalf("the last signature after the restart: %s, %v", got.State, err)
	}
	if len(sealed) != 2 || sealed[0].Seq != int64(len(before)+1) || sealed[0].Prev != before[len(before)-1].Hash {
		t.Errorf("entries after the restart %+v do not continue the chain", sealed)
	}
	verified(t, s)
}
