package signature

import (
	"context"
	"time"

	"github.com/google/uuid"
	"loginshell/internal/audit"
)

// Framing values of a template: where the identity provider's sign-in runs.
const (
	FramingEmbedded = "embedded" // inside the shell's modal dialog (default)
	FramingSelf     = "self"     // the window itself
	FramingNew      = "new"      // the system browser
)

// IDPLocal is the template idp that checks user ID and offline password
// against the keychain.
const IDPLocal = "local"

// IDPOpenID is the template idp of the organisation's OpenID provider (the
// login_url setting): the signer signs in at its own page, inside the
// signature dialog.
const IDPOpenID = "openid"

// IDPDemo is the template idp of the demo's users (loginshell --demo):
// they sign with the passwords its login server lists. A shell started
// without --demo has no such identity provider.
const IDPDemo = "demo"

// DefaultTimeout is a template's timeout when it names none (seed 000's
// templates: minutes, default 2).
const DefaultTimeout = 2 * time.Minute

// DefaultRejectMeaning is what a rejection means under a template that
// names no rejectMeaning: a reject is never recorded with the meaning of
// an approval (21 CFR 11.50(a)(3): the manifestation states the meaning
// of the signature actually given).
const DefaultRejectMeaning = "Rejected"

// Template is a signature template, exactly the fields of templates.json.
type Template struct {
	Name            string `json:"name"`
	Description     string `json:"description"`
	Expression      string `json:"expression"`
	IDP             string `json:"idp"`
	Framing         string `json:"framing"`
	Timeout         int    `json:"timeout"` // minutes; 0 means DefaultTimeout
	Force           bool   `json:"force"`
	ForceUniqueUser bool   `json:"forceUniqueUser"`
	// Ordered makes the slots sign in the order of the expression: a slot
	// is signed only once every slot before it is (Request.CheckOrder).
	Ordered bool `json:"ordered"`
	// Meaning is what an approval means ("Approval: I release the line").
	Meaning string `json:"meaning"`
	// RejectMeaning is what a rejection means; "" means
	// DefaultRejectMeaning (MeaningOf).
	RejectMeaning  string `json:"rejectMeaning"`
	RequireComment bool   `json:"requireComment"`
}

// State is where a request or a slot stands.
type State string

const (
	Pending   State = "pending"
	Approved  State = "approved"
	Rejected  State = "rejected"
	Cancelled State = "cancelled"
)

// Request is one authorization request: a template's slots to fill.
type Request struct {
	ID          uuid.UUID `json:"uuid"`
	Template    string    `json:"template"` // the template's name as it was when queued
	Name        string    `json:"requestName"`
	Description string    `json:"description"`
	State       State     `json:"state"`
	Station     string    `json:"station"` // where it was queued (the page's station for outcomes)
	Session     string    `json:"session"` // the session that queued it (its outcomes go there)
	QueuedAt    time.Time `json:"queuedAt"`
	Slots       []Slot    `json:"slots"`
	// Owner is the package whose page queued the request; "" for the
	// plant's own (the command line, an MES script). A page lists and
	// cancels its package's requests and the plant's routed to it.
	Owner string `json:"owner,omitempty"`
	// AddressedTo routes a plant's request to one package's pages; ""
	// routes it to every package. Meaningless for a page's own request.
	AddressedTo string `json:"addressedTo,omitempty"`
	// Rules is the template exactly as it was when the request was
	// queued: what its slots are signed under, whatever the template
	// became later. Nil for a request queued before the store kept it:
	// the template as it is now stands in.
	Rules *Template `json:"-"`
	// RulesJSON is Rules as the store keeps it, the bytes ContentHash
	// covers ("" with Rules nil).
	RulesJSON string `json:"-"`
	// Record is what the request signs besides its name and description:
	// the JSON (an object or a string) the page or the script passed,
	// canonical (CanonicalRecord); "" for none.
	Record string `json:"record,omitempty"`
}

// Slot is one sign-in slot: one top-level AND clause of the expression.
type Slot struct {
	ID      uuid.UUID `json:"uuid"`
	Request uuid.UUID `json:"request"`
	Index   int       `json:"index"`  // position in the expression, from 0
	Clause  string    `json:"clause"` // the clause's text, e.g. "{role:Supervisor} OR {userName:bob}"
	State   State     `json:"state"`
	// Signature is set once the slot is signed (approved or rejected).
	Signature *Signature `json:"signature,omitempty"`
	// Atoms are the terms of Clause as the engine parsed it
	// (Clause.Atoms), handed to the store with the request being queued:
	// the store indexes them for Filter.User and keeps no parser of its
	// own. A store does not give them back: a slot read from one has
	// none, and a slot queued without them matches no User filter.
	Atoms []Atom `json:"-"`
}

// Signer is who signs: what the identity provider proved.
type Signer struct {
	UserID      string   `json:"userId"`          // user name, as the clause's {userName:X} compares it
	PrintedName string   `json:"printedName"`     // the name on the manifestation (21 CFR 11.50)
	Roles       []string `json:"roles,omitempty"` // as {role:X} compares them
	Groups      []string `json:"groups,omitempty"`
}

