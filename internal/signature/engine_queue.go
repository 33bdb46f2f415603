// queueAuthRequest: a request built from its template, owned, limited.

package signature

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"loginshell/internal/audit"
	"loginshell/internal/fault"
)

// Queuing is a queueAuthRequest: the request, and whose it is.
type Queuing struct {
	Template    string // the template's name
	Name        string // requestName
	Description string
	// Session is the session of the page that queues ("" from the
	// command line): the outcomes go to its pages.
	Session string
	// Owner is the package whose page queues; "" for the plant (the
	// command line, an MES script).
	Owner string
	// AddressedTo routes a plant's request to one package's pages only.
	AddressedTo string
	// Record is the JSON (an object or a string) the request signs besides
	// its name and description; "" for none. See CanonicalRecord.
	Record string
}

// Queue queues a request from the template q names (queueAuthRequest),
// one sign-in slot per top-level AND clause of its expression, and returns
// the slots' UUIDs in order. The request keeps the template as it is now
// (Request.Rules): a later change of the template affects only requests
// queued after it. A package holds at most Options.MaxPendingPerPackage
// pending requests (ErrTooManyPending).
func (e *Engine) Queue(ctx context.Context, q Queuing) ([]uuid.UUID, error) {
	t, err := e.Template(ctx, q.Template)
	if err != nil {
		return nil, err
	}
	expr, err := ParseExpression(t.Expression)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(q.Name) == "" {
		return nil, fault.Detail(ErrBadRequestName, "name the request (requestName)")
	}
	if q.Owner != "" {
		if err := e.underLimit(ctx, q.Owner); err != nil {
			return nil, err
		}
	}
	record, err := CanonicalRecord([]byte(q.Record))
	if err != nil {
		return nil, err
	}
	rules := t
	rulesJSON, err := json.Marshal(rules)
	if err != nil {
		return nil, err
	}
	r := Request{ID: NewID(), Template: t.Name, Name: q.Name, Description: q.Description, State: Pending,
		Station: e.o.Station, Session: q.Session, QueuedAt: e.o.Now().UTC(), Owner: q.Owner, AddressedTo: q.AddressedTo,
		Rules: &rules, RulesJSON: string(rulesJSON), Record: record}
	var ids []uuid.UUID
	for i, c := range expr.Slots() {
		s := Slot{ID: NewID(), Request: r.ID, Index: i, Clause: c.String(), State: Pending, Atoms: c.Atoms()}
		r.Slots = append(r.Slots, s)
		ids = append(ids, s.ID)
	}
	queued := e.stamp(ctx, audit.Entry{Event: audit.EventQueue, Request: r.ID.String(), RequestName: r.Name, Template: t.Name, Content: r.Content(),
		Meaning: t.Meaning, Detail: fmt.Sprintf("%d slot(s)", len(ids))})
	if _, err := e.o.Store.QueueAudited(ctx, r, func(Request) []audit.Entry { return []audit.Entry{queued} }); err != nil {
		return nil, err
	}
	return ids, nil
}

// underLimit refuses a package that holds its limit of pending requests.
// It counts them in the store (an index), so a queue costs the same with
// ten pending requests as with a million.
func (e *Engine) underLimit(ctx context.Context, pkg string) error {
	n, err := e.o.Store.PendingOwned(ctx, pkg)
	if err != nil {
		return err
	}
	if n >= e.o.MaxPendingPerPackage {
		return fault.Detail(ErrTooManyPending, "package %q holds %d pending requests, the most one package may; cancel or settle some first", pkg, n)
	}
	return nil
}

// rules is the template a request's slots are signed under: the one it
// was queued with, or for a request queued before the store kept it, the
// template as it is now.
func (e *Engine) rules(ctx context.Context, req Request) (Template, error) {
	if req.Rules != nil {
		return *req.Rules, nil
	}
	return e.o.Store.Template(ctx, req.Template)
}

// NewID makes the ID of a new request or slot: a UUID of version 7,
// random but ordered by time, so that a store's indexes of requests,
// slots and atoms take each new one next to the last (a few pages, kept
// in the cache) instead of anywhere among a million keys, and a queue
// costs the same at a million pending requests as at ten. Its 74 random
// bits keep it unguessable and unique. Like uuid.New, it panics only
// when the system's random source fails.
func NewID() uuid.UUID { return uuid.Must(uuid.NewV7()) }
