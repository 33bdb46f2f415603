package postgres

import (
	"context"
	"fmt"
)

// migrateLock is the pg_advisory_xact_lock key the migration holds, so
// two stations starting at once on a new database migrate one after the
// other ("logins" in ASCII).
const migrateLock int64 = 0x6c6f67696e73

// migrations[i] takes the schema from version i to version i+1. A step is
// never edited once released: a change is a new step. (Step 1 names
// store.ClauseAtoms, since removed: clause_atoms now holds the atoms the
// engine hands over with each slot, signature.Slot.Atoms, the same rows.)
var migrations = []string{
	// 1: templates, requests, slots, the atoms Filter.User matches, and
	// the append-only audit trail with its chain head.
	`
CREATE TABLE templates (
	name_key          text PRIMARY KEY, -- store.NameKey(name)
	name              text NOT NULL,    -- as last written
	description       text NOT NULL,
	expression        text NOT NULL,
	idp               text NOT NULL,
	framing           text NOT NULL,
	timeout           integer NOT NULL, -- minutes, 0: signature.DefaultTimeout
	force_auth        boolean NOT NULL,
	force_unique_user boolean NOT NULL,
	meaning           text NOT NULL,
	require_comment   boolean NOT NULL
);

CREATE TABLE requests (
	id           uuid PRIMARY KEY,
	n            bigint GENERATED ALWAYS AS IDENTITY UNIQUE, -- queue order among equal times
	template     text NOT NULL, -- the template's name when queued
	template_key text NOT NULL, -- store.NameKey(template)
	name         text NOT NULL,
	description  text NOT NULL,
	state        text NOT NULL CHECK (state IN ('pending', 'approved', 'rejected', 'cancelled')),
	station      text NOT NULL,
	session      text NOT NULL,
	queued_at    timestamptz NOT NULL
);
-- Pending lists oldest first; settled requests stay out of these indexes.
CREATE INDEX requests_pending ON requests (queued_at, n) WHERE state = 'pending';
CREATE INDEX requests_pending_template ON requests (template_key, queued_at, n) WHERE state = 'pending';
CREATE INDEX requests_pending_name ON requests (name, queued_at, n) WHERE state = 'pending';

CREATE TABLE slots (
	id           uuid PRIMARY KEY,
	request      uuid NOT NULL REFERENCES requests (id),
	idx          integer NOT NULL CHECK (idx >= 0),
	clause       text NOT NULL,
	-- cancelled: not signed, and its request ended otherwise
	state        text NOT NULL CHECK (state IN ('pending', 'approved', 'rejected', 'cancelled')),
	-- the signature, all NULL until the slot is signed
	user_id      text,
	printed_name text,
	roles        text[],
	groups_      text[],
	approve      boolean,
	meaning      text,
	comment      text,
	signed_at    timestamptz,
	sign_station text,
	UNIQUE (request, idx),
	CHECK ((signed_at IS NOT NULL) = (state IN ('approved', 'rejected'))),
	CHECK (signed_at IS NULL OR approve = (state = 'approved'))
);

-- The {kind:value} atoms of each slot's clause (store.ClauseAtoms), so
-- Filter.User is an index lookup, not a scan of every pending clause.
CREATE TABLE clause_atoms (
	kind      text NOT NULL, -- "username", "role", "group"
	value_key text NOT NULL, -- store.NameKey(value)
	slot      uuid NOT NULL REFERENCES slots (id),
	PRIMARY KEY (kind, value_key, slot)
);

CREATE TABLE audit (
	seq          bigint PRIMARY KEY CHECK (seq > 0),
	time         timestamptz NOT NULL,
	utc_offset   text NOT NULL,
	station      text NOT NULL,
	event        text NOT NULL,
	request      text NOT NULL,
	request_name text NOT NULL,
	slot         text NOT NULL,
	template     text NOT NULL,
	user_id      text NOT NULL,
	printed_name text NOT NULL,
	meaning      text NOT NULL,
	approve      boolean, -- NULL: not a decision
	comment      text NOT NULL,
	detail       text NOT NULL,
	prev         text NOT NULL,
	hash         text NOT NULL UNIQUE
);

-- The last entry of the trail. Every append locks this one row FOR UPDATE
-- first, so appends from every station run one at a time and the chain
-- never forks; the trigger below keeps it current.
CREATE TABLE audit_head (
	id   integer PRIMARY KEY CHECK (id = 1),
	seq  bigint NOT NULL,
	hash text NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '');

CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'the audit trail is append-only';
END $$;
CREATE TRIGGER audit_no_change BEFORE UPDATE OR DELETE ON audit
	FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit
	FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();

CREATE FUNCTION audit_chain() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	head audit_head%ROWTYPE;
BEGIN
	SELECT * INTO head FROM audit_head WHERE id = 1 FOR UPDATE;
	IF NEW.seq <> head.seq + 1 OR NEW.prev <> head.hash THEN
		RAISE EXCEPTION 'an audit entry must continue the chain';
	END IF;
	UPDATE audit_head SET seq = NEW.seq, hash = NEW.hash WHERE id = 1;
	RETURN NEW;
END $$;
CREATE TRIGGER audit_chain BEFORE INSERT ON audit
	FOR EACH ROW EXECUTE FUNCTION audit_chain();
`,
	// 2: the log of committed changes other stations hear of (watch.go),
	// numbered in commit order, so a station that could not listen for a
	// while reads what it missed instead of missing it.
	`
CREATE TABLE changes (
	seq    bigint PRIMARY KEY CHECK (seq > 0),
	slot   uuid NOT NULL,
	origin text NOT NULL, -- the store handle that made the change
	state  text NOT NULL, -- the state the change left the request in
	at     timestamptz NOT NULL DEFAULT now()
);
-- The last change's number. A change takes it FOR UPDATE as the last
-- statement before its commit, so numbers follow commit order and a
-- reader that saw number n has seen every change before it.
CREATE TABLE changes_head (
	id  integer PRIMARY KEY CHECK (id = 1),
	seq bigint NOT NULL
);
INSERT INTO changes_head (id, seq) VALUES (1, 0);
`,
	// 3: whose a request is (the package that queued it, or the plant's,
	// routed to one package or to all), and the template it was queued
	// under, as JSON (signature.Request.Rules; '' for the requests queued
	// before: their template as it is now stands in), the record it signs, and
	// in the trail who verified a signer (idp), who acted (actor) and the
	// request's content hash (content): audit.Entry's version 2.
	`
ALTER TABLE requests ADD COLUMN owner text NOT NULL DEFAULT '';
ALTER TABLE requests ADD COLUMN addressed_to text NOT NULL DEFAULT '';
ALTER TABLE requests ADD COLUMN rules text NOT NULL DEFAULT '';
ALTER TABLE requests ADD COLUMN record text NOT NULL DEFAULT '';
ALTER TABLE audit ADD COLUMN idp text NOT NULL DEFAULT '';
ALTER TABLE audit ADD COLUMN actor text NOT NULL DEFAULT '';
ALTER TABLE audit ADD COLUMN content text NOT NULL DEFAULT '';
`,
	// 4: a template's order of signing and the meaning of a rejection
	// (signature.Template.Ordered, RejectMeaning). The templates stored
	// before are unordered and mean signature.DefaultRejectMeaning by a
	// rejection, as they did.
	`
ALTER TABLE templates ADD COLUMN ordered boolean NOT NULL DEFAULT false;
ALTER TABLE templates ADD COLUMN reject_meaning text NOT NULL DEFAULT '';
`,
	// 5: what the stations signed about the trail (audit.Checkpoint): the
	// store's identity, which every checkpoint names; each station's
	// public keys; one checkpoint per transaction that appended entries,
	// in the same transaction. Append-only, as the trail is: the owner
	// of the tables can still change them, and audit.CheckTrail is what
	// finds that.
	`
CREATE TABLE store_identity (
	id   integer PRIMARY KEY CHECK (id = 1),
	uuid text NOT NULL
);
INSERT INTO store_identity (id, uuid) VALUES (1, replace(gen_random_uuid()::text, '-', ''));

CREATE TABLE station_keys (
	station    text NOT NULL,
	public_key text NOT NULL, -- lowercase hex, 32 bytes (Ed25519)
	registered timestamptz NOT NULL, -- its first checkpoint's time
	PRIMARY KEY (station, public_key)
);

CREATE TABLE checkpoints (
	seq        bigint PRIMARY KEY CHECK (seq > 0), -- the last entry of its transaction
	prev       bigint NOT NULL CHECK (prev >= 0),  -- the checkpoint before, 0 for none
	first      bigint NOT NULL,                    -- the first entry of its transaction
	hash       text NOT NULL,
	time       timestamptz NOT NULL,
	station    text NOT NULL,
	public_key text NOT NULL,
	signature  text NOT NULL,
	FOREIGN KEY (station, public_key) REFERENCES station_keys (station, public_key)
);

-- The newest checkpoint's Seq, kept in the chain head's row: an append
-- locks that row first and so reads the newest value, which a subquery
-- in the same statement, on the snapshot taken before the lock was
-- granted, would not. A checkpoint must name it as the one before.
ALTER TABLE audit_head ADD COLUMN checkpoint bigint NOT NULL DEFAULT 0;
CREATE FUNCTION checkpoints_chain() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	head audit_head%ROWTYPE;
BEGIN
	SELECT * INTO head FROM audit_head WHERE id = 1 FOR UPDATE;
	IF NEW.prev <> head.checkpoint OR NEW.seq <> head.seq THEN
		RAISE EXCEPTION 'a checkpoint must follow the newest one and sign the chain head';
	END IF;
	UPDATE audit_head SET checkpoint = NEW.seq WHERE id = 1;
	RETURN NEW;
END $$;
CREATE TRIGGER checkpoints_chain BEFORE INSERT ON checkpoints
	FOR EACH ROW EXECUTE FUNCTION checkpoints_chain();

CREATE FUNCTION signed_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END $$;
CREATE TRIGGER store_identity_no_change BEFORE UPDATE OR DELETE ON store_identity
	FOR EACH ROW EXECUTE FUNCTION signed_append_only();
CREATE TRIGGER station_keys_no_change BEFORE UPDATE OR DELETE ON station_keys
	FOR EACH ROW EXECUTE FUNCTION signed_append_only();
CREATE TRIGGER checkpoints_no_change BEFORE UPDATE OR DELETE ON checkpoints
	FOR EACH ROW EXECUTE FUNCTION signed_append_only();
CREATE TRIGGER store_identity_no_truncate BEFORE TRUNCATE ON store_identity
	FOR EACH STATEMENT EXECUTE FUNCTION signed_append_only();
CREATE TRIGGER station_keys_no_truncate BEFORE TRUNCATE ON station_keys
	FOR EACH STATEMENT EXECUTE FUNCTION signed_append_only();
CREATE TRIGGER checkpoints_no_truncate BEFORE TRUNCATE ON checkpoints
	FOR EACH STATEMENT EXECUTE FUNCTION signed_append_only();
`,
	// 6: a package's pending requests counted at each queue
	// (PendingOwned) by an index, not a scan of every pending request.
	`
CREATE INDEX requests_pending_owner ON requests (owner) WHERE state = 'pending';
`,
	// 7: the checkpoints of each key chained (audit.Checkpoint's Link,
	// '' for the version 1 checkpoints before), and found by key. On a
	// database that had checkpoints, Open built the index before this
	// step without blocking writes (buildIndexes), and IF NOT EXISTS
	// finds it; on a new one the table is empty and the build instant.
	// (Released without IF NOT EXISTS: a database migrated then has the
	// same index.)
	`
ALTER TABLE checkpoints ADD COLUMN link text NOT NULL DEFAULT '';
CREATE INDEX IF NOT EXISTS checkpoints_key ON checkpoints (public_key, seq);
`,
}

