// Package audit is the shell's tamper-evident audit trail: append-only
// entries, each holding the hash of the one before, with the 21 CFR Part 11
// manifestation for signatures (printed name, user ID, UTC time with the
// local offset, meaning, comment, request, slot). Verify names the first
// altered, missing or reordered entry; Format prints it for people.
//
// A chain alone does not show a cut tail or a trail re-hashed end to end,
// so stations sign checkpoints with Ed25519 keys of their own
// (Checkpoint), and CheckTrail holds a trail against them, against the
// keys a station pinned and against its own copy of its latest
// checkpoint. Export is the self-contained copy an auditor verifies
// without the store (VerifyExport, or build/scripts/verify-export.py).
//
// The package holds no storage of its own: a store appends entries inside
// its own transaction (Seal computes the next entry from the last), so the
// database, not a station, serialises the chain; it does no I/O but
// reading and writing exports on the streams it is given.
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
	EventAlert    = "alert"    // misuse: a lockout, or repeated failures at one slot
	// EventSetting: a setting signatures depend on changed (the login
	// server, the OpenID client): Detail says from what to what and
	// through what, Actor who, Station where.
	EventSetting = "setting"
)

// Entry is one line of the trail. Never a password or a token: callers
// fill it from what the signature engine proved (user ID, printed name),
// never from what the signer typed, and Detail says why in words, never
// with a credential or a query string (see Seal).
//
// Its JSON is the form `audit show --json` prints and a reader re-verifies:
// every field Seal hashes is in it, under the names of the tags below,
// which never change (a reader of an old export must still find them). An
// empty text field and an unset Approve are left out; Seq, Time, Offset,
// Event, Prev and Hash are always there. Time is RFC 3339 in UTC with up
// to microseconds.
//
// Hash is the lowercase hex SHA-256 of this canonical encoding, version 1,
// of every other field, in this order:
//
//	str("loginshell/audit/entry/v1")
//	u64(Seq)
//	u64(Time's Unix seconds) u32(Time's nanoseconds within the second)
//	str(Offset) str(Station) str(Event) str(Request) str(RequestName)
//	str(Slot) str(Template) str(UserID) str(PrintedName) str(Meaning)
//	u8(Approve: 0 unset, 1 false (reject), 2 true (approve))
//	str(Comment) str(Detail) str(Prev)
//
// An entry with an IdP, an Actor or a Content is hashed with version 2:
// the same fields after str("loginshell/audit/entry/v2") instead of v1's,
// then str(IdP) str(Actor) str(Content) after str(Prev). An entry with
// none of them keeps version 1, so the trails written before version 2
// verify as they did.
//
// where integers are big-endian (Seq and the seconds as two's complement)
// and str(s) is u64(len(s)) followed by the bytes of s. The length
// prefixes make the encoding injective without any escaping, and it
// depends on no library's formatting (JSON's escaping and time layouts),
// so an auditor's script or a database function can recompute it from the
// JSON alone. The version string is hashed first: a future field means
// version 2, and the golden test in seal_test.go keeps version 1 from
// changing by accident. Seq and Prev are hashed, so an entry cannot be
// moved, and no entry before it changed, without changing its Hash.
type Entry struct {
	Seq         int64     `json:"seq"`    // 1, 2, 3 …, set by Seal
	Time        time.Time `json:"time"`   // UTC, to the microsecond (Seal)
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
	// IdP is the identity provider that verified (or refused) the signer:
	// an OpenID issuer URL, "local" (this station's offline keychain),
	// "demo". Only for sign-in events.
	IdP string `json:"idp,omitempty"`
	// Actor is who did what the entry records when it is not a signer:
	// the signed-in person of the page's session ("olga (Olga Operator)"),
	// or the OS user and host of a command ("os:mes@plant-1").
	Actor string `json:"actor,omitempty"`
	// Content is the lowercase hex SHA-256 of the request's signed content
	// (signature.ContentHash): in every entry of a request, so a changed
	// request or record no longer matches its trail.
	Content string `json:"content,omitempty"`
	Prev    string `json:"prev"` // hex SHA-256 of the previous entry ("" for the first)
	Hash    string `json:"hash"` // hex SHA-256 of this entry, Prev included
}
