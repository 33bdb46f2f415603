package storetest

import (
	"context"
	"iter"
	"testing"

	"loginshell/internal/audit"
	"loginshell/internal/signature"
)

// testRecords is Store.AuditRecords: every request the store holds, in
// every state, whole and in the order queued, then the trail, from one
// snapshot: a request queued while fn runs is in neither.
func testRecords(t *testing.T, newDB NewDB) {
	ctx := context.Background()
	hs := handles(t, newDB, 2)
	s, other := hs[0], hs[1]
	var want []signature.Request
	for i, state := range []string{"approved", "pending", "rejected", "cancelled"} {
		r := request("Line Release", state, i, "{role:Operator}", "{role:Supervisor}")
		if _, err := s.QueueAudited(ctx, r, func(r signature.Request) []audit.Entry { return []audit.Entry{entryFor(audit.EventQueue, r)} }); err != nil {
			t.Fatal(err)
		}
		switch state {
		case "approved":
			mustSign(t, s, r, 0, signer("alice", true, 5))
			mustSign(t, s, r, 1, signer("bob", true, 6))
		case "pending":
			mustSign(t, s, r, 1, signer("bob", true, 7))
		case "rejected":
			mustSign(t, s, r, 0, signer("carol", false, 8))
		case "cancelled":
			if _, err := s.Cancel(ctx, r.ID); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.Request(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, got)
	}
	late := request("Line Release", "queued meanwhile", 9, "{role:Operator}")
	var got []signature.Request
	var trailed []audit.Entry
	err := s.AuditRecords(ctx, func(requests iter.Seq2[signature.Request, error], tr audit.Trail) error {
		// Another handle queues a request, with its entry, after the
		// snapshot began: neither is read.
		if _, err := other.QueueAudited(ctx, late, func(r signature.Request) []audit.Entry { return []audit.Entry{entryFor(audit.EventQueue, r)} }); err != nil {
			return err
		}
		for r, err := range requests {
			if err != nil {
				return err
			}
			got = append(got, r)
		}
		for row, err := range tr.Rows {
			if err != nil {
				return err
			}
			if row.Entry != nil {
				trailed = append(trailed, *row.Entry)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("AuditRecords: %v", err)
	}
	if len(got) != len(want) {
		t.Fatalf("AuditRecords gave %d requests, want the %d queued before it began: %v", len(got), len(want), ids(got))
	}
	for i := range want {
		sameRequest(t, "request "+want[i].Name, got[i], want[i])
	}
	if len(trailed) != len(want) {
		t.Errorf("AuditRecords' trail holds %d entries, want the %d written before it began", len(trailed), len(want))
	}
}