// Signature is a signed slot: the manifestation.
type Signature struct {
	Signer   Signer    `json:"signer"`
	Approve  bool      `json:"approve"`
	Meaning  string    `json:"meaning"`
	Comment  string    `json:"comment,omitempty"`
	SignedAt time.Time `json:"signedAt"` // UTC
	Station  string    `json:"station"`
}

// Filter selects pending requests; empty fields match everything.
type Filter struct {
	User     string // slots this user may sign (their clause names them or their roles)
	Template string // case-insensitive
	Name     string // request name, exact
	// Package limits the list to what a page of that package may see:
	// the requests it queued, and the plant's addressed to it or to every
	// package. "" lists every request (the plant's view).
	Package string
}

// Store is what the engine reads of a signature store: every change, of
// a request or of a template, is Backend's, committed with its audit
// entries. Implementations: the SQLite store in the data directory, the
// PostgreSQL store of a plant. Every method is safe for concurrent use by
// several processes on one database. The stores have more (Queue, Sign,
// Cancel without audit entries, for their tests and tools); the engine
// needs only these.
type Store interface {
	// PutTemplate stores t, replacing a template of the same name
	// (compared case-insensitively), and writes NO audit entry: for
	// tests and tools. The engine stores with PutTemplateAudited, since
	// a template changed with no entry is a change nobody can detect.
	PutTemplate(ctx context.Context, t Template) error
	// Template returns the template named name (case-insensitive), or an
	// error matching ErrNoTemplate.
	Template(ctx context.Context, name string) (Template, error)
	// Templates lists every template, by name.
	Templates(ctx context.Context) ([]Template, error)
	// DeleteTemplate removes one, with NO audit entry (as PutTemplate);
	// ErrNoTemplate if it did not exist.
	DeleteTemplate(ctx context.Context, name string) error

	// Slot returns the slot with id and its request (slots filled), or an
	// error matching ErrNoSlot.
	Slot(ctx context.Context, id uuid.UUID) (Slot, Request, error)
	// Request returns the request with id, in any state, with every slot
	// and signature, or an error matching ErrUnknownRequest. id is a
	// request's UUID; a slot's is unknown here (Slot reads by those).
	Request(ctx context.Context, id uuid.UUID) (Request, error)
	// Pending lists the pending requests matching f, oldest first, with
	// their slots.
	Pending(ctx context.Context, f Filter) ([]Request, error)
	// PendingOwned counts the pending requests whose Owner is owner,
	// without reading them (the limit per package, at every queue).
	PendingOwned(ctx context.Context, owner string) (int, error)
}

// Backend is a Store that also keeps the audit trail, so the database
// serialises the chain, and commits each change of a request or a
// template together with its audit entries (the stores of
// internal/store). Each change calls entries once, inside its
// transaction and only when the change happens, with the request or
// template as the change left it, and commits the entries it returns
// (sealed) with the change: both are committed, or neither, so no
// reader at any station sees the change before its entries. entries must
// not call the store.
type Backend interface {
	Store
	// AppendAudit appends one entry (sealed by the store, audit.Seal).
	AppendAudit(ctx context.Context, e audit.Entry) (audit.Entry, error)
	// QueueAudited stores r and its slots.
	QueueAudited(ctx context.Context, r Request, entries func(Request) []audit.Entry) ([]audit.Entry, error)
	// SignAudited records sig on the pending slot id and settles the
	// request: rejected when sig rejects, approved when it was the last
	// pending slot, else still pending. It returns the request as it is
	// after the transaction. A slot that is no longer pending (signed
	// meanwhile, here or at another station) is ErrSlotTaken, and nothing
	// is written; under forceUniqueUser a signer who signed another slot
	// of the request is ErrSameSigner.
	SignAudited(ctx context.Context, id uuid.UUID, sig Signature, forceUniqueUser bool, entries func(Request) []audit.Entry) (Request, []audit.Entry, error)
	// CancelAudited ends a pending request; ErrNoRequest if there is none
	// pending with that id.
	CancelAudited(ctx context.Context, id uuid.UUID, entries func(Request) []audit.Entry) (Request, []audit.Entry, error)
	// PutTemplateAudited stores t as PutTemplate does; entries gets t as
	// the store now holds it (read back in the transaction: what a
	// request queued from it keeps, so its Hash is the one to record).
	// It does NOT validate t (ValidateTemplate).
	PutTemplateAudited(ctx context.Context, t Template, entries func(Template) []audit.Entry) ([]audit.Entry, error)
	// DeleteTemplateAudited removes the template named name
	// (case-insensitive); entries gets it as it was stored, so its entry
	// names it exactly. ErrNoTemplate if there is none, and nothing is
	// written.
	DeleteTemplateAudited(ctx context.Context, name string, entries func(Template) []audit.Entry) ([]audit.Entry, error)
}

