package signature

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"loginshell/internal/audit"
	"loginshell/internal/fault"
	"loginshell/internal/pubsub"
)

// Identity proves who signs with a user ID and a password, for one
// template idp: "local" checks the offline password on this computer
// (KeychainIdentity: the keychain's lockout applies). It returns the
// signer, or an error whose text the dialog shows.
type Identity interface {
	Verify(userID, password string) (Signer, error)
}

// Poster shows challenges where the page that asked for them is: the
// shell's modal dialog over that page, never inside the page's document.
type Poster interface {
	// Post shows c over page of session, or returns an error matching
	// ErrNotPosted when that page is not shown there (closed, unknown,
	// another session's).
	Post(session, page string, c Challenge) error
	// Close takes the challenge's dialog down (answered, cancelled, timed
	// out); an unknown id is ignored.
	Close(id string)
}

// Options are an Engine's collaborators; all are required but Log,
// Interactive, Alerts and the fields that name their default.
type Options struct {
	Store Backend
	// Identities are the identity providers challenges can run with, by
	// template idp name (compared case-insensitively); "local" is
	// required. A template naming another is refused at trigger with
	// ErrUnsupported.
	Identities map[string]Identity
	// Interactive are the identity providers whose own sign-in page the
	// dialog shows (OpenID Connect), by template idp name.
	Interactive map[string]Interactive
	// Offline is --offline: the station never contacts the login server,
	// so it signs with Identities alone (never Interactive), and a
	// template whose identity provider it lacks is refused saying that
	// signatures with it need the login server.
	Offline bool
	Poster  Poster
	Now     func() time.Time
	// Station names this computer in requests and the audit trail.
	Station string
	Log     *slog.Logger
	// AfterFunc runs f once d has passed on the engine's clock, like
	// time.AfterFunc (the default), and returns what stops it: a test
	// with a fixed clock reaches a challenge's timeout without waiting.
	AfterFunc func(d time.Duration, f func()) (stop func() bool)
	// MaxPendingPerPackage is how many pending requests one package's
	// pages may hold at once (default DefaultMaxPendingPerPackage); the
	// plant's own are not counted.
	MaxPendingPerPackage int
	// Alerts hears of each alert (a signer locked out, AlertAfter failed
	// attempts in a row at one slot) once its audit entry is written;
	// nil: the trail and the log only.
	Alerts Alerter
	// AlertAfter is how many failed attempts in a row at one slot raise an
	// alert (default DefaultAlertAfter).
	AlertAfter int
}

// DefaultMaxPendingPerPackage is the default of
// Options.MaxPendingPerPackage: far more than a line's pages hold, far
// less than fills a disk.
const DefaultMaxPendingPerPackage = 1000

// Engine runs authorization requests over a Store. Safe for concurrent use.
type Engine struct {
	o Options

	mu         sync.Mutex
	challenges map[string]*open
	failures   map[uuid.UUID]failures // failed attempts in a row, by slot (misuse)
	outcomes   *pubsub.Hub[Outcome]
	// listeners counts the subscribers by the SessionKey of the session
	// they hear ("" for every session): Watch reads another station's
	// change only when someone here hears of it (hears).
	listeners map[string]int
	// tuneMu orders what retune tells the store; told is what it told
	// it last (nil: nothing yet). See engine_hear.go.
	tuneMu sync.Mutex
	told   *Hearing
}

// failures is the count of failed attempts in a row at a slot, and the
// slot's request.
type failures struct {
	request uuid.UUID
	n       int
}

// open is a posted challenge and its end: the timer of a dialog that
// takes a password, the cancel of a sign-in at a provider's page.
type open struct {
	c      Challenge
	timer  func() bool // stops the timeout
	cancel context.CancelFunc
	// signing is set while an answer is being committed: the timeout no
	// longer ends the challenge under it, it marks it expired instead.
	signing, expired bool
	// warned is the user ID told that they could also give another slot
	// (ErrOtherSlot): their next answer signs this one.
	warned string
}

// stop ends what keeps the challenge alive.
func (o *open) stop() {
	if o.timer != nil {
		o.timer()
	}
	if o.cancel != nil {
		o.cancel()
	}
}

