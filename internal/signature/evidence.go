package signature

import (
	"cmp"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"loginshell/internal/audit"
)

// signedSkew is how far a stored signature's time may be from its audit
// entry's: both are read from the station's clock a few statements apart.
const signedSkew = 5 * time.Second

// Records compares the requests a store holds with the audit trail that
// recorded them (21 CFR 11.70: signatures linked to their records), as
// both stream by: first every request of the store (Request), then every
// entry of the trail in order (Entry); Problems then returns one line per
// difference, naming the request or slot and the entry; none when they
// agree. It finds what editing the store's request and slot rows does,
// which the chain alone cannot see:
//   - a request whose name, description, record or template as queued no
//     longer hashes to the content every entry of it carries;
//   - a request the trail names that the store no longer holds;
//   - a signed slot whose stored signature (user ID, printed name, meaning,
//     decision, comment, time, station) differs from its signing entry, or that has
//     no signing entry at all;
//   - a request the store holds that no entry of the trail names: one
//     put into the store below the engine, for someone to sign;
//   - a request whose state in the store (approved, rejected, cancelled,
//     pending) is not the one its entries give it: an approval, a
//     rejection or a cancellation set in the store with no entry, which a
//     page reading the request would take for the outcome;
//   - a request whose slots (how many, and who may give each) are not
//     what its template as queued makes of it: a slot's row edited to let
//     someone else sign (the engine refuses to offer it: queuedClause);
//   - a request queued from a template as no entry of the trail recorded
//     it (TemplateHash), when the trail recorded that template's hash at
//     all: one edited in the store below the engine, whose requests then
//     hash consistently. Which recorded version a request used is not
//     checked (a station may queue from the version it read a moment
//     before another station stored the next one, whose entry then
//     precedes the request's): a template set back to an earlier
//     recorded version in the store is not named.
//
// Entries written before the trail carried content hashes (version 1)
// are compared by their signatures only. Records does NOT verify the
// chain itself: audit.Verify and audit.CheckTrail do.
//
// It holds each request's content hash and each stored signature, never
// the entries nor the requests' records, so a trail of a million entries
// is checked in tens of megabytes; each request is hashed once. Read the
// requests and the entries from one snapshot of the store, or a request
// queued between the two reads shows as missing from the store.
type Records struct {
	requests map[uuid.UUID]*requestMark
	order    []uuid.UUID // the requests, as they came
	// templates are the TemplateHash of every version of each template
	// (by its name in upper case) the trail recorded.
	templates map[string]map[[32]byte]bool
	// queued is what each template as queued makes (queuedAs), by its
	// JSON: requests share a few; cleared when it holds maxQueued.
	queued    map[string]*queuedTemplate
	slotRules []string // requests whose slots are not their template's
	slots     map[uuid.UUID]*slotMark
	signed    []*slotMark // in the order the requests came
	// gone are the requests the trail names that the store does not
	// hold, reported once each.
	gone     map[string]bool
	problems []string // the trail's, in trail order
	count    int
}

// requestMark is what Records keeps of a request.
type requestMark struct {
	content  string // ContentHash
	seen     bool   // an entry with a content hash named it
	name     string
	template string   // the template's name, as queued
	key      string   // its name in upper case
	rules    [32]byte // its TemplateHash, as queued; zero without rules
	stored   State    // its state in the store
	recorded State    // the state its entries give it ("" for pending)
	named    bool     // an entry names it
}

// slotMark is what Records keeps of a signed slot, and what its signing
// entry said.
type slotMark struct {
	request uuid.UUID
	name    string // the request's
	index   int
	sig     Signature
	// entry is the last entry that signed the slot (0 for none), diff how
	// the stored signature differs from it ("" for not at all).
	entry int64
	diff  string
}

// NewRecords returns an empty check.
func NewRecords() *Records {
	return &Records{requests: map[uuid.UUID]*requestMark{}, slots: map[uuid.UUID]*slotMark{}, gone: map[string]bool{},
		templates: map[string]map[[32]byte]bool{}, queued: map[string]*queuedTemplate{}}
}

// Request takes one request of the store, with its slots and signatures.
// Every request comes before the first entry.
func (c *Records) Request(r Request) {
	c.count++
	m := &requestMark{content: ContentHash(r), name: r.Name, template: r.Template, key: strings.ToUpper(r.Template), stored: r.State}
	q := c.queuedAs(r.RulesJSON)
	if q != nil {
		m.rules = q.sum
	}
	c.requests[r.ID] = m
	c.order = append(c.order, r.ID)
	if want := q.slots(); want != nil && !slices.EqualFunc(want, r.Slots, func(w string, s Slot) bool { return w == s.Clause }) {
		c.slotRules = append(c.slotRules, fmt.Sprintf("request %s (%q): its signatures are not the ones its template as queued makes (%s): "+
			"a slot was added, removed or changed in the store to let someone else sign", r.ID, r.Name, strings.Join(want, " AND ")))
	}
	for _, s := range r.Slots {
		if s.Signature == nil {
			continue
		}
		sig := *s.Signature
		sig.Signer.Roles, sig.Signer.Groups = nil, nil // not compared
		m := &slotMark{request: r.ID, name: r.Name, index: s.Index, sig: sig}
		c.slots[s.ID] = m
		c.signed = append(c.signed, m)
	}
}

