package audit

import (
	"fmt"
	"iter"
	"strings"

	"loginshell/internal/fault"
)

// ErrBroken is matched by every [*BreakError]: the trail is not as it was
// written.
var ErrBroken = fault.New(fault.Invalid, "the audit trail was changed after it was written")

// Problems a [BreakError] names.
const (
	// ProblemAltered: an entry's content does not match its Hash (a field
	// or the hash itself was changed).
	ProblemAltered = "altered"
	// ProblemMissing: entry numbers are skipped before this entry (entries
	// deleted, or moved elsewhere in the trail).
	ProblemMissing = "missing"
	// ProblemReordered: entries are out of order, or numbers do not start
	// at 1.
	ProblemReordered = "reordered"
	// ProblemInserted: two different entries carry one number.
	ProblemInserted = "inserted"
	// ProblemRepeated: one entry is stored twice.
	ProblemRepeated = "repeated"
	// ProblemBrokenLink: an entry does not record the hash of the entry
	// before it (that one was replaced, or this one was written in another
	// trail).
	ProblemBrokenLink = "broken link"
	// ProblemTruncated: the trail ends before the head kept apart from it
	// (VerifyAgainst): entries at the end were deleted.
	ProblemTruncated = "truncated"
	// ProblemRewritten: the trail's last entry is not the head kept apart
	// from it (VerifyAgainst): the trail was rewritten and re-hashed.
	ProblemRewritten = "rewritten"
	// ProblemUnexpected: the trail goes on past the head kept apart from it
	// (VerifyAgainst): entries were added without the store.
	ProblemUnexpected = "unexpected"
)

// BreakError names the first place where a trail is not as it was written.
// It matches [ErrBroken] with errors.Is; its kind is fault.Invalid. Its text
// holds entry numbers and what to compare, never an entry's content, so it
// is safe to show.
type BreakError struct {
	// Seq is the number of the first bad entry: the one that should stand
	// at that position (altered), the entry after a gap (missing), the
	// first entry out of order (reordered), the second of two with one
	// number (inserted, repeated), the entry whose link is wrong, or the
	// first entry missing from or added to the end (truncated,
	// unexpected).
	Seq int64
	// Problem is one of the Problem constants.
	Problem string
	// Detail says in words which entries a person should compare with a
	// backup or the database's own log.
	Detail string
}

// Error is the text for a person checking the trail.
func (e *BreakError) Error() string {
	return fmt.Sprintf("audit trail broken at entry %d (%s): %s", e.Seq, e.Problem, e.Detail)
}

// Kind is fault.Invalid: the trail was read and fails its rules.
func (e *BreakError) Kind() fault.Kind { return fault.Invalid }

// Is makes errors.Is(err, ErrBroken) true.
func (e *BreakError) Is(target error) bool { return target == ErrBroken }

// Verify walks a trail in stored order and returns nil when it is intact:
// numbered 1, 2, 3 … without a gap, each entry's Hash that of its content
// (see [Entry]) and each Prev the Hash of the entry before ("" for the
// first). Otherwise it returns a [*BreakError] naming the first bad entry,
// or the first error entries yields, wrapped. An empty trail is intact.
//
// Verify can NOT see entries deleted from the end of the trail: what
// remains is a whole trail of its own. Neither can it see a trail rewritten
// from some entry on with every hash recomputed, since the hash has no
// key. A store that keeps the head (the last entry's Seq and Hash)
// somewhere the trail's writer cannot rewrite it, or prints it for an
// auditor, uses [VerifyAgainst].
//
// A gap is told from a move by the entry after it: 1, 2, 4, 3 is entry 4
// reordered, 1, 2, 4, 5 is entry 3 missing.
//
// Verify checks the chain, not what the entries say: times need not
// increase (a plant's stations have clocks of their own) and events need
// not be known ones. It stops at the first break, so a person repairs, or
// explains, one place at a time.
func Verify(entries iter.Seq2[Entry, error]) error {
	_, err := walk(entries)
	return err
}

// VerifyAgainst is [Verify], and then checks that the trail ends exactly at
// head: its last entry has head.Seq and head.Hash (the other fields of head
// are not read; an empty trail matches a head with Seq 0). Read head and
// entries in one snapshot of the store, or an entry appended between the
// two reads shows as unexpected.
func VerifyAgainst(entries iter.Seq2[Entry, error], head Entry) error {
	last, err := walk(entries)
	if err != nil {
		return err
	}
	switch {
	case last.Seq < head.Seq:
		return &BreakError{Seq: last.Seq + 1, Problem: ProblemTruncated, Detail: fmt.Sprintf(
			"the trail ends at entry %d, but the head kept apart from it is entry %d: %s deleted from the end",
			last.Seq, head.Seq, span(last.Seq+1, head.Seq, "was", "were"))}
	case last.Seq > head.Seq:
		return &BreakError{Seq: head.Seq + 1, Problem: ProblemUnexpected, Detail: fmt.Sprintf(
			"the head kept apart from the trail is entry %d, but the trail goes on to entry %d: %s added without the store",
			head.Seq, last.Seq, span(head.Seq+1, last.Seq, "was", "were"))}
	case last.Hash != head.Hash:
		return &BreakError{Seq: last.Seq, Problem: ProblemRewritten, Detail: fmt.Sprintf(
			"entry %d is intact in itself but is not the entry %d kept apart from the trail: the trail was rewritten and re-hashed up to it; compare it with a backup from the start",
			last.Seq, head.Seq)}
	}
	return nil
}

