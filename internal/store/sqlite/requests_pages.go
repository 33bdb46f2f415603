package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/google/uuid"
	"loginshell/internal/signature"
	"loginshell/internal/store"
)

// eachRequestPaged is eachRequest of every request the store holds that
// has a slot, in the order the join of requestSelect gives them, ORDER
// BY r.rowid, s.idx: what `audit verify` compares with the trail. Both
// tables are read from their b-tree pages (tableReader, as the trail
// is), not by SQLite's join: the join looked up each request's slots in
// the (request, idx) index and each slot's row by its rowid, which was
// most of the time to read the requests of a million entries
// (BenchmarkVerify).
//
// A slot's rowid says nothing of its request's: the slots are read first,
// in rowid order, and their records held, listed by their request's id
// (the records share the slots' pages, so what is held is about the
// slots table's size: 49 MiB of 200,000 slots for a million entries);
// then the requests in rowid order, each with its slots decoded again
// and sorted by idx (and rowid, should a damaged file hold an idx twice). As the join does, a request without
// a slot is left out, and a slot whose request is not stored; the ids
// are compared byte for byte, as the join's BINARY collation does.
func eachRequestPaged(ctx context.Context, tx *sql.Tx, yield func(signature.Request) bool) error {
	p, err := openPager(ctx, tx)
	if err != nil {
		return err
	}
	slots, err := openTable(ctx, tx, p, "slots", slotsTable)
	if err != nil {
		return err
	}
	requests, err := openTable(ctx, tx, p, "requests", requestsTable)
	if err != nil {
		return err
	}
	// Each request's slots as a list through all: its last slot's index
	// in all, each slot's its previous one's (-1 ends it).
	last := map[string]int32{}
	var all []slotRef
	for {
		rowid, payload, ok, err := slots.cur.nextRow()
		if err != nil {
			return wrapTable("slots", 0, err)
		}
		if !ok {
			break
		}
		v, err := slots.decode(rowid, payload)
		if err != nil {
			return err
		}
		prev, ok := last[v[1].s]
		if !ok {
			prev = -1
		}
		if len(all) == math.MaxInt32 {
			return fmt.Errorf("table slots holds more than %d rows", math.MaxInt32)
		}
		last[v[1].s] = int32(len(all))
		all = append(all, slotRef{rowid: rowid, payload: payload, prev: prev})
	}
	var group []pagedSlot
	for {
		v, ok, err := requests.next()
		if err != nil {
			return err
		}
		if !ok {
			return nil
		}
		i, ok := last[v[0].s]
		if !ok {
			continue
		}
		group = group[:0]
		for ; i >= 0; i = all[i].prev {
			s := pagedSlot{rowid: all[i].rowid}
			v, err := slots.decode(s.rowid, all[i].payload)
			if err != nil {
				return err
			}
			copy(s.v[:], v)
			group = append(group, s)
		}
		slices.SortFunc(group, func(a, b pagedSlot) int {
			return cmp.Or(cmp.Compare(a.v[2].i, b.v[2].i), cmp.Compare(a.rowid, b.rowid))
		})
		r, err := pagedRequest(v, group)
		if err != nil {
			return fmt.Errorf("table requests, row %d: %w", requests.cur.last, err)
		}
		if !yield(r) {
			return nil
		}
	}
}

// slotRef is a slot read: its rowid, its record, and the previous slot of
// its request (an index in the slots read; -1: none).
type slotRef struct {
	rowid   int64
	payload string
	prev    int32
}

// The columns of requests and slots as this reader decodes them, in the
// order the schema's migrations leave them (schema.go).
var (
	requestsTable = []tableColumn{
		{name: "id", typ: "TEXT"}, {name: "template", typ: "TEXT"}, {name: "template_key", typ: "TEXT"},
		{name: "name", typ: "TEXT"}, {name: "description", typ: "TEXT"}, {name: "state", typ: "TEXT"},
		{name: "station", typ: "TEXT"}, {name: "session", typ: "TEXT"}, {name: "queued_at", typ: "TEXT"},
		{name: "owner", typ: "TEXT"}, {name: "addressed_to", typ: "TEXT"}, {name: "rules", typ: "TEXT"},
		{name: "record", typ: "TEXT"},
	}
	slotsTable = []tableColumn{
		{name: "id", typ: "TEXT"}, {name: "request", typ: "TEXT"}, {name: "idx", typ: "INTEGER"},
		{name: "clause", typ: "TEXT"}, {name: "state", typ: "TEXT"}, {name: "user_id", typ: "TEXT"},
		{name: "printed_name", typ: "TEXT"}, {name: "roles", typ: "TEXT"}, {name: "groups_", typ: "TEXT"},
		{name: "approve", typ: "INTEGER"}, {name: "meaning", typ: "TEXT"}, {name: "comment", typ: "TEXT"},
		{name: "signed_at", typ: "TEXT"}, {name: "sign_station", typ: "TEXT"},
	}
)