// Challenge is one posted sign-in: what the dialog shows and what its
// answer signs. It carries no secret.
type Challenge struct {
	ID          string    `json:"id"`
	Slot        uuid.UUID `json:"slot"`
	Request     uuid.UUID `json:"request"`
	RequestName string    `json:"requestName"`
	Description string    `json:"description"`
	Template    string    `json:"template"`
	// Meaning is what the decision being asked for means: the template's
	// meaning for an approval, its rejectMeaning for a rejection
	// (Template.MeaningOf). The dialog states it, and the signature and
	// its audit entries record it.
	Meaning        string    `json:"meaning"`
	Clause         string    `json:"clause"`
	Approve        bool      `json:"approve"`
	RequireComment bool      `json:"requireComment"`
	Session        string    `json:"session"`
	Page           string    `json:"page"`
	Expires        time.Time `json:"expires"`
	// URL, for a sign-in at an identity provider's own page, is that page:
	// the dialog shows it instead of asking for a password.
	URL string `json:"url,omitempty"`
	// Owner is the request's package (Request.Owner), By the package
	// whose page triggered the challenge: its outcomes go to their pages
	// only.
	Owner string `json:"-"`
	By    string `json:"-"`
	// Content is the request's content hash (ContentHash) and Record its
	// record: the dialog shows what is signed and its fingerprint.
	Content string `json:"content"`
	Record  string `json:"record,omitempty"`
	// IdP names the identity provider that verifies the signer, for the
	// trail.
	IdP string `json:"-"`
	// Position is which signature of the request this is, from 1, of
	// Slots; Who says in words who may give it ("a supervisor", "Sam
	// Supervisor": WhoWords); Unique and Ordered are the template's
	// forceUniqueUser and ordered as queued; Given are the request's
	// signatures given before this challenge was raised. The dialog states
	// them; they decide nothing (the engine and the store check the rules
	// again when the answer comes).
	Position int     `json:"position"`
	Slots    int     `json:"slots"`
	Who      string  `json:"who"`
	Unique   bool    `json:"unique,omitempty"`
	Ordered  bool    `json:"ordered,omitempty"`
	Given    []Given `json:"given,omitempty"`
}

// Given is a signature a challenge's request already holds, as the dialog
// names it: which one (Position, from 1), who gave it and when, and the
// decision.
type Given struct {
	Position    int       `json:"position"`
	PrintedName string    `json:"printedName"`
	UserID      string    `json:"userId"`
	SignedAt    time.Time `json:"signedAt"` // UTC
	Approve     bool      `json:"approve"`
}

// Outcome kinds, the callbacks of queueAuthRequest.
const (
	OutcomeApprove = "approve" // every slot approved: onApprove, once
	OutcomeReject  = "reject"  // a slot rejected: onReject
	OutcomeError   = "error"   // a failed attempt, a cancel or a timeout: onError; the slot stays pending
	OutcomeSigned  = "signed"  // one slot signed, others still pending (no callback; pages may show it)
)

// Outcome is what a page's callback gets.
type Outcome struct {
	Kind        string    `json:"kind"`
	Session     string    `json:"session"`
	Request     uuid.UUID `json:"request"`
	RequestName string    `json:"requestName"`
	Slot        uuid.UUID `json:"slot"`
	Approved    bool      `json:"approved"`
	UserID      string    `json:"userId,omitempty"`
	PrintedName string    `json:"printedName,omitempty"`
	Meaning     string    `json:"meaning,omitempty"`
	Comment     string    `json:"comment,omitempty"`
	Time        time.Time `json:"time"` // UTC
	Message     string    `json:"message,omitempty"`
	// Owner and By say which packages' pages hear it: the request's and,
	// for an outcome of a challenge, the triggering page's.
	Owner string `json:"-"`
	By    string `json:"-"`
}

// Plant is the caller that is no package's page: the chrome, the command
// line, an MES script. It sees, cancels and hears every request.
const Plant = ""

// For reports whether a page of package pkg hears o (Plant hears all).
func (o Outcome) For(pkg string) bool { return pkg == Plant || o.Owner == pkg || o.By == pkg }

// Content is r's content hash (ContentHash).
func (r Request) Content() string { return ContentHash(r) }

// VisibleTo reports whether a page of package pkg may list or cancel r:
// its own package's, and the plant's routed to it or to every package.
func (r Request) VisibleTo(pkg string) bool {
	return pkg == Plant || r.Owner == pkg || (r.Owner == "" && (r.AddressedTo == "" || r.AddressedTo == pkg))
}

// actorKey is the context key of who acts.
type actorKey struct{}

// ActingAs returns ctx saying who acts in what the engine records under
// it (audit.Entry.Actor): the signed-in person of the page's session, or
// the OS user and host of a command. The engine's callers set it at their
// boundary: pmapi for pages, the command line for scripts.
func ActingAs(ctx context.Context, who string) context.Context {
	return context.WithValue(ctx, actorKey{}, who)
}

func actorOf(ctx context.Context) string {
	who, _ := ctx.Value(actorKey{}).(string)
	return who
}
