package storetest

import (
	"crypto/ed25519"
	"crypto/sha256"
	"fmt"
	"runtime"
	"sync/atomic"
	"time"

	"loginshell/internal/audit"
	"loginshell/internal/signature"
)

// TrailFixture is the i-th request of a trail as a station writes it,
// for the benchmarks of `audit verify`: queued, each of its two slots
// triggered, attempted, proved and signed, the second signature
// approving the request; station writes all of it. It returns the
// request as the store then holds it, and the entries of each of the
// engine's transactions, ten entries in nine (each transaction gets a
// checkpoint of its own, as a station's store signs one per
// transaction): what a trail of a million entries holds, 900,000
// checkpoints.
func TrailFixture(i int, station string) (signature.Request, [][]audit.Entry) {
	at := base.Add(time.Duration(i) * time.Second).UTC()
	r := Fixture(i)
	r.Station, r.QueuedAt, r.State = station, at, signature.Approved
	r.Record = fmt.Sprintf(`{"batch":%d}`, i)
	content := signature.ContentHash(r)
	entry := func(event, slot, detail string, d time.Duration) audit.Entry {
		return audit.Entry{Time: at.Add(d), Offset: "+01:00", Station: station, Event: event, Request: r.ID.String(), RequestName: r.Name,
			Slot: slot, Template: r.Template, Detail: detail, Content: content, Actor: "olga (Olga Operator), page of package lineapp"}
	}
	txs := [][]audit.Entry{{entry(audit.EventQueue, "", "", 0)}}
	people := []signature.Signer{{UserID: "olga", PrintedName: "Olga Operator", Roles: []string{"Operator"}},
		{UserID: "sam", PrintedName: "Sam Supervisor", Roles: []string{"Supervisor"}}}
	for j := range r.Slots {
		sl := &r.Slots[j]
		who, d := people[j], time.Duration(j+1)*100*time.Millisecond
		sig := signature.Signature{Signer: who, Approve: true, Meaning: "Approval: I approve the release of this line.",
			Comment: "checked", SignedAt: at.Add(d), Station: station}
		sl.State, sl.Signature = signature.Approved, &sig
		signer := func(e audit.Entry) audit.Entry {
			e.UserID, e.PrintedName, e.IdP = who.UserID, who.PrintedName, signature.IDPLocal
			return e
		}
		signed := signer(entry(audit.EventApprove, sl.ID.String(), "slot signed", d))
		signed.Meaning, signed.Comment, signed.Approve = sig.Meaning, sig.Comment, &sig.Approve
		last := []audit.Entry{signed}
		if j == len(r.Slots)-1 {
			approved := entry(audit.EventApprove, "", "request approved", d)
			approved.Meaning = sig.Meaning
			last = append(last, approved)
		}
		txs = append(txs, []audit.Entry{entry(audit.EventTrigger, sl.ID.String(), "", d)},
			[]audit.Entry{signer(entry(audit.EventAttempt, sl.ID.String(), "", d))},
			[]audit.Entry{signer(entry(audit.EventSuccess, sl.ID.String(), "", d))}, last)
	}
	return r, txs
}

// Stations sign the checkpoints of a fixture trail, as a store's
// Checkpointer does: Sign signs as the station named by As, with a key
// made from its name.
type Stations struct {
	As   string
	keys map[string]ed25519.PrivateKey
}

// Sign signs c as s.As (store.Checkpointer's Sign).
func (s *Stations) Sign(c audit.Checkpoint) audit.Checkpoint {
	c.Station, c.Time = s.As, base
	return audit.SignCheckpoint(s.key(), c)
}

func (s *Stations) key() ed25519.PrivateKey {
	if s.keys == nil {
		s.keys = map[string]ed25519.PrivateKey{}
	}
	key, ok := s.keys[s.As]
	if !ok {
		seed := sha256.Sum256([]byte("storetest station " + s.As))
		key = ed25519.NewKeyFromSeed(seed[:])
		s.keys[s.As] = key
	}
	return key
}

// PeakHeap samples the heap in use every 25 ms from now on; the function
// it returns stops sampling and gives the most seen, in bytes, over what
// was in use when sampling began (a garbage collection first).
func PeakHeap() func() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	base := m.HeapAlloc
	var most atomic.Uint64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			if m.HeapAlloc > base && m.HeapAlloc-base > most.Load() {
				most.Store(m.HeapAlloc - base)
			}
			select {
			case <-stop:
				return
			case <-time.After(25 * time.Millisecond):
			}
		}
	}()
	return func() uint64 {
		select {
		case <-stop:
		default:
			close(stop)
			<-done
		}
		return most.Load()
	}
}
