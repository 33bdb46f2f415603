package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"loginshell/internal/audit"
	"loginshell/internal/fault"
	"loginshell/internal/store"
)

// Errors of the PostgreSQL store. The errors Open and the store return
// with them are safe to show and never hold the password: an unavailable
// database is named (host, port, database, user), a setting that does not
// parse is not quoted (it may hold the password).
var (
	// ErrUnavailable: the database did not answer (not running, not
	// reachable from this station, refusing this user). Signature requests
	// wait until it answers again; the store reconnects by itself.
	ErrUnavailable = fault.New(fault.Unavailable, "the signature database is unavailable")
	// ErrConfig: the store's DSN (--store, signature_store) does not parse
	// or names no database.
	ErrConfig = fault.New(fault.NotConfigured, "the signature database setting (--store, signature_store) is not valid")
)

// DefaultConnectTimeout bounds each connection attempt when the DSN sets
// no connect_timeout: a station whose database is gone says so in
// seconds instead of hanging the page that asked.
const DefaultConnectTimeout = 5 * time.Second

// A station's pool of connections for statements, unless the DSN says
// otherwise (pool_max_conns, pool_max_conn_idle_time): see Open.
const (
	DefaultPoolConns = 4
	DefaultPoolIdle  = time.Minute
)

// Schema is the PostgreSQL schema the store's tables live in (the
// connections' search_path), so the store can share a database with
// others without clashing on names like "requests".
const Schema = "loginshell"

// Store is a PostgreSQL database opened by Open. It is safe for concurrent
// use, and any number of stations may open the same database at once
// (see the package doc). Close it when done.
type Store struct {
	pool *pgxpool.Pool
	cfg  *pgxpool.Config
	// where names the database for messages: host, port, database, user.
	where string
	// secret is the DSN's password, scrubbed from every error text this
	// package builds from a driver's message.
	secret string
	// origin tells this handle's notifications from other stations'
	// (watch.go).
	origin string
	// retryMin is the first pause before listening again (watchRetryMin;
	// longer in a test that must see a change committed meanwhile).
	retryMin time.Duration
	// id is the store's identity (table store_identity), which every
	// checkpoint names.
	id string
	// cp signs a checkpoint for each transaction that appends entries;
	// nil for none.
	cp store.Checkpointer
	// mine is the checkpoint this handle committed last: the next one
	// links to it without verifying its signature again.
	mine atomic.Pointer[audit.Checkpoint]
	// afterListen, nil but in tests, runs on each watch connection once
	// it listens and before it reads the changes log: a test commits a
	// change there to have it both read from the log and noticed.
	afterListen func()
	// ears is what Watch listens for (Hear): hear.go.
	ears *ears

	closeOnce sync.Once
	watchMu   sync.Mutex
	closed    bool                 // Close was called: no new Watch
	stops     []context.CancelFunc // of the running Watch calls
}

