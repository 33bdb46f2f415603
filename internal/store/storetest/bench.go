package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"loginshell/internal/audit"
	"loginshell/internal/signature"
)

// BenchSizes are the numbers of pending requests the benchmarks of
// Pending run against: a station's day, a busy plant, and far more than
// anyone keeps. FlatSizes are those a queue and a trigger run against:
// the same and a million, which they must not notice.
var (
	BenchSizes = []int{10, 1_000, 100_000}
	FlatSizes  = []int{10, 1_000, 100_000, 1_000_000}
)

// Fixture is the i-th pending request of the benchmark fixtures, its IDs
// made as the engine makes them (signature.NewID): one of
// ten templates, a unique name, and two slots, the second naming one of a
// hundred users, queued a millisecond after the one before.
func Fixture(i int) signature.Request {
	r := signature.Request{
		ID: signature.NewID(), Template: fmt.Sprintf("Template %d", i%10), Name: fmt.Sprintf("batch-%d", i),
		Description: "benchmark fixture", State: signature.Pending, Station: "ST-7", Session: "session-1",
		QueuedAt: base.Add(time.Duration(i) * time.Millisecond),
	}
	for j, c := range []string{"{role:Operator}", fmt.Sprintf("{role:Supervisor} OR {userName:user%d}", i%100)} {
		r.Slots = append(r.Slots, signature.Slot{ID: signature.NewID(), Request: r.ID, Index: j, Clause: c, State: signature.Pending, Atoms: atoms(c)})
	}
	return r
}

// Bench runs the store benchmarks for each of BenchSizes. open returns a
// store of its own holding Fixture(0) … Fixture(pending-1) and nothing
// else; how it gets there fast (a copy of a file built once, a bulk load)
// is the store's business. Benchmarks report; they assert nothing about
// time.
func Bench(b *testing.B, open func(b *testing.B, pending int) Store) {
	ctx := context.Background()
	for _, n := range FlatSizes {
		// What a page's queue costs the store: the package's limit
		// checked (signature.Engine.Queue), the request stored with its
		// entry.
		b.Run(fmt.Sprintf("Queue/pending=%d", n), func(b *testing.B) {
			s := open(b, n)
			i := n
			for b.Loop() {
				if _, err := s.PendingOwned(ctx, "lineapp"); err != nil {
					b.Fatal(err)
				}
				r := Fixture(i)
				r.Owner = "lineapp"
				if _, err := s.QueueAudited(ctx, r, func(r signature.Request) []audit.Entry { return []audit.Entry{entryFor(audit.EventQueue, r)} }); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})

		// What a trigger reads: the slot and its request, by the slot's UUID.
		b.Run(fmt.Sprintf("Slot/pending=%d", n), func(b *testing.B) {
			s := open(b, n)
			r := request("Template 1", fmt.Sprintf("trigger-%d", n), 0, "{role:Operator}")
			if err := s.Queue(ctx, r); err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if _, _, err := s.Slot(ctx, r.Slots[0].ID); err != nil {
					b.Fatal(err)
				}
			}
		})

		b.Run(fmt.Sprintf("SlotAndSign/pending=%d", n), func(b *testing.B) {
			s := open(b, n)
			sig := signer("alice", true, 5)
			i := n
			for b.Loop() {
				b.StopTimer()
				r := request("Template 1", fmt.Sprintf("target-%d", i), 0, "{role:Operator}")
				if err := s.Queue(ctx, r); err != nil {
					b.Fatal(err)
				}
				i++
				b.StartTimer()
				// What a trigger and its completed sign-in cost the store.
				if _, _, err := s.Slot(ctx, r.Slots[0].ID); err != nil {
					b.Fatal(err)
				}
				if got, err := s.Sign(ctx, r.Slots[0].ID, sig, true); err != nil || got.State != signature.Approved {
					b.Fatalf("Sign: %s, %v", got.State, err)
				}
			}
		})
	}
	for _, n := range BenchSizes {
		filters := []struct {
			name   string
			filter signature.Filter
			want   int
		}{
			{"all", signature.Filter{}, n},
			{"template", signature.Filter{Template: "TEMPLATE 3"}, (n + 6) / 10},
			{"name", signature.Filter{Name: fmt.Sprintf("batch-%d", n/2)}, 1},
			{"user", signature.Filter{User: "user7"}, (n + 92) / 100},
		}
		for _, f := range filters {
			b.Run(fmt.Sprintf("Pending/pending=%d/%s", n, f.name), func(b *testing.B) {
				s := open(b, n)
				for b.Loop() {
					rs, err := s.Pending(ctx, f.filter)
					if err != nil || len(rs) != f.want {
						b.Fatalf("Pending(%+v) = %d requests, %v; want %d", f.filter, len(rs), err, f.want)
					}
				}
			})
		}
	}
}
