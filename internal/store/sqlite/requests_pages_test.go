package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"loginshell/internal/signature"
)

// newRequest copies request row 1 as a new request of id id.
const newRequest = `INSERT INTO requests (id, template, template_key, name, description, state, station, session, queued_at,
	owner, addressed_to, rules, record)
SELECT '%s', template, template_key, name, description, state, station, session, queued_at, owner, addressed_to, rules, record
FROM requests WHERE rowid = 1`

// newSlots copies slot row 1 as slots of the request %[1]s, idx %[2]s
// for each i of n (0 to %[3]d), inserted in descending i.
const newSlots = `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < %[3]d)
INSERT INTO slots (id, request, idx, clause, state, user_id, printed_name, roles, groups_, approve, meaning, comment,
	signed_at, sign_station)
SELECT printf('%[4]s-0000-4000-8000-%%012d', i), '%[1]s', %[2]s, clause, state, user_id, printed_name, roles, groups_,
	approve, meaning, comment, signed_at, sign_station
FROM n, slots WHERE slots.rowid = 1 ORDER BY i DESC`

// TestPagedRequestsAsJoin: the requests read from the pages are exactly
// those of SQLite's join, read column by column and in its order (the
// request's rowid, then the slot's idx), on stores whose slots' rowids
// do not follow that order, with many slots to a request, with NULLs in
// signed and unsigned slots, with requests and slots the join leaves
// out, and with records on overflow pages.
func TestPagedRequestsAsJoin(t *testing.T) {
	const r7, r8 = "aaaaaaaa-0000-4000-8000-000000000007", "aaaaaaaa-0000-4000-8000-000000000008"
	cases := []struct {
		name     string
		edits    []string
		requests int // the join's
	}{
		{"as built", nil, 6},
		{"slots out of rowid order", []string{
			fmt.Sprintf(newRequest, r7),
			fmt.Sprintf(newSlots, r7, "i", 2, "bbbbbbbb"),
			`UPDATE slots SET idx = idx + 10 WHERE rowid = 1`, // request 1's first slot now its last
			fmt.Sprintf(newSlots, `(SELECT id FROM requests WHERE rowid = 2)`, "i + 5", 1, "cccccccc"),
			fmt.Sprintf(newRequest, r8),
			// r8's slots before r7's, by rowid
			`UPDATE slots SET request = '` + r8 + `' WHERE id LIKE 'bbbbbbbb-%' AND idx = 2`,
		}, 8},
		{"many slots to a request", []string{
			fmt.Sprintf(newRequest, r7),
			fmt.Sprintf(newSlots, r7, "i * 3", 999, "dddddddd"),
		}, 7},
		{"signed and unsigned, with NULLs", []string{
			`UPDATE slots SET state = 'pending', signed_at = NULL, approve = NULL, user_id = NULL, printed_name = NULL,
				roles = NULL, groups_ = NULL, meaning = NULL, comment = NULL, sign_station = NULL WHERE rowid = 5`,
			`UPDATE slots SET state = 'pending', signed_at = NULL, approve = NULL WHERE rowid = 6`,
			`UPDATE slots SET roles = NULL, approve = NULL WHERE rowid = 7`,
			`UPDATE slots SET meaning = 'm' || char(0) || 'n', comment = NULL, groups_ = '["g1","g2"]' WHERE rowid = 8`,
			`UPDATE requests SET name = 'a' || char(0) || 'b', rules = '' WHERE rowid = 2`,
		}, 6},
		{"left out of the join", []string{
			fmt.Sprintf(newRequest, r7),                   // no slots
			fmt.Sprintf(newSlots, r8, "i", 1, "eeeeeeee"), // no request
			`DELETE FROM requests WHERE rowid = 3`,        // its slots stay
		}, 5},
		{"overflow pages", []string{
			`UPDATE requests SET description = printf('%.20000c', 'd') WHERE rowid = 4`,
			`UPDATE slots SET comment = printf('%.9000c', 'c'), clause = printf('%.70000c', 'k') WHERE rowid = 3`,
		}, 6},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path, db := editableTrail(t, 6, 2)
			for _, stmt := range c.edits {
				mustExec(t, db, stmt)
			}
			want, got, joinErr, err := joinAndPages(t, path)
			if joinErr != nil || err != nil {
				t.Fatalf("the join: %v; the pages: %v", joinErr, err)
			}
			if len(want) != c.requests {
				t.Fatalf("the join read %d requests, want %d", len(want), c.requests)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("the pages' requests:\n got %+v\nwant %+v", got, want)
			}
		})
	}
}

// joinAndPages reads the store's requests by the join (want, or
// joinErr) and from the pages (got, or err), in one transaction.
func joinAndPages(t *testing.T, path string) (want, got []signature.Request, joinErr, err error) {
	t.Helper()
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	if err := s.read(ctx, "requests", func(tx *sql.Tx) error {
		want, joinErr = queryRequests(ctx, tx, `1 = 1`, `r.rowid`)
		err = eachRequestPaged(ctx, tx, func(r signature.Request) bool { got = append(got, r); return true })
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return want, got, joinErr, err
}

// TestPagedRequestsCorrupt: a slots table whose pages or rows are not
// what the format and the schema say gives an error naming what is
// wrong, never requests.
func TestPagedRequestsCorrupt(t *testing.T) {
	cases := []struct {
		name string
		edit func(t *testing.T, db *sql.DB)
		err  string
	}{
		{"a slots page of an index's type", func(t *testing.T, db *sql.DB) {
			var root int64
			var page []byte
			if err := db.QueryRow(`SELECT rootpage FROM sqlite_schema WHERE name = 'slots'`).Scan(&root); err != nil {
				t.Fatal(err)
			}
			if err := db.QueryRow(`SELECT data FROM sqlite_dbpage WHERE pgno = ?`, root).Scan(&page); err != nil {
				t.Fatal(err)
			}
			page[0] = 0x0a
			mustExec(t, db, `UPDATE sqlite_dbpage SET data = ? WHERE pgno = ?`, page, root)
		}, "page type 0x0a where a table b-tree page (0x05 or 0x0d) belongs"},
		{"an idx that is text", func(t *testing.T, db *sql.DB) {
			var strict string
			if err := db.QueryRow(`SELECT sql FROM sqlite_schema WHERE name = 'slots'`).Scan(&strict); err != nil {
				t.Fatal(err)
			}
			mustExec(t, db, `PRAGMA writable_schema = ON`)
			mustExec(t, db, `UPDATE sqlite_schema SET sql = ? WHERE name = 'slots'`, strings.TrimSuffix(strict, " STRICT"))
			mustExec(t, db, `PRAGMA writable_schema = RESET`)
			mustExec(t, db, `UPDATE slots SET idx = 'one' WHERE rowid = 4`)
			mustExec(t, db, `PRAGMA writable_schema = ON`)
			mustExec(t, db, `UPDATE sqlite_schema SET sql = ? WHERE name = 'slots'`, strict)
			mustExec(t, db, `PRAGMA writable_schema = RESET`)
		}, "table slots, row 4: the database file is corrupt: column idx (INTEGER) holds text"},
		{"a signed slot's time", func(t *testing.T, db *sql.DB) {
			mustExec(t, db, `UPDATE slots SET signed_at = 'noon' WHERE rowid = 3`)
		}, `slot row 3: stored time "noon"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path, db := editableTrail(t, 6, 2)
			c.edit(t, db)
			_, got, _, err := joinAndPages(t, path)
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Fatalf("read %d requests, error %v; want an error saying %q", len(got), err, c.err)
			}
		})
	}
}
