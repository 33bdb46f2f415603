package shell

import (
	"context"
	"iter"
	"sync"
	"sync/atomic"

	"github.com/google/uuid"
	"loginshell/internal/audit"
	"loginshell/internal/fault"
	"loginshell/internal/signature"
)

// errStoreClosed is what the signature store answers once the shell has
// closed it.
var errStoreClosed = fault.New(fault.Unavailable, "the shell is closing: the signature store is closed")

// lazyStore is the station's signature store as the shell holds it:
// nothing of it is opened while the shell starts. Its first use (a page
// that queues, lists or signs, a command of the chrome's dialog) opens the
// station's key and the store, stores the templates the start-up read and
// starts the alert follower (open); a station that never signs never pays
// for SQLite's or pgx's code and memory, and the window does not wait for
// them. An open that fails is that use's error and is tried again at the
// next use (a PostgreSQL server that was down).
//
// Safe for concurrent use: concurrent first uses wait for one open.
type lazyStore struct {
	// open opens the store and whatever goes with it; undo closes all of
	// it, the store last but one and the station's key last.
	open func() (db SignatureStore, undo func(), err error)

	db     atomic.Pointer[storeRef] // set once opened, cleared by Close
	mu     sync.Mutex               // held while opening and closing
	undo   func()
	closed bool
	// ready is closed when the store is opened; opened is the store from
	// then on, for Watch.
	ready  chan struct{}
	opened SignatureStore
	// hearing is what the engine last told Hear, handed to the store
	// once it is open; hearMu orders the telling.
	hearMu  sync.Mutex
	hearing *signature.Hearing
	// beforeUse, when set, runs once the store has opened and before any
	// use gets it, with a context whose writes go to the opened store
	// (openingKey): what waited for the store (the settings trail) is
	// written first, in the order it was made.
	beforeUse func(context.Context)
}

// openingKey marks the context of beforeUse's writes; its value is the
// store being opened.
type openingKey struct{}

// storeRef lets an interface value sit in an atomic.Pointer.
type storeRef struct{ SignatureStore }

var (
	_ SignatureStore    = (*lazyStore)(nil)
	_ signature.Watcher = (*lazyStore)(nil)
	_ signature.Hearer  = (*lazyStore)(nil)
)

func newLazyStore(open func() (SignatureStore, func(), error)) *lazyStore {
	return &lazyStore{open: open, ready: make(chan struct{})}
}

// store returns the store, opening it at the first use.
func (l *lazyStore) store() (SignatureStore, error) {
	if r := l.db.Load(); r != nil {
		return r.SignatureStore, nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil, errStoreClosed
	}
	if r := l.db.Load(); r != nil {
		return r.SignatureStore, nil
	}
	db, undo, err := l.open()
	if err != nil {
		return nil, err
	}
	l.undo, l.opened = undo, db
	if l.beforeUse != nil {
		l.beforeUse(context.WithValue(context.Background(), openingKey{}, storeRef{db}))
	}
	l.db.Store(&storeRef{db})
	close(l.ready)
	return db, nil
}

// BeforeUse makes f the store's beforeUse; the shell sets it before
// anything uses the store.
func (l *lazyStore) BeforeUse(f func(context.Context)) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.beforeUse = f
}

// Close closes what the first use opened, if anything; later uses get
// errStoreClosed.
func (l *lazyStore) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil
	}
	l.closed = true
	l.db.Store(nil)
	if l.undo != nil {
		l.undo()
	}
	return nil
}

// Watch waits for the store to be opened by its first use, then reports
// other stations' changes as the store does (PostgreSQL); a store of one
// station (SQLite) has none to report.
func (l *lazyStore) Watch(ctx context.Context, changed func(signature.Change)) error {
	select {
	case <-l.ready:
	case <-ctx.Done():
		return nil
	}
	if w, ok := l.opened.(signature.Watcher); ok {
		l.hearMu.Lock()
		if h, ok := l.opened.(signature.Hearer); ok && l.hearing != nil {
			h.Hear(*l.hearing)
		}
		l.hearMu.Unlock()
		return w.Watch(ctx, changed)
	}
	return nil
}

// Hear tells the store what the station's pages hear (signature.Hearer)
// once it is open; it does not open it. Until then nothing listens, so
// the channel returned is closed.
func (l *lazyStore) Hear(h signature.Hearing) <-chan struct{} {
	l.hearMu.Lock()
	defer l.hearMu.Unlock()
	l.hearing = &h
	if r := l.db.Load(); r != nil {
		if hr, ok := r.SignatureStore.(signature.Hearer); ok {
			return hr.Hear(h)
		}
	}
	done := make(chan struct{})
	close(done)
	return done
}

