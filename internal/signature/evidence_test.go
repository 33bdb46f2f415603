package signature

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"loginshell/internal/audit"
)

// TestRecords: each edit of a request or of a stored signature that
// leaves the trail's chain intact is named, once, and a store that
// matches its trail has no problem. (The CLI's tamper tests make the same
// edits in a real store; these pin each rule on its own.)
func TestRecords(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	yes := true
	// build returns a request with one signed slot and the trail that
	// queued and signed it.
	build := func() (Request, []audit.Entry) {
		r := Request{ID: uuid.New(), State: Pending, Template: "Release", Name: "Release line 4", Description: "Batch 4711", Record: `{"batch":"4711"}`}
		sig := &Signature{Signer: Signer{UserID: "olga", PrintedName: "Olga Operator", Roles: []string{"Operator"}}, Approve: true,
			Meaning: "Approval", Comment: "checked", SignedAt: now}
		r.Slots = []Slot{{ID: uuid.New(), Request: r.ID, Index: 0, State: Approved, Signature: sig}, {ID: uuid.New(), Request: r.ID, Index: 1}}
		content := ContentHash(r)
		return r, []audit.Entry{
			{Seq: 1, Event: audit.EventQueue, Request: r.ID.String(), RequestName: r.Name, Content: content},
			{Seq: 2, Event: audit.EventTrigger, Request: r.ID.String(), RequestName: r.Name, Slot: r.Slots[0].ID.String(), Content: content},
			{Seq: 3, Event: audit.EventApprove, Request: r.ID.String(), RequestName: r.Name, Slot: r.Slots[0].ID.String(), Content: content,
				UserID: "olga", PrintedName: "Olga Operator", Meaning: "Approval", Approve: &yes, Comment: "checked", Time: now, Detail: "slot signed"},
		}
	}
	for _, tt := range []struct {
		name string
		edit func(r *Request, es []audit.Entry) []audit.Entry
		want []string // one problem each, in this order
	}{
		{"nothing edited", nil, nil},
		{"the description", func(r *Request, es []audit.Entry) []audit.Entry { r.Description = "Batch 9999"; return es },
			[]string{"entry 1: request", "was changed after it was queued"}},
		{"the record", func(r *Request, es []audit.Entry) []audit.Entry { r.Record = `{"batch":"9999"}`; return es },
			[]string{"was changed after it was queued"}},
		{"the request removed", nil, []string{"entry 1: request", "is in the trail but no longer in the store"}},
		{"a signature's printed name", func(r *Request, es []audit.Entry) []audit.Entry {
			r.Slots[0].Signature.Signer.PrintedName = "Someone Else"
			return es
		}, []string{"signature 1: the stored signature's printed name differs from entry 3"}},
		{"a signature's user ID", func(r *Request, es []audit.Entry) []audit.Entry {
			r.Slots[0].Signature.Signer.UserID = "otto"
			return es
		},
			[]string{"user ID differs from entry 3"}},
		{"a signature's meaning", func(r *Request, es []audit.Entry) []audit.Entry { r.Slots[0].Signature.Meaning = "Review"; return es },
			[]string{"meaning differs"}},
		{"a signature's decision", func(r *Request, es []audit.Entry) []audit.Entry { r.Slots[0].Signature.Approve = false; return es },
			[]string{"decision differs"}},
		{"a signature's comment", func(r *Request, es []audit.Entry) []audit.Entry { r.Slots[0].Signature.Comment = "all good"; return es },
			[]string{"comment differs"}},
		{"a signature's time", func(r *Request, es []audit.Entry) []audit.Entry {
			r.Slots[0].Signature.SignedAt = now.Add(-time.Hour)
			return es
		}, []string{"time differs"}},
		{"a signature's station", func(r *Request, es []audit.Entry) []audit.Entry {
			r.Slots[0].Signature.Station, es[2].Station = "ST-9", "ST-1"
			return es
		}, []string{"station differs"}},
		{"a signature's station as its entry's", func(r *Request, es []audit.Entry) []audit.Entry {
			r.Slots[0].Signature.Station, es[2].Station = "ST-1", "ST-1"
			return es
		}, nil},
		{"a signature no entry made", func(r *Request, es []audit.Entry) []audit.Entry { return es[:2] },
			[]string{"signature 1: signed in the store, but no entry of the trail signed it"}},
		{"a signature made in the store for the other slot", func(r *Request, es []audit.Entry) []audit.Entry {
			r.Slots[1].Signature = r.Slots[0].Signature
			return es
		}, []string{"signature 2: signed in the store, but no entry"}},
		{"entries from before content hashes: signatures only", func(r *Request, es []audit.Entry) []audit.Entry {
			r.Description = "Batch 9999"
			for i := range es {
				es[i].Content = ""
			}
			return es
		}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r, es := build()
			if tt.edit != nil {
				es = tt.edit(&r, es)
			}
			c := NewRecords()
			if tt.name != "the request removed" {
				c.Request(r)
			}
			// Another request, untouched, before and after in the trail.
			other, oes := build()
			c.Request(other)
			for i := range oes {
				oes[i].Seq += 100
			}
			for _, e := range append(es, oes...) {
				c.Entry(e)
			}
			got := c.Problems()
			if len(tt.want) == 0 {
				if len(got) != 0 {
					t.Errorf("problems %q, want none", got)
				}
				return
			}
			if len(got) != 1 {
				t.Fatalf("problems %q, want one naming %q", got, tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(got[0], w) {
					t.Errorf("problem %q does not say %q", got[0], w)
				}
			}
		})
	}
}