// pagedSlot is a slot's row as read (slotsTable's columns, sharing its
// page) and its rowid.
type pagedSlot struct {
	rowid int64
	v     [14]value
}

// pagedRequest is the request of the row v (requestsTable's columns)
// with its slots, as slotRow.each makes it of the join's rows: a NULL of
// a signature read as "" (or not approving), a signed slot being one
// with a signed_at. What it keeps of the pages is copied out of them.
func pagedRequest(v []value, slots []pagedSlot) (signature.Request, error) {
	r := signature.Request{
		Template: v[1].s, Name: v[3].s, Description: v[4].s, State: signature.State(v[5].s), Station: v[6].s,
		Session: v[7].s, Owner: v[9].s, AddressedTo: v[10].s, Record: v[12].s,
	}
	rules := v[11].s
	detach(&r.Template, &r.Name, &r.Description, &rules, &r.Station, &r.Session, &r.Owner, &r.AddressedTo, &r.Record)
	r.State = stateOf(v[5].s)
	var err error
	if r.ID, err = parseUUID(v[0].s); err != nil {
		return r, err
	}
	if r.QueuedAt, err = parseTime(v[8].s); err != nil {
		return r, err
	}
	if err = store.ParseRules(&r, rules); err != nil {
		return r, err
	}
	r.Slots = make([]signature.Slot, 0, len(slots))
	for i := range slots {
		sl, err := pagedSlotOf(r.ID, &slots[i])
		if err != nil {
			return r, fmt.Errorf("slot row %d: %w", slots[i].rowid, err)
		}
		r.Slots = append(r.Slots, sl)
	}
	return r, nil
}

func pagedSlotOf(request uuid.UUID, s *pagedSlot) (signature.Slot, error) {
	v := &s.v
	sl := signature.Slot{Request: request, Index: int(v[2].i), Clause: v[3].s, State: signature.State(v[4].s)}
	var err error
	if sl.ID, err = parseUUID(v[0].s); err != nil {
		return sl, err
	}
	sl.State = stateOf(v[4].s)
	if v[12].kind == valueNull {
		detach(&sl.Clause)
		return sl, nil
	}
	sig := &signature.Signature{
		Signer:  signature.Signer{UserID: v[5].s, PrintedName: v[6].s},
		Approve: v[9].kind == valueInt && v[9].i == 1,
		Meaning: v[10].s, Comment: v[11].s, Station: v[13].s,
	}
	roles, groups := nullString(v[7]), nullString(v[8])
	detach(&sl.Clause, &sig.Signer.UserID, &sig.Signer.PrintedName, &sig.Meaning, &sig.Comment, &sig.Station, &roles.String, &groups.String)
	if sig.Signer.Roles, err = parseList(roles); err != nil {
		return sl, err
	}
	if sig.Signer.Groups, err = parseList(groups); err != nil {
		return sl, err
	}
	if sig.SignedAt, err = parseTime(v[12].s); err != nil {
		return sl, err
	}
	sl.Signature = sig
	return sl, nil
}

// nullString is a TEXT column's value as database/sql scans it.
func nullString(v value) sql.NullString {
	return sql.NullString{String: v.s, Valid: v.kind != valueNull}
}

// stateOf is the state s names, not sharing s's memory: one of the four
// the schema's CHECK allows, or a copy of another (which only an edit of
// the file stores, and the verify then reports).
func stateOf(s string) signature.State {
	for _, st := range [...]signature.State{signature.Pending, signature.Approved, signature.Rejected, signature.Cancelled} {
		if s == string(st) {
			return st
		}
	}
	return signature.State(strings.Clone(s))
}