// New returns an Engine, refusing missing collaborators.
func New(o Options) (*Engine, error) {
	if o.Store == nil || o.Poster == nil || o.Now == nil {
		return nil, errors.New("signature: Store, Identities, Poster and Now are required")
	}
	ids := make(map[string]Identity, len(o.Identities))
	for name, id := range o.Identities {
		ids[strings.ToLower(name)] = id
	}
	if ids[IDPLocal] == nil {
		return nil, errors.New("signature: the local identity provider is required")
	}
	o.Identities = ids
	inter := make(map[string]Interactive, len(o.Interactive))
	for name, p := range o.Interactive {
		inter[strings.ToLower(name)] = p
	}
	o.Interactive = inter
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.AfterFunc == nil {
		o.AfterFunc = func(d time.Duration, f func()) func() bool { return time.AfterFunc(d, f).Stop }
	}
	if o.MaxPendingPerPackage <= 0 {
		o.MaxPendingPerPackage = DefaultMaxPendingPerPackage
	}
	if o.AlertAfter <= 0 {
		o.AlertAfter = DefaultAlertAfter
	}
	return &Engine{o: o, challenges: map[string]*open{}, failures: map[uuid.UUID]failures{}, outcomes: newOutcomes(o.Log)}, nil
}

// ParseUUID reads a slot's UUID as triggerAuthRequest takes it: a UUID
// string, refused with ErrBadUUID before anything is raised.
func ParseUUID(s string) (uuid.UUID, error) {
	id, err := uuid.Parse(strings.TrimSpace(s))
	if err != nil {
		return uuid.UUID{}, fault.Detail(ErrBadUUID, "%q", s)
	}
	return id, nil
}

// Trigger posts the challenge of the pending slot id to page of session
// (triggerAuthRequest) and returns once it is posted, not when it ends.
// Errors: ErrNoChallenge ("No pending authentication challenge with UUID
// <uuid>"), ErrNotPosted when an ordered request's earlier slot is still
// pending (Request.CheckOrder: the text says which) or the page cannot
// show it, ErrUnsupported for an identity provider the shell cannot run
// challenges with.
//
// by is the package whose page triggers (Plant for none): the seed's task
// routing lets any page trigger a slot whose UUID it was given, and the
// challenge's outcomes go to the request's package and to by.
func (e *Engine) Trigger(ctx context.Context, id uuid.UUID, session, page string, approve bool, by string) error {
	slot, req, err := e.o.Store.Slot(ctx, id)
	if errors.Is(err, ErrNoSlot) || (err == nil && (slot.State != Pending || req.State != Pending)) {
		return noChallenge(id)
	}
	if err != nil {
		return err
	}
	// Under an ordered template a later slot waits for the earlier ones
	// (the template as queued decides; store.Settle asks again).
	if err := req.CheckOrder(slot.ID); err != nil {
		return err
	}
	t, err := e.rules(ctx, req)
	if err != nil {
		return err
	}
	// Who may sign is the template's as queued (its hash is in every
	// entry of the request), never what the store's slot row says now.
	clause, err := queuedClause(req, slot)
	if err != nil {
		e.alert(ctx, audit.Entry{Event: audit.EventAlert, Request: req.ID.String(), RequestName: req.Name, Slot: slot.ID.String(),
			Template: t.Name, Detail: fault.Text(err), Content: req.Content()})
		return err
	}
	provider := strings.ToLower(t.Provider())
	interactive := e.o.Interactive[provider]
	if e.o.Offline {
		interactive = nil
	}
	switch {
	case e.o.Identities[provider] != nil || interactive != nil:
	case e.o.Offline:
		return fault.Explain(ErrUnsupported, "signatures with template %q need the login server (identity provider %q), "+
			"and this station runs offline (--offline); sign at a station that runs online, or start this one online", t.Name, t.Provider())
	case provider == IDPDemo || provider == IDPOpenID:
		// The demo's users live on the demo's login server, which a
		// shell started without --demo does not run.
		return fault.Explain(ErrUnsupported, "%s", needsServerWords(t.Name, t.Provider()))
	default:
		return fault.Detail(ErrUnsupported, "template %q signs with identity provider %q, which this shell cannot run challenges with", t.Name, t.Provider())
	}
	// The challenge, and so the signature and every audit entry of it,
	// carries the meaning of the decision being made.
	c := Challenge{ID: uuid.NewString(), Slot: slot.ID, Request: req.ID, RequestName: req.Name, Description: req.Description,
		Template: t.Name, Meaning: t.MeaningOf(approve), Clause: clause, Approve: approve, RequireComment: t.RequireComment,
		Session: session, Page: page, Expires: e.o.Now().Add(t.TimeoutDuration()).UTC(), Owner: req.Owner, By: by,
		Content: req.Content(), Record: req.Record, IdP: e.idp(provider, interactive),
		Position: slot.Index + 1, Slots: len(req.Slots), Who: WhoWords(clause, e.names(t)), Unique: t.ForceUniqueUser,
		Ordered: req.Ordered(), Given: given(req)}
	if interactive != nil {
		if err := e.triggerInteractive(ctx, interactive, t, c); err != nil {
			return err
		}
		e.audit(ctx, audit.Entry{Event: audit.EventTrigger, Request: req.ID.String(), RequestName: req.Name, Slot: slot.ID.String(),
			Template: t.Name, Meaning: c.Meaning, Approve: &approve, Detail: "at the identity provider " + t.Provider(), IdP: c.IdP, Content: c.Content})
		return nil
	}
	if err := e.o.Poster.Post(session, page, c); err != nil {
		if errors.Is(err, ErrNotPosted) {
			return err
		}
		return fault.Explain(ErrNotPosted, "Could not post authorization challenge: %v", err)
	}
	o := &open{c: c}
	e.mu.Lock()
	e.challenges[c.ID] = o
	o.timer = e.o.AfterFunc(t.TimeoutDuration(), func() { e.expire(c.ID) })
	e.mu.Unlock()
	e.audit(ctx, audit.Entry{Event: audit.EventTrigger, Request: req.ID.String(), RequestName: req.Name, Slot: slot.ID.String(),
		Template: t.Name, Meaning: c.Meaning, Approve: &approve, IdP: c.IdP, Content: c.Content})
	return nil
}

