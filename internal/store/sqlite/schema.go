package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// migrations[i] takes the schema from version i to version i+1. A step is
// never edited once released: a change is a new step. (Step 1 names
// store.ClauseAtoms, since removed: clause_atoms now holds the atoms the
// engine hands over with each slot, signature.Slot.Atoms, the same rows.)
var migrations = []string{
	// 1: templates, requests, slots, the atoms Filter.User matches, and
	// the append-only audit trail.
	`
CREATE TABLE templates (
	name_key          TEXT PRIMARY KEY, -- store.NameKey(name)
	name              TEXT NOT NULL,    -- as last written
	description       TEXT NOT NULL,
	expression        TEXT NOT NULL,
	idp               TEXT NOT NULL,
	framing           TEXT NOT NULL,
	timeout           INTEGER NOT NULL, -- minutes, 0: signature.DefaultTimeout
	force_auth        INTEGER NOT NULL CHECK (force_auth IN (0, 1)),
	force_unique_user INTEGER NOT NULL CHECK (force_unique_user IN (0, 1)),
	meaning           TEXT NOT NULL,
	require_comment   INTEGER NOT NULL CHECK (require_comment IN (0, 1))
) STRICT;

CREATE TABLE requests (
	id           TEXT PRIMARY KEY, -- UUID
	template     TEXT NOT NULL,    -- the template's name when queued
	template_key TEXT NOT NULL,    -- store.NameKey(template)
	name         TEXT NOT NULL,
	description  TEXT NOT NULL,
	state        TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'rejected', 'cancelled')),
	station      TEXT NOT NULL,
	session      TEXT NOT NULL,
	queued_at    TEXT NOT NULL     -- RFC 3339, UTC, microseconds
) STRICT;
-- Pending lists oldest first (ties in insertion order: the rowid each
-- index entry ends with); settled requests stay out of these indexes.
CREATE INDEX requests_pending ON requests (queued_at) WHERE state = 'pending';
CREATE INDEX requests_pending_template ON requests (template_key, queued_at) WHERE state = 'pending';
CREATE INDEX requests_pending_name ON requests (name, queued_at) WHERE state = 'pending';

CREATE TABLE slots (
	id           TEXT PRIMARY KEY, -- UUID
	request      TEXT NOT NULL REFERENCES requests (id),
	idx          INTEGER NOT NULL CHECK (idx >= 0),
	clause       TEXT NOT NULL,
	-- cancelled: not signed, and its request ended otherwise
	state        TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'rejected', 'cancelled')),
	-- the signature, all NULL until the slot is signed
	user_id      TEXT,
	printed_name TEXT,
	roles        TEXT, -- JSON array
	groups_      TEXT, -- JSON array
	approve      INTEGER CHECK (approve IN (0, 1)),
	meaning      TEXT,
	comment      TEXT,
	signed_at    TEXT, -- RFC 3339, UTC, microseconds
	sign_station TEXT,
	UNIQUE (request, idx),
	CHECK ((signed_at IS NOT NULL) = (state IN ('approved', 'rejected'))),
	CHECK (signed_at IS NULL OR approve = (state = 'approved'))
) STRICT;

-- The {kind:value} atoms of each slot's clause (store.ClauseAtoms), so
-- Filter.User is an index lookup, not a scan of every pending clause.
CREATE TABLE clause_atoms (
	kind      TEXT NOT NULL, -- "username", "role", "group"
	value_key TEXT NOT NULL, -- store.NameKey(value)
	slot      TEXT NOT NULL REFERENCES slots (id),
	PRIMARY KEY (kind, value_key, slot)
) STRICT, WITHOUT ROWID;

CREATE TABLE audit (
	seq          INTEGER PRIMARY KEY CHECK (seq > 0),
	time         TEXT NOT NULL, -- RFC 3339, UTC, microseconds
	utc_offset   TEXT NOT NULL,
	station      TEXT NOT NULL,
	event        TEXT NOT NULL,
	request      TEXT NOT NULL,
	request_name TEXT NOT NULL,
	slot         TEXT NOT NULL,
	template     TEXT NOT NULL,
	user_id      TEXT NOT NULL,
	printed_name TEXT NOT NULL,
	meaning      TEXT NOT NULL,
	approve      INTEGER CHECK (approve IN (0, 1)), -- NULL: not a decision
	comment      TEXT NOT NULL,
	detail       TEXT NOT NULL,
	prev         TEXT NOT NULL,
	hash         TEXT NOT NULL UNIQUE
) STRICT;
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER audit_chain BEFORE INSERT ON audit
WHEN NEW.seq IS NOT coalesce((SELECT max(seq) FROM audit), 0) + 1
  OR NEW.prev IS NOT coalesce((SELECT hash FROM audit ORDER BY seq DESC LIMIT 1), '')
BEGIN SELECT RAISE(ABORT, 'an audit entry must continue the chain'); END;
`,
	// 2: whose a request is (the package that queued it, or the plant's,
	// routed to one package or to all), and the template it was queued
	// under, as JSON (signature.Request.Rules; '' for the requests queued
	// before: their template as it is now stands in), the record it signs, and
	// in the trail who verified a signer (idp), who acted (actor) and the
	// request's content hash (content): audit.Entry's version 2.
	`
ALTER TABLE requests ADD COLUMN owner TEXT NOT NULL DEFAULT '';
ALTER TABLE requests ADD COLUMN addressed_to TEXT NOT NULL DEFAULT '';
ALTER TABLE requests ADD COLUMN rules TEXT NOT NULL DEFAULT '';
ALTER TABLE requests ADD COLUMN record TEXT NOT NULL DEFAULT '';
ALTER TABLE audit ADD COLUMN idp TEXT NOT NULL DEFAULT '';
ALTER TABLE audit ADD COLUMN actor TEXT NOT NULL DEFAULT '';
ALTER TABLE audit ADD COLUMN content TEXT NOT NULL DEFAULT '';
`,
	// 3: a template's order of signing and the meaning of a rejection
	// (signature.Template.Ordered, RejectMeaning). The templates stored
	// before are unordered and mean signature.DefaultRejectMeaning by a
	// rejection, as they did.
	`
ALTER TABLE templates ADD COLUMN ordered INTEGER NOT NULL DEFAULT 0 CHECK (ordered IN (0, 1));
ALTER TABLE templates ADD COLUMN reject_meaning TEXT NOT NULL DEFAULT '';
`,
	// 4: what the stations signed about the trail (audit.Checkpoint): the
	// store's identity, which every checkpoint names; each station's
	// public keys; one checkpoint per transaction that appended entries,
	// in the same transaction. Append-only, as the trail is: not even a
	// bug in this package rewrites them; someone with the file can, and
	// audit.CheckTrail is what finds that.
	`
CREATE TABLE store_identity (
	id   INTEGER PRIMARY KEY CHECK (id = 1),
	uuid TEXT NOT NULL
) STRICT;
INSERT INTO store_identity (id, uuid) VALUES (1, lower(hex(randomblob(16))));

CREATE TABLE station_keys (
	station    TEXT NOT NULL,
	public_key TEXT NOT NULL, -- lowercase hex, 32 bytes (Ed25519)
	registered TEXT NOT NULL, -- RFC 3339, UTC, microseconds: its first checkpoint's time
	PRIMARY KEY (station, public_key)
) STRICT, WITHOUT ROWID;

CREATE TABLE checkpoints (
	seq        INTEGER PRIMARY KEY CHECK (seq > 0), -- the last entry of its transaction
	prev       INTEGER NOT NULL CHECK (prev >= 0),  -- the checkpoint before, 0 for none
	first      INTEGER NOT NULL,                    -- the first entry of its transaction
	hash       TEXT NOT NULL,
	time       TEXT NOT NULL,
	station    TEXT NOT NULL,
	public_key TEXT NOT NULL,
	signature  TEXT NOT NULL,
	FOREIGN KEY (station, public_key) REFERENCES station_keys (station, public_key)
) STRICT;

-- A checkpoint follows the newest one and signs the chain's head.
CREATE TRIGGER checkpoints_chain BEFORE INSERT ON checkpoints
WHEN NEW.prev IS NOT coalesce((SELECT max(seq) FROM checkpoints), 0)
  OR NEW.seq IS NOT (SELECT max(seq) FROM audit)
BEGIN SELECT RAISE(ABORT, 'a checkpoint must follow the newest one and sign the chain head'); END;

CREATE TRIGGER store_identity_no_update BEFORE UPDATE ON store_identity
BEGIN SELECT RAISE(ABORT, 'the store''s identity never changes'); END;
CREATE TRIGGER store_identity_no_delete BEFORE DELETE ON store_identity
BEGIN SELECT RAISE(ABORT, 'the store''s identity never changes'); END;
CREATE TRIGGER station_keys_no_update BEFORE UPDATE ON station_keys
BEGIN SELECT RAISE(ABORT, 'station keys are append-only'); END;
CREATE TRIGGER station_keys_no_delete BEFORE DELETE ON station_keys
BEGIN SELECT RAISE(ABORT, 'station keys are append-only'); END;
CREATE TRIGGER checkpoints_no_update BEFORE UPDATE ON checkpoints
BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;
CREATE TRIGGER checkpoints_no_delete BEFORE DELETE ON checkpoints
BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;
`,
	// 5: a package's pending requests counted at each queue
	// (PendingOwned) by an index, not a scan of every pending request.
	`
CREATE INDEX requests_pending_owner ON requests (owner) WHERE state = 'pending';
`,
	// 6: the checkpoints of each key chained (audit.Checkpoint's Link,
	// '' for the version 1 checkpoints before), and found by key.
	`
ALTER TABLE checkpoints ADD COLUMN link TEXT NOT NULL DEFAULT '';
CREATE INDEX checkpoints_key ON checkpoints (public_key, seq);
`,
}

