// Package sqlite is the embedded signature store: templates, requests,
// slots and the audit trail in one SQLite file in the data directory,
// through modernc.org/sqlite (pure Go, so the Windows build stays
// cgo-free). It implements signature.Backend, the engine's store, and the
// rest of the contract in internal/store/storetest; a plant's PostgreSQL
// store implements the same contract.
//
// # Processes
//
// Several processes may open one file at once (a shell, `loginshell audit
// verify`, a second shell started by mistake). Every write runs in a
// BEGIN IMMEDIATE transaction, which takes SQLite's single write lock at
// its start, so writers — in this process or another — run one at a time
// and read what the one before committed: two signers of one slot never
// both count, the request's state moves with its slots (conditional
// UPDATE ... WHERE state = 'pending', rows affected checked), and the
// audit chain never forks. A writer waits for the lock up to the busy
// timeout (WithBusyTimeout), then fails; nothing it did is kept. The
// same timeout bounds the moments SQLite refuses without waiting (another
// process turning a new file to WAL mode or recovering its WAL): a write
// that could not begin is begun again. Reads run
// in deferred read transactions on their own connections and, in WAL mode,
// neither wait for writers nor hold them up.
//
// # Audit in the same transaction
//
// QueueAudited, SignAudited and CancelAudited take an entries function
// and call it inside the change's transaction, after the change, with the
// request as the change left it (approved, rejected, still pending,
// cancelled); the entries it returns are sealed after the last entry of
// the trail and inserted before the commit. So an outcome and its audit
// entries are committed together or not at all — a kill -9 between the
// two is impossible, and a change that is refused (ErrSlotTaken,
// ErrSameSigner, ...) calls nothing and writes nothing; the caller audits
// the refusal with AppendAudit. Queue, Sign and Cancel are the same
// methods with no entries. The function runs while this process holds the
// write lock: it must be quick and must not call the store.
//
// # Durability
//
// The file is in WAL mode with synchronous=FULL: a commit returns after
// the WAL is fsynced, so a signature the signer was told was recorded
// survives kill -9, an OS crash and a power cut. synchronous=NORMAL would
// survive kill -9 too, but a power cut could take back the last commits —
// an approval that the page already acted on, a Part 11 audit entry. One
// fsync per commit is cheap next to a person signing, and the benchmarks
// in this package show it.
//
// # Stored forms
//
// UUIDs are text in canonical lower-case form. Times are text, RFC 3339 in
// UTC with exactly six fractional digits ("2026-11-29T10:00:00.123456Z"):
// fixed width, so text order is time order, readable in the sqlite3 shell,
// and to the microsecond — what audit.Seal keeps and a PostgreSQL
// timestamptz holds, so both stores give back the same times (the contract
// test says so). Template names and the values of clause atoms are keyed
// by internal/store's NameKey, as the PostgreSQL store keys them; the
// atoms are the ones the engine hands over with each slot
// (signature.Slot.Atoms), so no clause is parsed here.
//
// # Schema
//
// The schema is versioned in table schema_version and migrated by Open in
// one BEGIN IMMEDIATE transaction: when two processes open a new file at
// once, one migrates and the other waits, then finds nothing left to do.
// A file whose version is newer than this build knows is refused, never
// written. The audit table refuses UPDATE and DELETE and any INSERT that
// does not continue the chain (triggers), so not even a bug in this
// package can rewrite the trail; someone with the file can, and
// audit.CheckTrail is what finds that: a store opened WithCheckpointer
// signs a checkpoint for each transaction that appends entries, in that
// transaction (tables checkpoints and station_keys, append-only too, and
// store_identity, the random identity every checkpoint names), and
// AuditTrail reads them with the entries in one snapshot.
//
// The file is created with mode 0600 (the WAL and shared-memory files
// follow it): it holds names, comments and the trail. Protecting the data
// directory is still the caller's job.
package sqlite
