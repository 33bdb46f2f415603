package signature

import (
	"fmt"
	"time"

	"loginshell/internal/audit"
)

// signedSkew is how far a stored signature's time may be from its audit
// entry's: both are read from the station's clock a few statements apart.
const signedSkew = 5 * time.Second

// CheckRecords compares the requests a store holds with the audit trail
// that recorded them (21 CFR 11.70: signatures linked to their records),
// and returns one line per difference, naming the request or slot and the
// entry, in trail order; none when they agree. It finds what editing the
// store's request and slot rows does, which the chain alone cannot see:
//   - a request whose name, description, record or template as queued no
//     longer hashes to the content every entry of it carries;
//   - a request the trail names that the store no longer holds;
//   - a signed slot whose stored signature (user ID, printed name, meaning,
//     decision, comment, time) differs from its signing entry, or that has
//     no signing entry at all.
//
// Entries written before the trail carried content hashes (version 1)
// are compared by their signatures only. CheckRecords does NOT verify the
// chain itself: audit.Verify does.
func CheckRecords(requests []Request, entries []audit.Entry) []string {
	byID := make(map[string]Request, len(requests))
	for _, r := range requests {
		byID[r.ID.String()] = r
	}
	var problems []string
	seen := map[string]bool{}
	signing := map[string]audit.Entry{} // slot → the entry that signed it
	for _, e := range entries {
		if e.Slot != "" && e.Detail == "slot signed" && (e.Event == audit.EventApprove || e.Event == audit.EventReject) {
			signing[e.Slot] = e
		}
		if e.Request == "" || e.Content == "" {
			continue
		}
		r, ok := byID[e.Request]
		switch {
		case !ok:
			if !seen[e.Request] {
				problems = append(problems, fmt.Sprintf("entry %d: request %s (%q) is in the trail but no longer in the store", e.Seq, e.Request, e.RequestName))
			}
		case ContentHash(r) != e.Content && !seen[e.Request]:
			problems = append(problems, fmt.Sprintf("entry %d: request %s (%q) was changed after it was queued: its name, description, record or template no longer hash to %s",
				e.Seq, e.Request, e.RequestName, Fingerprint(e.Content)))
		}
		seen[e.Request] = true
	}
	for _, r := range requests {
		for _, s := range r.Slots {
			sig := s.Signature
			if sig == nil {
				continue
			}
			e, ok := signing[s.ID.String()]
			if !ok {
				problems = append(problems, fmt.Sprintf("request %s (%q), signature %d: signed in the store, but no entry of the trail signed it", r.ID, r.Name, s.Index+1))
				continue
			}
			if diff := signatureDiff(*sig, e); diff != "" {
				problems = append(problems, fmt.Sprintf("request %s (%q), signature %d: the stored signature's %s differs from entry %d", r.ID, r.Name, s.Index+1, diff, e.Seq))
			}
		}
	}
	return problems
}

// signatureDiff names the first field in which sig differs from the entry
// that recorded it, "" when none.
func signatureDiff(sig Signature, e audit.Entry) string {
	switch {
	case sig.Signer.UserID != e.UserID:
		return "user ID"
	case sig.Signer.PrintedName != e.PrintedName:
		return "printed name"
	case sig.Meaning != e.Meaning:
		return "meaning"
	case e.Approve == nil || sig.Approve != *e.Approve:
		return "decision"
	case sig.Comment != e.Comment:
		return "comment"
	case sig.SignedAt.Sub(e.Time).Abs() > signedSkew:
		return "time"
	}
	return ""
}
