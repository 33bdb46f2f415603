// Package audit is the shell's tamper-evident audit trail: append-only
// entries, each holding the hash of the one before, with the 21 CFR Part 11
// manifestation for signatures (printed name, user ID, UTC time with the
// local offset, meaning, comment, request, slot). Verify names the first
// altered, missing or reordered entry; Text prints the trail for people.
//
// The package holds no storage of its own: a store appends entries inside
// its own transaction (Seal computes the next entry from the last), so the
// database, not a station, serialises the chain.
package audit

import "time"

// Events an entry records.
const (
	EventQueue    = "queue"    // a request was queued
	EventTrigger  = "trigger"  // a challenge was posted to a page
	EventAttempt  = "attempt"  // a signer submitted user ID and password (or came back from the IdP)
	EventSuccess  = "success"  // the signer's identity was proved
	EventFailure  = "failure"  // it was not (wrong password, not entitled, ...)
	EventLockout  = "lockout"  // too many wrong passwords: the user is locked out
	EventApprove  = "approve"  // a slot (or, with Slot empty, the whole request) was approved
	EventReject   = "reject"   // a slot, and so its request, was rejected
	EventCancel   = "cancel"   // a challenge or a request was cancelled
	EventTimeout  = "timeout"  // a challenge timed out
	EventTemplate = "template" // a template was added, replaced or removed
)

// Entry is one line of the trail. Never a password or a token.
type Entry struct {
	Seq         int64     `json:"seq"`    // 1, 2, 3 …, set by Seal
	Time        time.Time `json:"time"`   // UTC
	Offset      string    `json:"offset"` // the station's local offset then, e.g. "+01:00"
	Station     string    `json:"station,omitempty"`
	Event       string    `json:"event"`
	Request     string    `json:"request,omitempty"`      // request UUID
	RequestName string    `json:"request_name,omitempty"` // requestName
	Slot        string    `json:"slot,omitempty"`         // slot UUID
	Template    string    `json:"template,omitempty"`
	UserID      string    `json:"user_id,omitempty"`
	PrintedName string    `json:"printed_name,omitempty"`
	Meaning     string    `json:"meaning,omitempty"`
	Approve     *bool     `json:"approve,omitempty"` // for signatures: approve or reject
	Comment     string    `json:"comment,omitempty"`
	Detail      string    `json:"detail,omitempty"` // e.g. why a sign-in failed, safe to show
	Prev        string    `json:"prev"`             // hex SHA-256 of the previous entry ("" for the first)
	Hash        string    `json:"hash"`             // hex SHA-256 of this entry, Prev included
}