// walk runs a checker over entries and returns the last entry of an
// intact trail.
func walk(entries iter.Seq2[Entry, error]) (Entry, error) {
	var c checker
	for e, err := range entries {
		if err != nil {
			return Entry{}, fmt.Errorf("read the audit trail after entry %d: %w", c.last.Seq, err)
		}
		if b := c.step(e); b != nil {
			return Entry{}, b
		}
	}
	if b := c.end(); b != nil {
		return Entry{}, b
	}
	return c.last, nil
}

// checker holds what Verify knows after each entry.
type checker struct {
	// last is the last entry found intact (zero before the first, whose
	// Seq 0 and Hash "" make the first entry's rule the general one).
	last Entry
	// gap is an entry, intact in itself, found after a gap in the
	// numbers. It is held back one entry: if that entry fills the gap,
	// the two were reordered, else entries are missing.
	gap    Entry
	gapped bool
}

// step checks e, the entry after c.last (or after c.gap).
func (c *checker) step(e Entry) *BreakError {
	want := c.last.Seq + 1
	if c.gapped {
		g := c.gap
		if intact(&e) && e.Seq >= want && e.Seq < g.Seq {
			return &BreakError{Seq: g.Seq, Problem: ProblemReordered, Detail: fmt.Sprintf(
				"entry %d is stored before entry %d, right after entry %d: entries were moved; each entry's hash is intact, so compare the order with a backup",
				g.Seq, e.Seq, c.last.Seq)}
		}
		return c.missing(g)
	}
	if !intact(&e) {
		stored := ""
		if e.Seq != want {
			stored = fmt.Sprintf(" (it is numbered %d now)", e.Seq)
		}
		return &BreakError{Seq: want, Problem: ProblemAltered, Detail: fmt.Sprintf(
			"entry %d%s does not match its hash: one of its fields, or the hash itself, was changed after it was written; compare every field of entry %d with a backup",
			want, stored, want)}
	}
	switch {
	case e.Seq == want && e.Prev == c.last.Hash:
		c.last = e
		return nil
	case e.Seq == want && want == 1:
		return &BreakError{Seq: 1, Problem: ProblemBrokenLink, Detail: "entry 1 records a hash for an entry before it, so it is not the first entry of this trail: the start of the trail was deleted and the rest renumbered, or entry 1 comes from another trail"}
	case e.Seq == want:
		return &BreakError{Seq: e.Seq, Problem: ProblemBrokenLink, Detail: fmt.Sprintf(
			"entry %d does not record the hash of entry %d before it: entry %d was replaced by another entry with the same number, or an entry was inserted and the rest renumbered; compare entries %d and %d with a backup",
			e.Seq, c.last.Seq, c.last.Seq, c.last.Seq, e.Seq)}
	case e.Seq > want:
		c.gap, c.gapped = e, true
		return nil
	case c.last.Seq == 0:
		return &BreakError{Seq: e.Seq, Problem: ProblemReordered, Detail: fmt.Sprintf(
			"the trail starts with entry %d: entry numbers start at 1", e.Seq)}
	case e.Seq == c.last.Seq && e.Hash == c.last.Hash:
		return &BreakError{Seq: e.Seq, Problem: ProblemRepeated, Detail: fmt.Sprintf(
			"entry %d is stored twice in a row: remove the copy", e.Seq)}
	case e.Seq == c.last.Seq:
		return &BreakError{Seq: e.Seq, Problem: ProblemInserted, Detail: fmt.Sprintf(
			"entry %d is stored twice with different content: one of the two was inserted; compare both with a backup", e.Seq)}
	default:
		return &BreakError{Seq: e.Seq, Problem: ProblemReordered, Detail: fmt.Sprintf(
			"entry %d is stored after entry %d: entries were moved; compare the order with a backup",
			e.Seq, c.last.Seq)}
	}
}

// end is called after the last entry: a gap still held back was a gap.
func (c *checker) end() *BreakError {
	if c.gapped {
		return c.missing(c.gap)
	}
	return nil
}

// missing reports the gap before g.
func (c *checker) missing(g Entry) *BreakError {
	from, to := c.last.Seq+1, g.Seq-1
	return &BreakError{Seq: g.Seq, Problem: ProblemMissing, Detail: fmt.Sprintf(
		"%s missing between entry %d and entry %d: deleted, or moved elsewhere in the trail; look for %s in a backup",
		span(from, to, "is", "are"), c.last.Seq, g.Seq, span(from, to, "", ""))}
}

// span names the entries from to to, followed by a verb in the singular
// or the plural: "entry 4 is", "entries 4 to 9 are".
func span(from, to int64, one, many string) string {
	if from == to {
		return strings.TrimSpace(fmt.Sprintf("entry %d %s", from, one))
	}
	return strings.TrimSpace(fmt.Sprintf("entries %d to %d %s", from, to, many))
}