// TestRecordsHashesEachRequestOnce: the content hash is compared at the
// first entry that carries it, not at every entry of the request (a
// request's later entries agree with its first, the chain says so).
func TestRecordsHashesEachRequestOnce(t *testing.T) {
	t.Parallel()
	r := Request{ID: uuid.New(), State: Pending, Template: "T", Name: "n"}
	c := NewRecords()
	c.Request(r)
	c.Entry(audit.Entry{Seq: 1, Request: r.ID.String(), Content: "0000"})
	c.Entry(audit.Entry{Seq: 2, Request: r.ID.String(), Content: "1111"})
	if got := c.Problems(); len(got) != 1 || !strings.HasPrefix(got[0], "entry 1:") {
		t.Errorf("problems %q, want one, at entry 1", got)
	}
	if c.Requests() != 1 {
		t.Errorf("Requests() = %d, want 1", c.Requests())
	}
}

// TestRecordsHoldRequestsToTheirTemplates: a request queued from a
// template as no entry recorded it is named; one queued from any version
// the trail recorded is not, whatever the name's case; a template the
// trail recorded no hash of (a trail written before templates were
// hashed) is not held to anything.
func TestRecordsHoldRequestsToTheirTemplates(t *testing.T) {
	t.Parallel()
	v1 := `{"name":"Release","expression":"{role:Operator} AND {role:Supervisor}"}`
	v2 := `{"name":"Release","expression":"{role:Operator} AND {role:QA}"}`
	edited := `{"name":"Release","expression":"{role:Operator}"}`
	stored := func(name, rules string) audit.Entry {
		e := audit.Entry{Event: audit.EventTemplate, Template: name, Detail: "stored"}
		if rules != "" {
			e.Content = TemplateHash(rules)
		}
		return e
	}
	for _, tt := range []struct {
		name      string
		templates []audit.Entry
		rules     string // the request's, as queued
		named     bool
	}{
		{"as recorded", []audit.Entry{stored("Release", v1)}, v1, false},
		{"an earlier recorded version", []audit.Entry{stored("Release", v1), stored("Release", v2)}, v1, false},
		{"recorded after the request's queue entry", nil, v2, false},
		{"recorded under the name in another case", []audit.Entry{stored("RELEASE", v1)}, v1, false},
		{"edited in the store", []audit.Entry{stored("Release", v1), stored("Release", v2)}, edited, true},
		{"no version of it hashed", []audit.Entry{stored("Release", "")}, edited, false},
		{"only another template hashed", []audit.Entry{stored("Other", v1)}, edited, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := Request{ID: uuid.New(), State: Pending, Template: "Release", Name: "Release line 4", RulesJSON: tt.rules, Slots: queuedSlots(t, tt.rules)}
			c := NewRecords()
			c.Request(r)
			es := append(tt.templates, audit.Entry{Event: audit.EventQueue, Request: r.ID.String(), RequestName: r.Name, Content: ContentHash(r)})
			if tt.name == "recorded after the request's queue entry" {
				es = append(es, stored("Release", v2))
			}
			for i, e := range es {
				e.Seq = int64(i + 1)
				c.Entry(e)
			}
			got := c.Problems()
			if named := len(got) == 1 && strings.Contains(got[0], `was queued from template "Release" as no entry of the trail recorded it`); named != tt.named || len(got) > 1 {
				t.Errorf("problems %q, want the request named: %v", got, tt.named)
			}
		})
	}
}