// maxQueued bounds Records.queued: a store whose every request holds a
// template of its own is read at the cost of parsing each.
const maxQueued = 1024

// queuedTemplate is what a template as queued makes: its TemplateHash,
// and the clause of each slot, in order (nil when it does not parse: the
// content hash covers it).
type queuedTemplate struct {
	sum     [32]byte
	clauses []string
}

// slots is q's clauses; nil for a nil q (no template kept).
func (q *queuedTemplate) slots() []string {
	if q == nil {
		return nil
	}
	return q.clauses
}

// queuedAs is what the template rulesJSON makes; nil for none kept.
func (c *Records) queuedAs(rulesJSON string) *queuedTemplate {
	if rulesJSON == "" {
		return nil
	}
	if q, ok := c.queued[rulesJSON]; ok {
		return q
	}
	q := &queuedTemplate{sum: templateSum(rulesJSON)}
	var t Template
	if err := json.Unmarshal([]byte(rulesJSON), &t); err == nil {
		if expr, err := ParseExpression(t.Expression); err == nil {
			for _, s := range expr.Slots() {
				q.clauses = append(q.clauses, s.String())
			}
		}
	}
	if len(c.queued) >= maxQueued {
		clear(c.queued)
	}
	c.queued[rulesJSON] = q
	return q
}

// Requests is how many requests Request took.
func (c *Records) Requests() int { return c.count }

// Entry takes the next entry of the trail.
func (c *Records) Entry(e audit.Entry) {
	if e.Event == audit.EventTemplate && e.Detail == "stored" && e.Content != "" {
		var sum [32]byte
		if n, err := hex.Decode(sum[:], []byte(e.Content)); err == nil && n == len(sum) {
			name := strings.ToUpper(e.Template)
			if c.templates[name] == nil {
				c.templates[name] = map[[32]byte]bool{}
			}
			c.templates[name][sum] = true
		}
	}
	if e.Slot != "" && e.Detail == "slot signed" && (e.Event == audit.EventApprove || e.Event == audit.EventReject) {
		if id, err := uuid.Parse(e.Slot); err == nil {
			if m := c.slots[id]; m != nil {
				m.entry, m.diff = e.Seq, signatureDiff(m.sig, e)
			}
		}
	}
	if e.Request == "" {
		return
	}
	var r *requestMark
	if id, err := uuid.Parse(e.Request); err == nil {
		r = c.requests[id]
	}
	if r != nil {
		r.named = true
		// The entries that end a request, each written in the transaction
		// that sets its state (SignAudited, CancelAudited).
		switch {
		case e.Event == audit.EventApprove && e.Slot == "":
			r.recorded = Approved
		case e.Event == audit.EventReject && e.Detail == "slot signed":
			r.recorded = Rejected
		case e.Event == audit.EventCancel && e.Slot == "":
			r.recorded = Cancelled
		}
	}
	if e.Content == "" {
		return
	}
	switch {
	case r == nil:
		if !c.gone[e.Request] {
			c.gone[e.Request] = true
			c.problems = append(c.problems, fmt.Sprintf("entry %d: request %s (%q) is in the trail but no longer in the store", e.Seq, e.Request, e.RequestName))
		}
	case !r.seen:
		r.seen = true
		if r.content != e.Content {
			c.problems = append(c.problems, fmt.Sprintf("entry %d: request %s (%q) was changed after it was queued: its name, description, record or template no longer hash to %s",
				e.Seq, e.Request, e.RequestName, Fingerprint(e.Content)))
		}
	}
}

// Problems returns the differences found: the trail's, in trail order,
// then the signatures', in the order the requests came.
func (c *Records) Problems() []string {
	problems := append(append([]string(nil), c.problems...), c.slotRules...)
	for _, id := range c.order {
		r := c.requests[id]
		if !r.named {
			problems = append(problems, fmt.Sprintf("request %s (%q) is in the store, but no entry of the trail queued it: it was put into the store, not queued through loginshell", id, r.name))
			continue
		}
		if recorded := cmp.Or(r.recorded, Pending); r.stored != recorded {
			problems = append(problems, fmt.Sprintf("request %s (%q) is %s in the store, but its entries leave it %s: its state was set in the store, not by a signature",
				id, r.name, r.stored, recorded))
		}
		if recorded := c.templates[r.key]; recorded != nil && r.rules != [32]byte{} && !recorded[r.rules] {
			problems = append(problems, fmt.Sprintf("request %s (%q) was queued from template %q as no entry of the trail recorded it (%s): "+
				"the template was changed in the store, not through loginshell", id, r.name, r.template, Fingerprint(hex.EncodeToString(r.rules[:]))))
		}
	}
	for _, m := range c.signed {
		switch {
		case m.entry == 0:
			problems = append(problems, fmt.Sprintf("request %s (%q), signature %d: signed in the store, but no entry of the trail signed it", m.request, m.name, m.index+1))
		case m.diff != "":
			problems = append(problems, fmt.Sprintf("request %s (%q), signature %d: the stored signature's %s differs from entry %d", m.request, m.name, m.index+1, m.diff, m.entry))
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
	case sig.Station != "" && e.Station != "" && sig.Station != e.Station:
		// Where it was signed; signatures stored before the store kept it
		// have none to compare.
		return "station"
	}
	return ""
}
