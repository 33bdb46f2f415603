package audit

import (
	"fmt"
	"iter"
	"time"
)

// base is the fixed clock of the tests: a station at UTC+01:00.
var base = time.Date(2025, 3, 1, 10, 15, 2, 123456789, time.FixedZone("CET", 3600))

func yes() *bool { v := true; return &v }
func no() *bool  { v := false; return &v }

// sample returns the i-th entry (from 0) of a signature's life as the
// engine records it: queued, triggered, a wrong password, a success and a
// decision, and again. Only what the identity provider proved goes in:
// user ID and printed name, never what the signer typed.
func sample(i int) Entry {
	req := fmt.Sprintf("6f1c2a7e-1b3d-4c5e-8f90-%012d", i/6)
	slot := fmt.Sprintf("0b7e3f5a-9c2d-4e1f-a6b8-%012d", i/6)
	e := Entry{
		Time: base.Add(time.Duration(i) * 17 * time.Second), Station: "ST-7",
		Request: req, RequestName: fmt.Sprintf("Batch %d release", 40+i/6), Template: "Release",
	}
	switch i % 6 {
	case 0:
		e.Event = EventQueue
	case 1:
		e.Event, e.Slot = EventTrigger, slot
	case 2:
		e.Event, e.Slot, e.UserID = EventAttempt, slot, "jdoe"
	case 3:
		e.Event, e.Slot, e.UserID, e.Detail = EventFailure, slot, "jdoe", "wrong user ID or password"
	case 4:
		e.Event, e.Slot, e.UserID, e.PrintedName = EventSuccess, slot, "jdoe", "Jane Doe"
	case 5:
		e.Event, e.Slot, e.UserID, e.PrintedName = EventApprove, slot, "jdoe", "Jane Doe"
		e.Meaning, e.Approve, e.Comment = "Approval", yes(), "checked twice"
		if i%12 == 11 {
			e.Event, e.Meaning, e.Approve, e.Comment = EventReject, "Review", no(), "label \"B\"\nis torn"
		}
	}
	return e
}

// chain returns a sealed trail of n sample entries.
func chain(n int) []Entry {
	out := make([]Entry, 0, n)
	var prev *Entry
	for i := range n {
		out = append(out, Seal(prev, sample(i)))
		prev = &out[len(out)-1]
	}
	return out
}

// all yields es in order, as a store's query would.
func all(es []Entry) iter.Seq2[Entry, error] {
	return func(yield func(Entry, error) bool) {
		for _, e := range es {
			if !yield(e, nil) {
				return
			}
		}
	}
}