func (l *lazyStore) PutTemplate(ctx context.Context, t signature.Template) error {
	db, err := l.store()
	if err != nil {
		return err
	}
	return db.PutTemplate(ctx, t)
}

func (l *lazyStore) Template(ctx context.Context, name string) (signature.Template, error) {
	db, err := l.store()
	if err != nil {
		return signature.Template{}, err
	}
	return db.Template(ctx, name)
}

func (l *lazyStore) Templates(ctx context.Context) ([]signature.Template, error) {
	db, err := l.store()
	if err != nil {
		return nil, err
	}
	return db.Templates(ctx)
}

func (l *lazyStore) DeleteTemplate(ctx context.Context, name string) error {
	db, err := l.store()
	if err != nil {
		return err
	}
	return db.DeleteTemplate(ctx, name)
}

func (l *lazyStore) Slot(ctx context.Context, id uuid.UUID) (signature.Slot, signature.Request, error) {
	db, err := l.store()
	if err != nil {
		return signature.Slot{}, signature.Request{}, err
	}
	return db.Slot(ctx, id)
}

func (l *lazyStore) Request(ctx context.Context, id uuid.UUID) (signature.Request, error) {
	db, err := l.store()
	if err != nil {
		return signature.Request{}, err
	}
	return db.Request(ctx, id)
}

func (l *lazyStore) Pending(ctx context.Context, f signature.Filter) ([]signature.Request, error) {
	db, err := l.store()
	if err != nil {
		return nil, err
	}
	return db.Pending(ctx, f)
}

func (l *lazyStore) AppendAudit(ctx context.Context, e audit.Entry) (audit.Entry, error) {
	if r, ok := ctx.Value(openingKey{}).(storeRef); ok { // beforeUse's: the store is being opened
		return r.AppendAudit(ctx, e)
	}
	db, err := l.store()
	if err != nil {
		return audit.Entry{}, err
	}
	return db.AppendAudit(ctx, e)
}

func (l *lazyStore) QueueAudited(ctx context.Context, r signature.Request, entries func(signature.Request) []audit.Entry) ([]audit.Entry, error) {
	db, err := l.store()
	if err != nil {
		return nil, err
	}
	return db.QueueAudited(ctx, r, entries)
}

func (l *lazyStore) SignAudited(ctx context.Context, id uuid.UUID, sig signature.Signature, forceUniqueUser bool,
	entries func(signature.Request) []audit.Entry) (signature.Request, []audit.Entry, error) {
	db, err := l.store()
	if err != nil {
		return signature.Request{}, nil, err
	}
	return db.SignAudited(ctx, id, sig, forceUniqueUser, entries)
}

func (l *lazyStore) CancelAudited(ctx context.Context, id uuid.UUID, entries func(signature.Request) []audit.Entry) (signature.Request, []audit.Entry, error) {
	db, err := l.store()
	if err != nil {
		return signature.Request{}, nil, err
	}
	return db.CancelAudited(ctx, id, entries)
}

func (l *lazyStore) PutTemplateAudited(ctx context.Context, t signature.Template, entries func(signature.Template) []audit.Entry) ([]audit.Entry, error) {
	db, err := l.store()
	if err != nil {
		return nil, err
	}
	return db.PutTemplateAudited(ctx, t, entries)
}

func (l *lazyStore) DeleteTemplateAudited(ctx context.Context, name string, entries func(signature.Template) []audit.Entry) ([]audit.Entry, error) {
	db, err := l.store()
	if err != nil {
		return nil, err
	}
	return db.DeleteTemplateAudited(ctx, name, entries)
}

func (l *lazyStore) AuditEntries(ctx context.Context, fn func(audit.Entry) error) error {
	db, err := l.store()
	if err != nil {
		return err
	}
	return db.AuditEntries(ctx, fn)
}

func (l *lazyStore) AuditTrail(ctx context.Context, fn func(audit.Trail) error) error {
	db, err := l.store()
	if err != nil {
		return err
	}
	return db.AuditTrail(ctx, fn)
}

func (l *lazyStore) AuditRecords(ctx context.Context, fn func(requests iter.Seq2[signature.Request, error], t audit.Trail) error) error {
	db, err := l.store()
	if err != nil {
		return err
	}
	return db.AuditRecords(ctx, fn)
}

func (l *lazyStore) PendingOwned(ctx context.Context, owner string) (int, error) {
	db, err := l.store()
	if err != nil {
		return 0, err
	}
	return db.PendingOwned(ctx, owner)
}

func (l *lazyStore) AuditEvents(ctx context.Context, event string, after int64, fn func(audit.Entry) error) (int64, error) {
	db, err := l.store()
	if err != nil {
		return 0, err
	}
	return db.AuditEvents(ctx, event, after, fn)
}