// Open connects to the PostgreSQL database dsn names (a postgres:// URL or
// a key=value string, as libpq reads them: sslmode, sslrootcert, ...
// are honoured, and a password may come from PGPASSWORD or ~/.pgpass
// instead of the DSN), creates or upgrades the store's schema, and returns
// the store. An unreachable database fails with ErrUnavailable after one
// attempt to connect (each host for at most the DSN's connect_timeout,
// DefaultConnectTimeout when it sets none), naming host and database but
// never the password; ctx bounds the whole of Open.
//
// Open does NOT create the database or its user: a DBA does, once per
// plant (README.md, "Electronic signatures"). The user needs to create a
// schema in the database the first time, and only to read and write its
// tables after.
func Open(ctx context.Context, dsn string, opts ...Option) (*Store, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		// The parser's message may quote the DSN, password and all.
		return nil, fault.Explain(ErrConfig, "the signature database setting (--store, signature_store) is not a PostgreSQL DSN (postgres://USER@HOST/DATABASE?sslmode=verify-full)")
	}
	cc := cfg.ConnConfig
	if cc.Database == "" {
		return nil, fault.Explain(ErrConfig, "the signature database setting (--store, signature_store) names no database")
	}
	if !strings.Contains(dsn, "connect_timeout") {
		cc.ConnectTimeout = DefaultConnectTimeout
	}
	cc.RuntimeParams["search_path"] = Schema
	cc.RuntimeParams["timezone"] = "UTC"
	if cc.RuntimeParams["application_name"] == "" {
		cc.RuntimeParams["application_name"] = "loginshell"
	}
	// A plant's database serves every station, so a station holds few
	// connections: one of its own to LISTEN on (Watch), and a pool for
	// statements that opens a connection only when a statement needs one,
	// holds at most DefaultPoolConns (or the DSN's pool_max_conns; pgx
	// would take one per CPU) and closes one idle for DefaultPoolIdle (or
	// the DSN's pool_max_conn_idle_time; pgx keeps it half an hour). An
	// idle plant of N stations then holds about N connections, a busy one
	// at most N × (1 + pool_max_conns). pgx's default statement cache (per
	// connection, keyed by SQL text) suits these few fixed queries.
	cfg.MinConns = 0
	if !strings.Contains(dsn, "pool_max_conns") {
		cfg.MaxConns = DefaultPoolConns
	}
	// Two at least: AuditEntries' fn may read the store while the trail's
	// own read holds a connection.
	cfg.MaxConns = max(cfg.MaxConns, 2)
	if !strings.Contains(dsn, "pool_max_conn_idle_time") {
		cfg.MaxConnIdleTime = DefaultPoolIdle
	}
	s := &Store{cfg: cfg, where: describe(cc), secret: cc.Password, origin: newOrigin(), retryMin: watchRetryMin, cp: o.checkpointer, ears: newEars()}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, s.unavailable("connect", err)
	}
	s.pool = pool
	if err := s.buildIndexes(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	if err := s.migrate(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	if err := s.read(ctx, "read the store's identity", func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT uuid FROM store_identity WHERE id = 1`).Scan(&s.id)
	}); err != nil {
		pool.Close()
		return nil, err
	}
	return s, nil
}

// Option changes a default of Open.
type Option func(*options)

type options struct {
	checkpointer store.Checkpointer
}

// WithCheckpointer has the store sign a checkpoint with cp for every
// transaction that appends audit entries, and store it with them (see
// store.Checkpointer). Without it the store appends entries with no
// checkpoint: entries that, once any station signs checkpoints, no key
// vouches for (audit.CheckTrail). Stations MUST use it; tests and tools
// that only read need not.
func WithCheckpointer(cp store.Checkpointer) Option {
	return func(o *options) { o.checkpointer = cp }
}

// describe names the database for people: `database "db" on host:port as
// user "u"`, with the DSN's other hosts after the first, comma-separated.
func describe(cc *pgx.ConnConfig) string {
	hosts := []string{fmt.Sprintf("%s:%d", cc.Host, cc.Port)}
	for _, fb := range cc.Fallbacks {
		if h := fmt.Sprintf("%s:%d", fb.Host, fb.Port); h != hosts[len(hosts)-1] && !containsString(hosts, h) {
			hosts = append(hosts, h)
		}
	}
	return fmt.Sprintf("database %q on %s as user %q", cc.Database, strings.Join(hosts, ", "), cc.User)
}

func containsString(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// Where names the database the store is on (host, port, database, user;
// never the password), for the shell's log and the audit command's
// output.
func (s *Store) Where() string { return s.where }

// Describe names the database dsn points at as Where would (host, port,
// database, user; never the password) without connecting: a window names
// its store before the store is opened at first use.
func Describe(dsn string) string {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return "a PostgreSQL database (the setting is not a DSN)"
	}
	return describe(cfg.ConnConfig)
}

// Identity is the store's identity (table store_identity), which every
// checkpoint names.
func (s *Store) Identity() string { return s.id }

// Location is where the database dsn points at, whoever connects to it:
// `postgres database "db" on host:port` (every host the DSN names, in
// its order), "" for a DSN that does not parse. A station keeps it with
// its own copy of its checkpoints, so that a store found there later
// under another identity is known for a replacement.
func Location(dsn string) string {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return ""
	}
	cc := cfg.ConnConfig
	hosts := []string{fmt.Sprintf("%s:%d", cc.Host, cc.Port)}
	for _, fb := range cc.Fallbacks {
		if h := fmt.Sprintf("%s:%d", fb.Host, fb.Port); !containsString(hosts, h) {
			hosts = append(hosts, h)
		}
	}
	return fmt.Sprintf("postgres database %q on %s", cc.Database, strings.Join(hosts, ", "))
}

// Close stops watching and closes the store's connections. Calling it
// again does nothing.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.stopWatching()
		s.pool.Close()
	})
	return nil
}