// migrate brings the schema of the database db writes to to the newest
// version, in one BEGIN IMMEDIATE transaction (db's _txlock): a second
// process migrating at the same time waits for the first (up to busy)
// and then finds the version current.
func migrate(ctx context.Context, db *sql.DB, busy time.Duration) error {
	tx, err := beginWrite(ctx, db, busy)
	if err != nil {
		return fmt.Errorf("migrate: begin: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `
CREATE TABLE IF NOT EXISTS schema_version (
	id      INTEGER PRIMARY KEY CHECK (id = 1),
	version INTEGER NOT NULL
) STRICT;
INSERT OR IGNORE INTO schema_version (id, version) VALUES (1, 0);`); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	var version int
	if err := tx.QueryRowContext(ctx, `SELECT version FROM schema_version WHERE id = 1`).Scan(&version); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if version > len(migrations) {
		return fmt.Errorf("the database has schema version %d, newer than this build's %d; use a newer loginshell", version, len(migrations))
	}
	if version == len(migrations) {
		return nil
	}
	for v := version; v < len(migrations); v++ {
		if _, err := tx.ExecContext(ctx, migrations[v]); err != nil {
			return fmt.Errorf("migrate to version %d: %w", v+1, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE schema_version SET version = ? WHERE id = 1`, len(migrations)); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migrate: commit: %w", err)
	}
	return nil
}
