package signature

import (
	"context"
	"errors"

	"github.com/google/uuid"
	"loginshell/internal/fault"
)

// Request returns one request, in any state, with its slots and every
// signature given so far: the request whose UUID is id, or the request
// of the slot whose UUID is id. A page that reloaded asks it what became
// of the UUIDs queueAuthRequest gave it (getAuthRequest): the outcomes
// it missed while it was away are not sent again.
//
// by is the package whose page asks (Plant for none): a page reads only
// what it may list (Request.VisibleTo), and another package's request
// is, to it, no request at all: the same ErrUnknownRequest as an unknown
// UUID, so a page cannot tell another package's UUIDs from none. Unlike
// Trigger, holding a slot's UUID is not enough to read its request.
func (e *Engine) Request(ctx context.Context, id uuid.UUID, by string) (Request, error) {
	req, err := e.o.Store.Request(ctx, id)
	if errors.Is(err, ErrUnknownRequest) {
		_, req, err = e.o.Store.Slot(ctx, id)
		if errors.Is(err, ErrNoSlot) {
			err = ErrUnknownRequest
		}
	}
	if errors.Is(err, ErrUnknownRequest) || (err == nil && !req.VisibleTo(by)) {
		return Request{}, fault.Explain(ErrUnknownRequest, "No authorization request with UUID %s", id)
	}
	if err != nil {
		return Request{}, err
	}
	if req.State != Pending && !req.SettledAs(req.State) {
		// A state set in the store without the signatures that settle
		// it is no outcome: a page must not act on it.
		return Request{}, fault.Explain(ErrUnsettled, "request %s (%q) is %s in the signature store, but its signatures do not settle it so: "+
			"the store may have been changed below loginshell (run `loginshell audit verify`)", req.ID, req.Name, req.State)
	}
	return req, nil
}
