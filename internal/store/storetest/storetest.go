// Package storetest is the contract every signature store passes: the
// SQLite store in the data directory and a plant's PostgreSQL store run
// Run unchanged, so the engine can rely on one behaviour whichever it was
// given. A store's own test file supplies NewDB; everything else is here.
//
// The contract, beyond the doc comments of signature.Store and
// signature.Backend:
//   - Times come back in UTC, truncated to the microsecond (what audit.Seal
//     keeps and a PostgreSQL timestamptz holds).
//   - Template names compare as strings.EqualFold does (store.NameKey).
//   - Filter.User matches a pending slot whose clause names the user with
//     {userName:X}, X compared as strings.EqualFold does, as
//     signature.Clause.Admits compares it; the store knows no roles, so a
//     slot only a role can sign does not match. The store reads this from
//     the slot's Atoms, handed to it with the request (it parses no
//     clause), and does not give them back.
//   - A slot of a request that ended unsigned (rejected through another
//     slot, or cancelled) is cancelled; signing it is signature.ErrNoRequest,
//     signing a signed slot signature.ErrSlotTaken.
//   - Each audited method commits its change and its audit entries together
//     or not at all, and calls the entries function only for a change that
//     happens, with the request or template as the change leaves it (a
//     removed template as it was stored).
//   - Audit entries are sealed (audit.Seal) in one serialised sequence
//     across every handle on the database: Seq 1, 2, 3 … with no gap or
//     fork, and audit.Verify accepts the trail.
//   - A request queued under an ordered template (Request.Rules) takes a
//     slot's signature only once every slot before it is signed;
//     earlier, signing is signature.ErrNotPosted and writes nothing.
//   - Several handles on one database (processes, stations) see each
//     other's commits, and of concurrent signers of one slot exactly one
//     counts.
//   - A handle closed and opened again (a restart) finds every committed
//     request, signature and entry.
//   - A handle opened with a store.Checkpointer stores one signed
//     checkpoint with every transaction that appends entries, chained to
//     the one before across every handle, and tells the Checkpointer once
//     it is committed; AuditTrail reads keys, checkpoints and entries in
//     one snapshot (RunCheckpoints).
package storetest

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"reflect"
	"testing"
	"time"

	"github.com/google/uuid"
	"loginshell/internal/audit"
	"loginshell/internal/signature"
)

// Store is what the suite tests: the engine's signature.Backend (its
// reads, templates, the audited variant of each method that changes a
// request, and AppendAudit), the same changes without audit entries, and
// the whole trail. Each audited method takes entries (nil for none),
// called once inside the change's transaction with the request as the
// change leaves it, and returns the entries it returned, sealed; entries
// must not call the store.
type Store interface {
	signature.Backend

	// Queue is QueueAudited with no entries: it stores r and its slots in
	// one transaction.
	Queue(ctx context.Context, r signature.Request) error
	// Sign is SignAudited with no entries; entries would not have been
	// called when the signature does not count.
	Sign(ctx context.Context, id uuid.UUID, sig signature.Signature, forceUniqueUser bool) (signature.Request, error)
	// Cancel is CancelAudited with no entries.
	Cancel(ctx context.Context, id uuid.UUID) (signature.Request, error)

	// AuditEntries calls fn with every entry in Seq order, from one
	// snapshot, and stops at fn's first error, returning it.
	AuditEntries(ctx context.Context, fn func(audit.Entry) error) error
	// AuditEvents calls fn with the entries of one event appended after
	// Seq after, in order, and returns the Seq of the trail's end, from
	// one snapshot (what internal/alert follows).
	AuditEvents(ctx context.Context, event string, after int64, fn func(audit.Entry) error) (int64, error)
	// AuditTrail calls fn with the store's identity and keys and its rows
	// (each entry with its checkpoint, then the checkpoints no entry has),
	// all from one snapshot (see RunCheckpoints).
	AuditTrail(ctx context.Context, fn func(audit.Trail) error) error
	// AuditRecords is AuditTrail with every request the store holds, in
	// the order they were stored, from the same snapshot: what `audit
	// verify` compares with the trail (testRecords).
	AuditRecords(ctx context.Context, fn func(requests iter.Seq2[signature.Request, error], t audit.Trail) error) error

	// Close releases the handle. A second Close is harmless.
	Close() error
}

