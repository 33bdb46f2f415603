package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"loginshell/internal/audit"
	"loginshell/internal/store"
	"modernc.org/sqlite" // the "sqlite" database/sql driver
)

// DefaultBusyTimeout is how long a write waits for another writer (in this
// process or another) before it fails. Writes are short (one request, one
// signature), so waiting this long means something is wrong, not busy.
const DefaultBusyTimeout = 10 * time.Second

// readers is the size of the read pool: reads do not block each other in
// WAL mode, and two cores gain nothing from more.
const readers = 4

// Option changes a default of Open.
type Option func(*options)

type options struct {
	busyTimeout  time.Duration
	checkpointer store.Checkpointer
}

// WithBusyTimeout sets how long a write waits for the write lock, and a
// read for a lock the WAL needs, before failing (DefaultBusyTimeout when
// not given). It must be positive.
func WithBusyTimeout(d time.Duration) Option {
	return func(o *options) { o.busyTimeout = d }
}

// WithCheckpointer has the store sign a checkpoint with cp for every
// transaction that appends audit entries, and store it with them (see
// store.Checkpointer). Without it the store appends entries with no
// checkpoint: a trail that audit.CheckTrail can only vouch for by its
// chain, and, once any station signs, entries that no key vouches for.
// Stations MUST use it; tests and tools that only read need not.
func WithCheckpointer(cp store.Checkpointer) Option {
	return func(o *options) { o.checkpointer = cp }
}

// Store is an SQLite file opened by Open. It is safe for concurrent use,
// and other processes may use the same file at the same time (see the
// package doc). Close it when done.
type Store struct {
	w    *sql.DB // one connection, BEGIN IMMEDIATE: this process's writes queue here
	r    *sql.DB // read-only connections, deferred read transactions
	busy time.Duration
	// id is the store's identity (table store_identity), which every
	// checkpoint names.
	id string
	// cp signs a checkpoint for each transaction that appends entries;
	// nil for none.
	cp store.Checkpointer
	// mine is the checkpoint this handle committed last: the next one
	// links to it without verifying its signature again.
	mine atomic.Pointer[audit.Checkpoint]

	closeOnce sync.Once
	closeErr  error
}

// Open opens the store in the file at path, creating it (mode 0600) and
// migrating its schema to this build's version when needed. path must name
// a file: ":memory:" and URIs are refused, since every connection of the
// store must see the same database.
func Open(path string, opts ...Option) (*Store, error) {
	o := options{busyTimeout: DefaultBusyTimeout}
	for _, opt := range opts {
		opt(&o)
	}
	if o.busyTimeout <= 0 {
		return nil, fmt.Errorf("open store: busy timeout %v is not positive", o.busyTimeout)
	}
	if path == "" || path == ":memory:" || strings.HasPrefix(path, "file:") {
		return nil, fmt.Errorf("open store: %q is not a file path", path)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	// SQLite would create the file 0644; create it first so the WAL and
	// shared-memory files, which take the database's mode, are private too.
	f, err := os.OpenFile(abs, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	f.Close()

	busy := strconv.FormatInt(o.busyTimeout.Milliseconds(), 10)
	w, err := sql.Open("sqlite", dsn(abs, url.Values{
		"_pragma": {"busy_timeout(" + busy + ")", "foreign_keys(1)", "journal_mode(WAL)", "synchronous(FULL)"},
		"_txlock": {"immediate"},
	}))
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxIdleTime(0)
	if err := migrate(context.Background(), w, o.busyTimeout); err != nil {
		w.Close()
		return nil, fmt.Errorf("open store %s: %w", abs, err)
	}
	r, err := sql.Open("sqlite", dsn(abs, url.Values{
		"_pragma": {"busy_timeout(" + busy + ")", "foreign_keys(1)", "synchronous(FULL)", "query_only(1)"},
	}))
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open store: %w", err)
	}
	r.SetMaxOpenConns(readers)
	r.SetMaxIdleConns(readers)
	var id string
	if err := w.QueryRow(`SELECT uuid FROM store_identity WHERE id = 1`).Scan(&id); err != nil {
		w.Close()
		r.Close()
		return nil, fmt.Errorf("open store %s: read its identity: %w", abs, err)
	}
	return &Store{w: w, r: r, busy: o.busyTimeout, id: id, cp: o.checkpointer}, nil
}

// Identity is the store's identity (table store_identity), which every
// checkpoint names.
func (s *Store) Identity() string { return s.id }

// dsn is the driver's name for the file at abs: a file: URI (so no
// character of the path is read as the start of the query), with the
// driver's parameters.
func dsn(abs string, params url.Values) string {
	p := filepath.ToSlash(abs)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // a Windows drive: file:///C:/...
	}
	u := url.URL{Scheme: "file", Path: p, RawQuery: params.Encode()}
	return u.String()
}

// Close closes the store's connections; the last connection to the file
// (of any process) checkpoints the WAL into it. Calling Close again
// returns the first call's result.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.closeErr = errors.Join(s.r.Close(), s.w.Close())
	})
	return s.closeErr
}

// write runs fn in a BEGIN IMMEDIATE transaction and commits it when fn
// returns nil; an error or a panic rolls back every change fn made. An
// error is reported under op as store.Wrap does, as the PostgreSQL store
// reports it.
func (s *Store) write(ctx context.Context, op string, fn func(tx *sql.Tx) error) error {
	tx, err := beginWrite(ctx, s.w, s.busy)
	if err != nil {
		return store.Wrap(op, fmt.Errorf("begin write: %w", err))
	}
	// Rolls back on an error and on a panic in fn (a caller's entries
	// function): the one write connection must never stay in a
	// transaction. After Commit it does nothing.
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return store.Wrap(op, err)
	}
	if err := tx.Commit(); err != nil {
		return store.Wrap(op, fmt.Errorf("commit: %w", err))
	}
	return nil
}

// beginWrite begins a BEGIN IMMEDIATE transaction on db, trying again
// for up to busy while SQLite says the database is busy. SQLite waits out
// another writer itself (busy_timeout), but not every lock: while another
// process turns a new file to WAL mode, or recovers the WAL after a crash,
// opening a connection (its journal_mode pragma) or beginning fails at
// once. A BEGIN that failed did nothing, so trying again is safe.
func beginWrite(ctx context.Context, db *sql.DB, busy time.Duration) (*sql.Tx, error) {
	deadline := time.Now().Add(busy)
	for pause := time.Millisecond; ; pause = min(2*pause, 50*time.Millisecond) {
		tx, err := db.BeginTx(ctx, nil)
		if err == nil || !isBusy(err) || time.Now().After(deadline) {
			return tx, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(pause):
		}
	}
}

// sqliteBusy is SQLITE_BUSY, the primary code of every busy error.
const sqliteBusy = 5

func isBusy(err error) bool {
	var e *sqlite.Error
	return errors.As(err, &e) && e.Code()&0xff == sqliteBusy
}

// read runs fn in a read transaction: one snapshot of the file, however
// many queries fn makes. An error is reported under op as store.Wrap
// does.
func (s *Store) read(ctx context.Context, op string, fn func(tx *sql.Tx) error) error {
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return store.Wrap(op, fmt.Errorf("begin read: %w", err))
	}
	defer tx.Rollback()
	return store.Wrap(op, fn(tx))
}
