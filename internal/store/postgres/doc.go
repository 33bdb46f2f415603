// Package postgres is the plant's signature store: templates, requests,
// slots and the audit trail in one PostgreSQL database that every station
// (and the MES server, through `loginshell signature`) opens at once,
// through github.com/jackc/pgx/v5 (pure Go: the Windows build stays
// cgo-free). It implements signature.Backend, the engine's store, and the
// rest of the contract in internal/store/storetest, unchanged from the
// embedded SQLite store.
//
// # Stations
//
// Every change runs in a READ COMMITTED transaction that locks what it
// decides on before it reads it, so nothing is retried and SERIALIZABLE is
// not needed:
//   - A signature or a cancel locks its request's row first (SELECT ...
//     FOR UPDATE, or the UPDATE itself): changes to one request run one
//     after the other across every station, and each reads what the one
//     before committed. The slot is signed by a conditional UPDATE ...
//     WHERE state = 'pending' whose rows affected are checked: of two
//     people signing one slot at two stations, exactly one counts; the
//     other gets signature.ErrSlotTaken and nothing is written.
//   - Audit appends lock the one row of table audit_head (FOR UPDATE),
//     read the last entry's Seq and Hash there, seal after it (audit.Seal)
//     and insert; a trigger checks that each entry continues the chain and
//     moves the head. So the database serialises the chain across
//     stations, and an outcome and its entries commit together.
//   - Locks are taken in one order, request then chain head: no deadlock.
//
// After each committed signature or cancel the store sends NOTIFY on
// channel loginshell_requests, and on the channel of the request's
// session, with a slot of the request, so other stations' engines hear of
// it within a moment (Watch). A station listens only on the channels of
// the sessions its pages hear (Hear): PostgreSQL still wakes every
// listening connection of the database for each notice, but sends it
// only to those listening on its channel, and wakes none that listens on
// nothing.
//
// # Connections and credentials
//
// Open takes a DSN as libpq does (postgres://user@host/db?sslmode=...,
// or key=value), so sslmode and its certificates are honoured and the
// password may come from PGPASSWORD or ~/.pgpass instead of the DSN. An
// unreachable database is ErrUnavailable at once (connect_timeout, 5 s
// when the DSN sets none), naming the host, port, database and user but
// never the password; a password that still appears in a driver's message
// is replaced with asterisks. The pool reconnects by itself when the
// database is back: nothing needs a restart.
//
// # Schema
//
// The tables live in schema "loginshell" of the database (the
// connections' search_path), versioned in table schema_version and
// migrated by Open in one transaction that first takes a
// pg_advisory_xact_lock: when two stations start at once on a new
// database, one migrates and the other waits, then finds nothing left to
// do. A database whose version is newer than this build knows is refused,
// never written. An index a step adds to a table that may be large is
// built first, outside that transaction, with CREATE INDEX CONCURRENTLY
// (concurrentIndexes), so other stations' writes go on meanwhile. The audit table refuses UPDATE, DELETE, TRUNCATE and any
// INSERT that does not continue the chain (triggers); a DBA can still
// rewrite it, and audit.CheckTrail is what finds that: a store opened
// WithCheckpointer signs a checkpoint for each transaction that appends
// entries, in that transaction (table checkpoints, chained through
// audit_head.checkpoint; the stations' public keys in station_keys; the
// store's random identity, which every checkpoint names, in
// store_identity), and AuditTrail reads them with the entries in one
// snapshot. Times are timestamptz
// (UTC, to the microsecond, as audit.Seal keeps them); names and the
// values of clause atoms are keyed by internal/store's NameKey, as the
// SQLite store keys them; the atoms are the ones the engine hands over
// with each slot (signature.Slot.Atoms), so no clause is parsed here.
//
// Protecting the database (TLS, a user per plant with rights on this one
// schema, backups) is the DBA's job; README.md says how to set it up.
package postgres