// NewDB makes a new, empty database for one test and returns open, which
// opens a Store on it. Every call of open is a handle of its own, as
// another process or station would hold; the database's schema is made
// by whichever handle comes first, and handles may be opened at the same
// time. Each handle must be closed when tb ends (tb.Cleanup); the suite
// may close one earlier.
type NewDB func(tb testing.TB) (open func(tb testing.TB) Store)

// Run runs the contract against the store newDB makes. Subtests run in
// parallel, each on a database of its own.
func Run(t *testing.T, newDB NewDB) {
	t.Run("templates", func(t *testing.T) { t.Parallel(); testTemplates(t, newDB) })
	t.Run("queue and slot", func(t *testing.T) { t.Parallel(); testQueue(t, newDB) })
	t.Run("pending", func(t *testing.T) { t.Parallel(); testPending(t, newDB) })
	t.Run("request", func(t *testing.T) { t.Parallel(); testRequest(t, newDB) })
	t.Run("sign", func(t *testing.T) { t.Parallel(); testSign(t, newDB) })
	t.Run("cancel", func(t *testing.T) { t.Parallel(); testCancel(t, newDB) })
	t.Run("order", func(t *testing.T) { t.Parallel(); testOrder(t, newDB) })
	t.Run("audit", func(t *testing.T) { t.Parallel(); testAudit(t, newDB) })
	t.Run("audited changes", func(t *testing.T) { t.Parallel(); testAudited(t, newDB) })
	t.Run("audited templates", func(t *testing.T) { t.Parallel(); testTemplatesAudited(t, newDB) })
	t.Run("audit events", func(t *testing.T) { t.Parallel(); testEvents(t, newDB) })
	t.Run("audit records", func(t *testing.T) { t.Parallel(); testRecords(t, newDB) })
	t.Run("concurrency", func(t *testing.T) { t.Parallel(); testConcurrency(t, newDB) })
	t.Run("restart", func(t *testing.T) { t.Parallel(); testRestart(t, newDB) })
	t.Run("errors", func(t *testing.T) { t.Parallel(); testErrors(t, newDB) })
}

// base is the suite's fixed clock: a station at UTC+01:00, with
// nanoseconds a store does not keep.
var base = time.Date(2026, 11, 29, 10, 15, 2, 123456789, time.FixedZone("CET", 3600))

// at is base plus d minutes.
func at(d int) time.Time { return base.Add(time.Duration(d) * time.Minute) }