// unavailable is ErrUnavailable for a database that did not answer op,
// naming it and saying what to do. The driver's cause stays in the chain
// for errors.As; its text is reduced to the network's reason with the
// password scrubbed, so even a driver that quoted the DSN cannot leak it.
func (s *Store) unavailable(op string, err error) error {
	return &unavailableError{
		text: fmt.Sprintf("the signature %s is unavailable (%s: %s); check that PostgreSQL runs there, that this station may reach it, and the --store / signature_store setting",
			s.where, op, s.scrub(reason(err))),
		cause: err,
	}
}

// unavailableError is ErrUnavailable with the database named.
type unavailableError struct {
	text  string
	cause error
}

func (e *unavailableError) Error() string    { return e.text }
func (e *unavailableError) Kind() fault.Kind { return fault.Unavailable }
func (e *unavailableError) Unwrap() []error  { return []error{ErrUnavailable, e.cause} }

// reason is the innermost cause's text: "connection refused", "i/o
// timeout", the server's message.
func reason(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code + " " + pe.Message
	}
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Err != nil {
		return oe.Err.Error()
	}
	if errors.Is(err, context.DeadlineExceeded) || pgconn.Timeout(err) {
		return "timed out"
	}
	for {
		u := errors.Unwrap(err)
		if u == nil {
			return err.Error()
		}
		err = u
	}
}

func (s *Store) scrub(text string) string {
	if s.secret != "" {
		text = strings.ReplaceAll(text, s.secret, "********")
	}
	return text
}

// isUnavailable says whether err means the database did not answer, as
// opposed to refusing the statement.
func isUnavailable(err error) bool {
	if err == nil || fault.KindOf(err) != fault.Internal {
		return false
	}
	var ce *pgconn.ConnectError
	var ne net.Error
	var pe *pgconn.PgError
	switch {
	case errors.As(err, &ce), errors.As(err, &ne), pgconn.Timeout(err):
		return true
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, net.ErrClosed):
		return true
	case errors.As(err, &pe):
		// Class 08: connection exception; 57P01-03: the server is shutting
		// down or starting; 53300: too many connections.
		return strings.HasPrefix(pe.Code, "08") || strings.HasPrefix(pe.Code, "57P") || pe.Code == "53300"
	}
	var se interface{ SafeToRetry() bool }
	if errors.As(err, &se) && se.SafeToRetry() {
		return true
	}
	return strings.Contains(err.Error(), "conn closed") || strings.Contains(err.Error(), "closed pool")
}

// fail wraps err from op: ErrUnavailable when the database did not
// answer, and otherwise as store.Wrap does, as the SQLite store wraps it:
// the engine's own errors (ErrSlotTaken, ...) as they are, anything else
// with op for the log (its text scrubbed of the password, and then no
// longer wrapped, should a driver have quoted it).
func (s *Store) fail(op string, err error) error {
	if err == nil {
		return nil
	}
	if isUnavailable(err) {
		return s.unavailable(op, err)
	}
	if fault.KindOf(err) == fault.Internal && s.secret != "" && strings.Contains(err.Error(), s.secret) {
		return fmt.Errorf("%s: %s", op, s.scrub(err.Error()))
	}
	return store.Wrap(op, err)
}

// read runs fn in a read-only REPEATABLE READ transaction: one snapshot,
// however many queries fn makes.
func (s *Store) read(ctx context.Context, op string, fn func(tx pgx.Tx) error) error {
	return s.fail(op, s.retrying(ctx, true, func(*bool) error {
		return pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, fn)
	}))
}

// retrying runs attempt and, when it failed on a dead connection, empties
// the pool and runs it once more on a fresh one. A connection dies when the
// server restarts or the network drops; the pool pings only connections
// idle for over a second, so after a quick restart the next statement of
// each idle connection would fail, and every station would show one error
// per connection for a database that is back. Run again only when that is
// safe: always for a read (idempotent), for a write only when the failure
// came before its statements (*started still false), so nothing reaches
// the database twice. A failure to connect is not retried: a fresh
// connection just failed.
func (s *Store) retrying(ctx context.Context, idempotent bool, attempt func(started *bool) error) error {
	started := false
	err := attempt(&started)
	var ce *pgconn.ConnectError
	if err == nil || ctx.Err() != nil || !isUnavailable(err) || errors.As(err, &ce) || (started && !idempotent) {
		return err
	}
	s.pool.Reset()
	started = false
	return attempt(&started)
}