// idp names the identity provider a challenge signs with, as the trail
// keeps it: the template's idp, and for a provider with an issuer (the
// organisation's OpenID provider) that issuer as it is at the trigger.
func (e *Engine) idp(name string, interactive Interactive) string {
	if is, ok := interactive.(interface{ Issuer() string }); ok {
		if iss := is.Issuer(); iss != "" {
			return name + " " + iss
		}
	}
	return name
}

// names returns how the identity of t names a user ID (Namer), or nil
// when it cannot.
func (e *Engine) names(t Template) func(string) string {
	if n, ok := e.o.Identities[strings.ToLower(t.Provider())].(Namer); ok {
		return n.PrintedName
	}
	return nil
}

// given lists the signatures r holds, in the order of its slots.
func given(r Request) []Given {
	var out []Given
	for _, s := range r.Slots {
		if s.Signature == nil {
			continue
		}
		out = append(out, Given{Position: s.Index + 1, PrintedName: printed(s.Signature.Signer), UserID: s.Signature.Signer.UserID,
			SignedAt: s.Signature.SignedAt.UTC(), Approve: s.Signature.Approve})
	}
	slices.SortFunc(out, func(a, b Given) int { return a.Position - b.Position })
	return out
}

// noChallenge is the seed's IllegalArgumentException text.
func noChallenge(id uuid.UUID) error {
	return fault.Explain(ErrNoChallenge, "No pending authentication challenge with UUID %s", id)
}

// Pending lists the pending requests matching f (getPendingAuthRequests).
func (e *Engine) Pending(ctx context.Context, f Filter) ([]Request, error) {
	return e.o.Store.Pending(ctx, f)
}

// Cancel ends a pending request; its open challenges close. by is the
// package whose page asks (Plant for none): a page cancels only what it
// may list (Request.VisibleTo); another package's request is, to it, no
// pending request at all.
func (e *Engine) Cancel(ctx context.Context, id uuid.UUID, by string) error {
	if by != Plant {
		visible, err := e.o.Store.Pending(ctx, Filter{Package: by})
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(visible, func(r Request) bool { return r.ID == id && r.VisibleTo(by) }) {
			return fault.Detail(ErrNoRequest, "%s", id)
		}
	}
	req, _, err := e.o.Store.CancelAudited(ctx, id, func(req Request) []audit.Entry {
		return []audit.Entry{e.stamp(ctx, audit.Entry{Event: audit.EventCancel, Request: id.String(), RequestName: req.Name,
			Template: req.Template, Content: req.Content()})}
	})
	if err != nil {
		return err
	}
	for _, sl := range req.Slots {
		e.forgetFailures(sl.ID) // no attempt at them counts any more
	}
	e.mu.Lock()
	var closing []string
	for cid, o := range e.challenges {
		if o.c.Request == id {
			o.stop()
			delete(e.challenges, cid)
			closing = append(closing, cid)
		}
	}
	e.mu.Unlock()
	for _, cid := range closing {
		e.o.Poster.Close(cid)
	}
	return nil
}