// stored is t as every store gives it back.
func stored(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// fresh opens a store on a new database.
func fresh(t *testing.T, newDB NewDB) Store {
	t.Helper()
	return newDB(t)(t)
}

// request builds a pending request of template tmpl with one slot per
// clause, queued at the given minute after base.
func request(tmpl, name string, minute int, clauses ...string) signature.Request {
	r := signature.Request{
		ID: uuid.New(), Template: tmpl, Name: name, Description: "release of " + name,
		State: signature.Pending, Station: "ST-7", Session: "session-1", QueuedAt: at(minute),
	}
	for i, c := range clauses {
		r.Slots = append(r.Slots, signature.Slot{ID: uuid.New(), Request: r.ID, Index: i, Clause: c, State: signature.Pending, Atoms: atoms(c)})
	}
	return r
}

// atoms are the atoms of clause as the engine hands them to a store with
// the slot (signature.Clause.Atoms: the store parses no clause itself).
func atoms(clause string) []signature.Atom {
	c, err := signature.ParseClause(clause)
	if err != nil {
		panic(fmt.Sprintf("storetest: a fixture's clause %q: %v", clause, err))
	}
	return c.Atoms()
}

// signer is a signature by user at the given minute after base.
func signer(user string, approve bool, minute int) signature.Signature {
	return signature.Signature{
		Signer:  signature.Signer{UserID: user, PrintedName: "Printed " + user, Roles: []string{"Operator", "QA"}, Groups: []string{"Line 4"}},
		Approve: approve, Meaning: "Approval", Comment: "checked by " + user, SignedAt: at(minute), Station: "ST-9",
	}
}

// asStored is r as a store gives it back: times in UTC to the
// microsecond, the slots' atoms kept for Filter.User but not returned.
func asStored(r signature.Request) signature.Request {
	r.QueuedAt = stored(r.QueuedAt)
	slots := make([]signature.Slot, len(r.Slots))
	for i, sl := range r.Slots {
		sl.Atoms = nil
		if sl.Signature != nil {
			sig := *sl.Signature
			sig.SignedAt = stored(sig.SignedAt)
			sl.Signature = &sig
		}
		slots[i] = sl
	}
	r.Slots = slots
	return r
}

// withSignature is r (as stored) after sig counted on slot i.
func withSignature(r signature.Request, i int, sig signature.Signature) signature.Request {
	r = asStored(r)
	sig.SignedAt = stored(sig.SignedAt)
	r.Slots[i].Signature = &sig
	r.Slots[i].State = signature.Rejected
	if sig.Approve {
		r.Slots[i].State = signature.Approved
	}
	return r
}

// sameRequest fails t unless got is want, field by field.
func sameRequest(t *testing.T, what string, got, want signature.Request) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\n got %s\nwant %s", what, show(got), show(want))
	}
	if !got.QueuedAt.IsZero() && got.QueuedAt.Location() != time.UTC {
		t.Errorf("%s: QueuedAt is in %v, want UTC", what, got.QueuedAt.Location())
	}
}

// show prints a request with its slots and signatures.
func show(r signature.Request) string {
	s := fmt.Sprintf("%+v", r)
	for _, sl := range r.Slots {
		if sl.Signature != nil {
			s += fmt.Sprintf("\n\tslot %d signature %+v", sl.Index, *sl.Signature)
		}
	}
	return s
}

// ids lists the requests' IDs in order.
func ids(rs []signature.Request) []uuid.UUID {
	out := []uuid.UUID{}
	for _, r := range rs {
		out = append(out, r.ID)
	}
	return out
}

// mustQueue queues r or fails t.
func mustQueue(t *testing.T, s Store, r signature.Request) {
	t.Helper()
	if err := s.Queue(context.Background(), r); err != nil {
		t.Fatalf("queue %s: %v", r.Name, err)
	}
}

// mustSign signs slot i of r or fails t.
func mustSign(t *testing.T, s Store, r signature.Request, i int, sig signature.Signature) signature.Request {
	t.Helper()
	got, err := s.Sign(context.Background(), r.Slots[i].ID, sig, false)
	if err != nil {
		t.Fatalf("sign slot %d of %s: %v", i, r.Name, err)
	}
	return got
}

// trail yields a store's entries as audit.Verify reads them.
func trail(ctx context.Context, s Store) iter.Seq2[audit.Entry, error] {
	return func(yield func(audit.Entry, error) bool) {
		errStop := errors.New("stop")
		err := s.AuditEntries(ctx, func(e audit.Entry) error {
			if !yield(e, nil) {
				return errStop
			}
			return nil
		})
		if err != nil && !errors.Is(err, errStop) {
			yield(audit.Entry{}, err)
		}
	}
}

// entries reads a store's whole trail.
func entries(t *testing.T, s Store) []audit.Entry {
	t.Helper()
	var es []audit.Entry
	if err := s.AuditEntries(context.Background(), func(e audit.Entry) error {
		es = append(es, e)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return es
}

// verified fails t unless the store's trail verifies, and returns it.
func verified(t *testing.T, s Store) []audit.Entry {
	t.Helper()
	if err := audit.Verify(trail(context.Background(), s)); err != nil {
		t.Errorf("audit.Verify: %v", err)
	}
	return entries(t, s)
}

// Tiny builders of audit entries for the audited methods.

func entryFor(event string, r signature.Request) audit.Entry {
	return audit.Entry{Time: at(30), Station: "ST-7", Event: event, Request: r.ID.String(), RequestName: r.Name, Template: r.Template, Detail: string(r.State)}
}

func boolPtr(b bool) *bool { return &b }
