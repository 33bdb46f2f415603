package signature

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"loginshell/internal/audit"
)

// Watcher is a Backend that hears of changes other stations commit: the
// PostgreSQL store, through LISTEN/NOTIFY. A store of one station (SQLite)
// does not implement it.
type Watcher interface {
	// Watch calls changed with each change another station signed or
	// cancelled, once per committed change, until ctx ends; changes made
	// through this store are not reported.
	Watch(ctx context.Context, changed func(Change)) error
}

// Change is what a Watcher hears of a change another station committed.
type Change struct {
	// Slot is a slot of the request that changed; State is the state the
	// change left the request in.
	Slot  uuid.UUID
	State State
	// Request is the request that changed and Session the SessionKey of
	// the session that queued it, so a station tells whether any of its
	// pages hears of it without reading the request: with 200 stations on
	// one database, every station reading every change is 200 reads a
	// signature. uuid.Nil and "" when the notice does not say (a station
	// of an older version wrote it): the request is read to find out.
	Request uuid.UUID
	Session string
}

// SessionKey is how a change names the session of its request: the
// first 8 bytes of the session's SHA-256, in hex (16 digits). Fixed
// length and plain hex, so any session a page chose fits a notice; two
// sessions with one key only cost a read.
func SessionKey(session string) string {
	sum := sha256.Sum256([]byte(session))
	return hex.EncodeToString(sum[:8])
}

// Watch publishes to this engine's subscribers the outcome of each request
// another station signs or cancels, so the page that queued it here hears
// of it within a moment, until ctx ends. Outcomes of changes made here are
// published by Answer and Cancel as before, never again by Watch. It
// returns at once when the store is not a Watcher. Run it on a goroutine
// of its own.
//
// Watch does NOT close a challenge posted here for a slot signed
// elsewhere: its Answer finds the slot taken (ErrSlotTaken) and closes it.
func (e *Engine) Watch(ctx context.Context) error {
	w, ok := e.o.Store.(Watcher)
	if !ok {
		return nil
	}
	e.retune(false) // a Hearer hears every change until told
	return w.Watch(ctx, func(ch Change) {
		if e.hears(ch) {
			e.remote(ctx, ch.Slot, ch.State)
		}
	})
}

// hears says whether anyone at this station hears of ch: a subscriber of
// its request's session (or of every session), or a count of failed
// attempts at one of its slots, which the change may end. Another
// station's change nobody here hears of is not read.
func (e *Engine) hears(ch Change) bool {
	if ch.Request == uuid.Nil {
		return true // the notice does not say whose change it is
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.listeners[""] > 0 || e.listeners[ch.Session] > 0 {
		return true
	}
	for _, f := range e.failures {
		if f.request == ch.Request {
			return true
		}
	}
	return false
}

// remote publishes the outcome of a change another station made to the
// request of slot: the state the change left it in, as the notice says
// (the request as it is now may already be a later change's, whose own
// notice, or the local Answer, reports it: never twice), and the slot's
// signature, read back from the store (a signature never changes once
// written).
//
// A slot that cannot be read (the database went away a moment after the
// change) is read again a few times on a goroutine of its own, so the
// page still hears of it once the database is back.
func (e *Engine) remote(ctx context.Context, id uuid.UUID, state State) {
	slot, req, err := e.o.Store.Slot(ctx, id)
	if err != nil {
		go func() {
			for _, pause := range remoteRetries {
				select {
				case <-ctx.Done():
					return
				case <-time.After(pause):
				}
				if slot, req, err = e.o.Store.Slot(ctx, id); err == nil {
					e.publishRemote(slot, req, state)
					return
				}
			}
			e.o.Log.Warn("a change at another station could not be read; its page does not hear of it", "slot", id, "err", err)
		}()
		return
	}
	e.publishRemote(slot, req, state)
}

// SettledAs says whether r, as read, is settled as state says: approved
// with every slot approved by a signature, rejected by a signature, or
// cancelled.
func (r Request) SettledAs(state State) bool {
	if r.State != state {
		return false
	}
	switch state {
	case Approved:
		return len(r.Slots) > 0 && !slices.ContainsFunc(r.Slots, func(s Slot) bool {
			return s.State != Approved || s.Signature == nil || !s.Signature.Approve
		})
	case Rejected:
		return slices.ContainsFunc(r.Slots, func(s Slot) bool {
			return s.State == Rejected && s.Signature != nil && !s.Signature.Approve
		})
	}
	return state == Cancelled
}

// remoteRetries are the pauses before reading a change's slot again.
var remoteRetries = []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 16 * time.Second}

// publishRemote publishes the outcome of a change another station made.
// A slot signed there, or a request ended there, has no attempts left to
// count here.
//
// An outcome that ends the request is given only when the request, as
// read, is so settled (SettledAs): a change notice, or a request's state,
// that a database administrator wrote without the signatures that settle
// it gives the page nothing, and the trail an alert.
func (e *Engine) publishRemote(slot Slot, req Request, state State) {
	if state != Pending && !req.SettledAs(state) {
		e.alert(context.Background(), audit.Entry{Event: audit.EventAlert, Request: req.ID.String(), RequestName: req.Name, Template: req.Template,
			Content: req.Content(), Detail: fmt.Sprintf("a change in the signature store said request %q was %s, but its signatures do not settle it so: "+
				"nothing was given to its page; the store may have been changed below loginshell (run `loginshell audit verify`)", req.Name, state)})
		return
	}
	for _, sl := range req.Slots {
		if sl.State != Pending { // signed, or cancelled with its request
			e.forgetFailures(sl.ID)
		}
	}
	o := Outcome{Session: req.Session, Request: req.ID, RequestName: req.Name, Slot: slot.ID, Time: e.o.Now().UTC(), Owner: req.Owner}
	if sig := slot.Signature; sig != nil {
		o.Approved, o.UserID, o.PrintedName, o.Meaning, o.Comment = sig.Approve, sig.Signer.UserID, sig.Signer.PrintedName, sig.Meaning, sig.Comment
		o.Time = sig.SignedAt
	}
	switch {
	case state == Approved:
		o.Kind, o.Approved, o.Message = OutcomeApprove, true, "Every slot is approved."
	case state == Rejected:
		o.Kind, o.Approved, o.Message = OutcomeReject, false, "The request was rejected."
	case state == Cancelled:
		o.Kind, o.Approved, o.Message = OutcomeError, false, "The request was cancelled at another station."
	case slot.Signature != nil:
		o.Kind, o.Message = OutcomeSigned, "Signed; other slots are still pending."
	default:
		return // nothing a page acts on
	}
	e.publish(o)
}