// take removes a challenge from the open ones.
func (e *Engine) take(id string) (Challenge, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	o, ok := e.challenges[id]
	if !ok {
		return Challenge{}, false
	}
	o.stop()
	delete(e.challenges, id)
	return o.c, true
}

// peek returns an open challenge, leaving it open.
func (e *Engine) peek(id string) (Challenge, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	o, ok := e.challenges[id]
	if !ok {
		return Challenge{}, false
	}
	return o.c, true
}

// Dismiss ends a challenge without signing (the dialog's Cancel, Escape):
// an error outcome, not a reject; the slot stays pending.
func (e *Engine) Dismiss(ctx context.Context, id string) error {
	c, ok := e.take(id)
	if !ok {
		return ErrNoOpenChallenge
	}
	e.o.Poster.Close(id)
	e.audit(ctx, e.entry(c, audit.EventCancel, Signer{}, "", "the signer cancelled the sign-in"))
	e.publish(e.outcome(c, OutcomeError, Signer{}, "", "The sign-in was cancelled; the request is still pending."))
	return nil
}

// expire ends a challenge whose timeout passed. One whose answer is
// being committed at that moment is only marked: the answer arrived in
// time (begin checked), and if it fails, the challenge ends then.
func (e *Engine) expire(id string) {
	e.mu.Lock()
	if o, ok := e.challenges[id]; ok && o.signing {
		o.expired = true
		e.mu.Unlock()
		return
	}
	e.mu.Unlock()
	c, ok := e.take(id)
	if !ok {
		return
	}
	e.o.Poster.Close(id)
	ctx := context.Background()
	e.audit(ctx, e.entry(c, audit.EventTimeout, Signer{}, "", "the sign-in timed out"))
	e.publish(e.outcome(c, OutcomeError, Signer{}, "", "The sign-in timed out; the request is still pending."))
}

func (e *Engine) entry(c Challenge, event string, s Signer, comment, detail string) audit.Entry {
	approve := c.Approve
	return audit.Entry{Event: event, Request: c.Request.String(), RequestName: c.RequestName, Slot: c.Slot.String(),
		Template: c.Template, UserID: s.UserID, PrintedName: s.PrintedName, Meaning: c.Meaning, Approve: &approve,
		Comment: comment, Detail: detail, IdP: c.IdP, Content: c.Content}
}

func (e *Engine) outcome(c Challenge, kind string, s Signer, comment, msg string) Outcome {
	return Outcome{Kind: kind, Session: c.Session, Request: c.Request, RequestName: c.RequestName, Slot: c.Slot,
		Approved: kind == OutcomeApprove || (kind == OutcomeSigned && c.Approve), UserID: s.UserID, PrintedName: s.PrintedName,
		Meaning: c.Meaning, Comment: comment, Time: e.o.Now().UTC(), Message: msg, Owner: c.Owner, By: c.By}
}

// stamp sets an entry's time, the station's local offset and the station.
func (e *Engine) stamp(ctx context.Context, en audit.Entry) audit.Entry {
	if en.Actor == "" {
		en.Actor = actorOf(ctx)
	}
	now := e.o.Now()
	en.Time, en.Offset, en.Station = now.UTC(), now.Format("-07:00"), e.o.Station
	return en
}

// audit appends one entry that goes with no change of a request (an
// attempt, a failure, a trigger); a trail that cannot be written is logged
// loudly, since the event already happened.
func (e *Engine) audit(ctx context.Context, en audit.Entry) {
	if _, err := e.o.Store.AppendAudit(ctx, e.stamp(ctx, en)); err != nil {
		e.o.Log.Error("audit trail not written", "event", en.Event, "request", en.Request, "err", err)
	}
}

// Open returns the open challenge id, for the dialog that shows it.
func (e *Engine) Open(id string) (Challenge, bool) { return e.peek(id) }