// queuedSlots is the pending slots the template rulesJSON makes, as Queue
// makes them.
func queuedSlots(t *testing.T, rulesJSON string) []Slot {
	t.Helper()
	var tm Template
	if err := json.Unmarshal([]byte(rulesJSON), &tm); err != nil {
		t.Fatal(err)
	}
	expr, err := ParseExpression(tm.Expression)
	if err != nil {
		t.Fatal(err)
	}
	var slots []Slot
	for i, c := range expr.Slots() {
		slots = append(slots, Slot{ID: uuid.New(), Index: i, Clause: c.String(), State: Pending})
	}
	return slots
}

// TestRecordsHoldSlotsToTheirTemplate: a request's slots must be what its
// template as queued makes of it: a clause edited, a slot added or taken
// away is named; a request without its template kept is not held to it.
func TestRecordsHoldSlotsToTheirTemplate(t *testing.T) {
	t.Parallel()
	rules := `{"name":"Release","expression":"{role:Operator} AND {role:Supervisor}"}`
	for _, tt := range []struct {
		name  string
		edit  func(r *Request)
		named bool
	}{
		{"as queued", func(*Request) {}, false},
		{"a clause edited", func(r *Request) { r.Slots[1].Clause = "{role:Operator}" }, true},
		{"a slot removed", func(r *Request) { r.Slots = r.Slots[:1] }, true},
		{"a slot added", func(r *Request) { r.Slots = append(r.Slots, Slot{Index: 2, Clause: "{role:Visitor}"}) }, true},
		{"no template kept", func(r *Request) { r.RulesJSON = ""; r.Slots[1].Clause = "{role:Operator}" }, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := Request{ID: uuid.New(), State: Pending, Template: "Release", Name: "Release line 4", RulesJSON: rules, Slots: queuedSlots(t, rules)}
			tt.edit(&r)
			c := NewRecords()
			c.Request(r)
			c.Entry(audit.Entry{Seq: 1, Event: audit.EventQueue, Request: r.ID.String(), RequestName: r.Name, Content: ContentHash(r)})
			got := c.Problems()
			if named := len(got) == 1 && strings.Contains(got[0], "its signatures are not the ones its template as queued makes ({role:Operator} AND {role:Supervisor})"); named != tt.named || len(got) > 1 {
				t.Errorf("problems %q, want the request named: %v", got, tt.named)
			}
		})
	}
}

