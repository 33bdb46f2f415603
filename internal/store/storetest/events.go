package storetest

import (
	"context"
	"errors"
	"slices"
	"testing"

	"loginshell/internal/audit"
)

// testEvents: AuditEvents reads the entries of one event appended after a
// given Seq, and the Seq of the trail's end, so a follower reads each
// entry of its event once, at any station.
func testEvents(t *testing.T, newDB NewDB) {
	ctx := context.Background()
	appendEvents := func(t *testing.T, s Store, events ...string) {
		t.Helper()
		for _, ev := range events {
			if _, err := s.AppendAudit(ctx, audit.Entry{Time: base, Station: "ST-1", Event: ev, Detail: ev + " entry"}); err != nil {
				t.Fatal(err)
			}
		}
	}
	read := func(t *testing.T, s Store, event string, after int64) ([]int64, int64) {
		t.Helper()
		var seqs []int64
		last, err := s.AuditEvents(ctx, event, after, func(e audit.Entry) error {
			if e.Event != event || e.Hash == "" {
				t.Errorf("entry %d is %q (hash %q), want a sealed %q", e.Seq, e.Event, e.Hash, event)
			}
			seqs = append(seqs, e.Seq)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return seqs, last
	}
	t.Run("an empty trail has no events and ends at 0", func(t *testing.T) {
		t.Parallel()
		s := fresh(t, newDB)
		if seqs, last := read(t, s, "alert", 0); len(seqs) != 0 || last != 0 {
			t.Errorf("AuditEvents = %v, %d; want none, 0", seqs, last)
		}
	})
	t.Run("only the event's entries after the given one are read, with the trail's end", func(t *testing.T) {
		t.Parallel()
		s := fresh(t, newDB)
		appendEvents(t, s, "queue", "alert", "failure", "alert", "queue")
		if seqs, last := read(t, s, "alert", 0); !slices.Equal(seqs, []int64{2, 4}) || last != 5 {
			t.Errorf("from the start: %v, %d; want [2 4], 5", seqs, last)
		}
		if seqs, last := read(t, s, "alert", 2); !slices.Equal(seqs, []int64{4}) || last != 5 {
			t.Errorf("after 2: %v, %d; want [4], 5", seqs, last)
		}
		if seqs, last := read(t, s, "alert", 5); len(seqs) != 0 || last != 5 {
			t.Errorf("after the end: %v, %d; want none, 5", seqs, last)
		}
	})
	t.Run("another handle reads what one appended", func(t *testing.T) {
		t.Parallel()
		open := newDB(t)
		a, b := open(t), open(t)
		_, last := read(t, b, "alert", 0)
		appendEvents(t, a, "alert")
		if seqs, _ := read(t, b, "alert", last); !slices.Equal(seqs, []int64{last + 1}) {
			t.Errorf("the other handle read %v, want [%d]", seqs, last+1)
		}
	})
	t.Run("fn's error ends the calls and is returned", func(t *testing.T) {
		t.Parallel()
		s := fresh(t, newDB)
		appendEvents(t, s, "alert", "alert")
		stop := errors.New("stop")
		n := 0
		_, err := s.AuditEvents(ctx, "alert", 0, func(audit.Entry) error { n++; return stop })
		if !errors.Is(err, stop) || n != 1 {
			t.Errorf("AuditEvents = %v after %d calls, want fn's error after one", err, n)
		}
	})
}
