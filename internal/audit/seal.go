package audit

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"strings"
	"time"
)

// encodingV1 opens the canonical encoding of version 1. It is hashed
// first, so a later version (a new field) gives every entry a different
// hash even where the new field is empty, and no v1 hash can be read as a
// hash of another version.
const encodingV1 = "loginshell/audit/entry/v1"

// encodingV2 adds IdP, Actor and Content; an entry without any of them is
// still encoded as version 1 (see [Entry]).
const encodingV2 = "loginshell/audit/entry/v2"

// Seal returns e as the entry after prev, which is the last entry stored
// (nil when the trail is empty): Seq is prev.Seq+1 (1 for the first), Prev
// is prev.Hash ("" for the first), and Hash is the hex SHA-256 of the
// entry's canonical encoding (see [Entry]). Whatever e holds in Seq, Prev
// and Hash is replaced.
//
// Seal also normalises what a store could not keep exactly, so that an
// entry read back from SQLite, PostgreSQL or `audit show --json` hashes as
// it was sealed:
//   - Time is converted to UTC and truncated to the microsecond (the finest
//     a PostgreSQL timestamptz keeps). Offset is kept as given; when it is
//     empty Seal takes it from e.Time's location before the conversion, so
//     passing time.Now() records the station's local offset.
//   - In every text field, invalid UTF-8 and NUL bytes become U+FFFD (JSON
//     and PostgreSQL text cannot hold them).
//
// Seal does NOT serialise appends: a store calls it inside the transaction
// that reads the last entry and inserts the new one, so two stations never
// seal two entries after the same prev. Seal does NOT look for secrets
// either: callers never put a password, a token or the p/o query values in
// any field (Detail included); the trail is shown to auditors and kept
// for years.
func Seal(prev *Entry, e Entry) Entry {
	e.Seq, e.Prev = 1, ""
	if prev != nil {
		e.Seq, e.Prev = prev.Seq+1, prev.Hash
	}
	if e.Offset == "" {
		e.Offset = e.Time.Format("-07:00")
	}
	e.Time = e.Time.UTC().Truncate(time.Microsecond)
	for _, s := range []*string{&e.Offset, &e.Station, &e.Event, &e.Request, &e.RequestName, &e.Slot,
		&e.Template, &e.UserID, &e.PrintedName, &e.Meaning, &e.Comment, &e.Detail, &e.IdP, &e.Actor, &e.Content} {
		*s = clean(*s)
	}
	e.Hash = digest(&e)
	return e
}

// clean makes s valid UTF-8 without NUL bytes.
func clean(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.ReplaceAll(s, "\x00", "\uFFFD")
}

// digest is the hex SHA-256 of e's canonical encoding.
func digest(e *Entry) string {
	var h [sha256.Size * 2]byte
	return string(hexDigest(&h, e))
}

// intact reports whether e.Hash is the digest of e's content.
func intact(e *Entry) bool {
	var h [sha256.Size * 2]byte
	return string(hexDigest(&h, e)) == e.Hash // compared without a copy
}

// hexDigest writes the hex SHA-256 of e's canonical encoding into h. An
// entry of usual size is encoded on the stack.
func hexDigest(h *[sha256.Size * 2]byte, e *Entry) []byte {
	var buf [1024]byte
	sum := sha256.Sum256(encode(buf[:0], e))
	hex.Encode(h[:], sum[:])
	return h[:]
}

// encode appends the canonical encoding, version 1 or 2, of every field of e
// but Hash to b; the [Entry] doc comment states it for other
// implementations. A new field of Entry needs a new version: the field
// test in seal_test.go fails until it is encoded.
func encode(b []byte, e *Entry) []byte {
	v2 := e.IdP != "" || e.Actor != "" || e.Content != ""
	if v2 {
		b = appendString(b, encodingV2)
	} else {
		b = appendString(b, encodingV1)
	}
	b = binary.BigEndian.AppendUint64(b, uint64(e.Seq))
	b = binary.BigEndian.AppendUint64(b, uint64(e.Time.Unix()))
	b = binary.BigEndian.AppendUint32(b, uint32(e.Time.Nanosecond()))
	for _, s := range []string{e.Offset, e.Station, e.Event, e.Request, e.RequestName, e.Slot,
		e.Template, e.UserID, e.PrintedName, e.Meaning} {
		b = appendString(b, s)
	}
	var approve byte // 0: not a decision
	if e.Approve != nil {
		approve = 1 // reject
		if *e.Approve {
			approve = 2 // approve
		}
	}
	b = append(b, approve)
	for _, s := range []string{e.Comment, e.Detail, e.Prev} {
		b = appendString(b, s)
	}
	if v2 {
		for _, s := range []string{e.IdP, e.Actor, e.Content} {
			b = appendString(b, s)
		}
	}
	return b
}

// appendString appends s's length as 8 bytes big-endian, then s: no
// separator or escaping can make two field lists encode alike.
func appendString(b []byte, s string) []byte {
	b = binary.BigEndian.AppendUint64(b, uint64(len(s)))
	return append(b, s...)
}