// TestRecordsHoldStatesToTheirEntries: a request's state in the store
// must be the one its entries give it (an approval of the request, a
// rejected signature, a cancellation of the request); a challenge's
// cancellation or a slot's approval leaves it pending.
func TestRecordsHoldStatesToTheirEntries(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name    string
		stored  State
		entries []audit.Entry // of the request, after its queue entry
		want    string        // "" for none
	}{
		{"pending", Pending, nil, ""},
		{"pending after a challenge cancelled and a slot approved", Pending, []audit.Entry{
			{Event: audit.EventCancel, Slot: "s"}, {Event: audit.EventApprove, Slot: "s", Detail: "slot signed"}}, ""},
		{"approved", Approved, []audit.Entry{{Event: audit.EventApprove, Slot: "s", Detail: "slot signed"}, {Event: audit.EventApprove, Detail: "request approved"}}, ""},
		{"rejected", Rejected, []audit.Entry{{Event: audit.EventReject, Slot: "s", Detail: "slot signed"}}, ""},
		{"cancelled", Cancelled, []audit.Entry{{Event: audit.EventCancel}}, ""},
		{"approved with no entry", Approved, nil, "is approved in the store, but its entries leave it pending"},
		{"approved after a slot's approval only", Approved, []audit.Entry{{Event: audit.EventApprove, Slot: "s", Detail: "slot signed"}}, "is approved in the store, but its entries leave it pending"},
		{"cancelled after a challenge's cancellation only", Cancelled, []audit.Entry{{Event: audit.EventCancel, Slot: "s"}}, "is cancelled in the store, but its entries leave it pending"},
		{"pending though approved", Pending, []audit.Entry{{Event: audit.EventApprove, Detail: "request approved"}}, "is pending in the store, but its entries leave it approved"},
		{"rejected though approved", Rejected, []audit.Entry{{Event: audit.EventApprove, Detail: "request approved"}}, "is rejected in the store, but its entries leave it approved"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := Request{ID: uuid.New(), State: tt.stored, Template: "Release", Name: "Release line 4"}
			c := NewRecords()
			c.Request(r)
			for i, e := range append([]audit.Entry{{Event: audit.EventQueue}}, tt.entries...) {
				e.Seq, e.Request, e.RequestName, e.Content = int64(i+1), r.ID.String(), r.Name, ContentHash(r)
				if e.Slot == "s" {
					e.Slot = uuid.NewString()
				}
				c.Entry(e)
			}
			got := c.Problems()
			if tt.want == "" && len(got) != 0 || tt.want != "" && (len(got) != 1 || !strings.Contains(got[0], tt.want)) {
				t.Errorf("problems %q, want %q", got, tt.want)
			}
		})
	}
}

// TestRecordsNameARequestNoEntryQueued: a request in the store that no
// entry names was put there below the engine; one named by any entry,
// content hash or not (a trail written before hashes), is not.
func TestRecordsNameARequestNoEntryQueued(t *testing.T) {
	t.Parallel()
	r := Request{ID: uuid.New(), State: Pending, Template: "Release", Name: "Release line 7"}
	for _, tt := range []struct {
		name    string
		entries []audit.Entry
		named   bool
	}{
		{"queued", []audit.Entry{{Event: audit.EventQueue, Request: r.ID.String(), Content: ContentHash(r)}}, false},
		{"queued before hashes", []audit.Entry{{Event: audit.EventQueue, Request: r.ID.String()}}, false},
		{"no entry", nil, true},
		{"only another request's entries", []audit.Entry{{Event: audit.EventQueue, Request: uuid.NewString()}}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := NewRecords()
			c.Request(r)
			for i, e := range tt.entries {
				e.Seq = int64(i + 1)
				c.Entry(e)
			}
			named := slices.ContainsFunc(c.Problems(), func(p string) bool {
				return strings.Contains(p, `request `+r.ID.String()+` ("Release line 7") is in the store, but no entry of the trail queued it`)
			})
			if named != tt.named {
				t.Errorf("problems %q, want the request named: %v", c.Problems(), tt.named)
			}
		})
	}
}