// migrate brings the schema to this build's version in one transaction
// that first takes an advisory lock: a second station migrating at the
// same time waits for the first, then finds the version current. A
// database whose version is newer than this build knows is refused, never
// written.
func (s *Store) migrate(ctx context.Context) error {
	return s.write(ctx, "migrate", func(tx *writeTx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, migrateLock); err != nil {
			return err
		}
		// search_path is the schema (Open): once it exists, unqualified
		// names are created in it.
		if _, err := tx.Exec(ctx, `CREATE SCHEMA IF NOT EXISTS `+Schema); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `
CREATE TABLE IF NOT EXISTS schema_version (
	id      integer PRIMARY KEY CHECK (id = 1),
	version integer NOT NULL
);
INSERT INTO schema_version (id, version) VALUES (1, 0) ON CONFLICT (id) DO NOTHING`); err != nil {
			return err
		}
		var version int
		if err := tx.QueryRow(ctx, `SELECT version FROM schema_version WHERE id = 1 FOR UPDATE`).Scan(&version); err != nil {
			return err
		}
		if version > len(migrations) {
			return fmt.Errorf("the signature %s has schema version %d, newer than this build's %d; use a newer loginshell", s.where, version, len(migrations))
		}
		for v := version; v < len(migrations); v++ {
			if _, err := tx.Exec(ctx, migrations[v]); err != nil {
				return fmt.Errorf("to version %d: %w", v+1, err)
			}
		}
		if version == len(migrations) {
			return nil
		}
		_, err := tx.Exec(ctx, `UPDATE schema_version SET version = $1 WHERE id = 1`, len(migrations))
		return err
	})
}
