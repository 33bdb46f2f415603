package cli

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"loginshell/internal/audit"
	"loginshell/internal/shell"
	"loginshell/internal/signature"
	"loginshell/internal/store/postgres/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// plantStore is a store a station writes to in these tests, and what a
// database administrator can do to it behind the stations' backs.
type plantStore struct {
	name string
	// open makes a new database and returns the --store flag that names
	// it ("" for the data directory's signatures.db) and the DBA's
	// session on it, with the triggers and foreign keys off.
	open func(t *testing.T, dataDir string) (flag string, dba func(t *testing.T, stmt string, args ...any))
}

// plantStores are both stores: SQLite in the data directory, and a
// plant's PostgreSQL (a throwaway cluster; skipped on a computer without
// PostgreSQL, failed in CI).
var plantStores = []plantStore{
	{"sqlite", func(t *testing.T, dataDir string) (string, func(*testing.T, string, ...any)) {
		return "", func(t *testing.T, stmt string, args ...any) {
			db, err := sql.Open("sqlite", filepath.Join(dataDir, shell.StoreFile))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			// The file's owner can drop every guard SQLite has.
			rows, err := db.Query(`SELECT name FROM sqlite_master WHERE type = 'trigger'`)
			if err != nil {
				t.Fatal(err)
			}
			var triggers []string
			for rows.Next() {
				var n string
				if err := rows.Scan(&n); err != nil {
					t.Fatal(err)
				}
				triggers = append(triggers, n)
			}
			rows.Close()
			for _, n := range triggers {
				if _, err := db.Exec(`DROP TRIGGER ` + n); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := db.Exec(`PRAGMA foreign_keys = OFF`); err != nil {
				t.Fatal(err)
			}
			if _, err := db.Exec(stmt, args...); err != nil {
				t.Fatalf("%s: %v", stmt, err)
			}
		}
	}},
	{"postgres", func(t *testing.T, _ string) (string, func(*testing.T, string, ...any)) {
		dsn := pgtest.DB(t)
		return dsn, func(t *testing.T, stmt string, args ...any) {
			ctx := context.Background()
			conn, err := pgx.Connect(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close(ctx)
			// A superuser turns the triggers and foreign keys off, and
			// keeps the chain head in step, so the stations go on writing.
			for _, s := range []string{`SET search_path = loginshell`, `SET session_replication_role = replica`} {
				if _, err := conn.Exec(ctx, s); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := conn.Exec(ctx, stmt, args...); err != nil {
				t.Fatalf("%s: %v", stmt, err)
			}
			if _, err := conn.Exec(ctx, `UPDATE audit_head SET seq = coalesce((SELECT max(seq) FROM audit), 0),
	hash = coalesce((SELECT hash FROM audit ORDER BY seq DESC LIMIT 1), ''),
	checkpoint = coalesce((SELECT max(seq) FROM checkpoints), 0)`); err != nil {
				t.Fatal(err)
			}
		}
	}},
}

// signRequests signs n requests at station ST-1 (data directory dir,
// store flag), through the engine as the shell runs it: each one is
// queued, triggered and signed with a comment, and leaves its audit
// entries with a checkpoint per transaction.
func signRequests(t *testing.T, dir, flag string, n int) {
	t.Helper()
	db, _, err := shell.OpenStation(dir, flag, "ST-1")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	poster := &posted{}
	eng, err := signature.New(signature.Options{Store: db, Identities: map[string]signature.Identity{signature.IDPLocal: oneSigner{}},
		Poster: poster, Now: time.Now, Station: "ST-1"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := eng.PutTemplate(ctx, signature.Template{Name: "Release", Expression: "{role:Operator}", IDP: signature.IDPLocal,
		Meaning: "Approval"}); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		ids, err := eng.Queue(ctx, signature.Queuing{Template: "Release", Name: fmt.Sprintf("Release line %d", i), Description: "Batch 4711"})
		if err != nil {
			t.Fatal(err)
		}
		if err := eng.Trigger(ctx, ids[0], "s", "p", true, signature.Plant); err != nil {
			t.Fatal(err)
		}
		if _, err := eng.Answer(ctx, poster.id, "olga", "pw", "checked"); err != nil {
			t.Fatal(err)
		}
	}
}

// signed is what a store holds beside the entries.
type signed struct {
	Keys        []audit.StationKey
	Checkpoints []audit.Checkpoint
}

// trailOf reads the trail and what the stations signed, as the DBA can.
func trailOf(t *testing.T, dir, flag string) ([]audit.Entry, signed) {
	t.Helper()
	db, _, err := shell.OpenStore(dir, flag, false)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var es []audit.Entry
	var p signed
	if err := db.AuditTrail(context.Background(), func(tr audit.Trail) error {
		p.Keys = tr.Keys
		for row, err := range tr.Rows {
			if err != nil {
				return err
			}
			if row.Entry != nil {
				es = append(es, *row.Entry)
			}
			if row.Checkpoint != nil {
				p.Checkpoints = append(p.Checkpoints, *row.Checkpoint)
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return es, p
}

// runCLI runs a command line in process, as station ST-1.
func runCLI(dir string, args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	e := &env{stdout: &out, stderr: &errb, dataDir: dir, station: "ST-1", now: time.Now, poll: time.Second, openStore: shell.OpenStore}
	code = e.exit(e.run(args))
	return code, out.String(), errb.String()
}

// withStore is args with --store flag when flag names one.
func withStore(flag string, args ...string) []string {
	if flag != "" {
		args = append(args, "--store", flag)
	}
	return args
}

// TestVerifyNamesTampering does to a station's store what a database
// administrator (or the file's owner) can: each tampering leaves a trail
// whose hash chain is intact, and `audit verify`, run at the station, must
// name it; an untouched store verifies. Both stores, one table.
func TestVerifyNamesTampering(t *testing.T) {
	t.Parallel()
	type tamper func(t *testing.T, dba func(*testing.T, string, ...any), dir, flag string, es []audit.Entry, p signed)
	del := func(stmt string) tamper {
		return func(t *testing.T, dba func(*testing.T, string, ...any), _, _ string, es []audit.Entry, _ signed) {
			dba(t, stmt, int64(len(es)))
		}
	}
	tests := []struct {
		name   string
		tamper tamper
		want   string // in stderr; "" for an intact trail
	}{
		{"nothing changed", func(*testing.T, func(*testing.T, string, ...any), string, string, []audit.Entry, signed) {}, ""},
		{"the last 5 entries deleted", del(`DELETE FROM audit WHERE seq > $1 - 5`), "the trail ends at #{n-5} but station ST-1 signed a checkpoint at #{n}:"},
		{"the last 20 entries deleted", del(`DELETE FROM audit WHERE seq > $1 - 20`), "the trail ends at #{n-20} but station ST-1 signed a checkpoint at #{n}:"},
		{"the last 20 entries deleted with their checkpoints", func(t *testing.T, dba func(*testing.T, string, ...any), _, _ string, es []audit.Entry, _ signed) {
			dba(t, `DELETE FROM audit WHERE seq > $1 - 20`, int64(len(es)))
			dba(t, `DELETE FROM checkpoints WHERE seq > $1 - 20`, int64(len(es)))
		}, "the trail ends at #{n-20} but this station (ST-1) signed a checkpoint at #{n}, kept in its data directory"},
		{"all entries but the first deleted", del(`DELETE FROM audit WHERE seq > 1 AND seq <= $1`), "the trail ends at #1 but station ST-1 signed a checkpoint at #{n}:"},
		{"the trail emptied", del(`DELETE FROM audit WHERE seq <= $1`), "the trail ends at #0 but station ST-1 signed a checkpoint at #{n}:"},
		{"the trail emptied with every checkpoint and key", func(t *testing.T, dba func(*testing.T, string, ...any), _, _ string, _ []audit.Entry, _ signed) {
			dba(t, `DELETE FROM audit`)
			dba(t, `DELETE FROM checkpoints`)
			dba(t, `DELETE FROM station_keys`)
		}, "the trail ends at #0 but this station (ST-1) signed a checkpoint at #{n}, kept in its data directory"},
		{"the store emptied and given another identity", func(t *testing.T, dba func(*testing.T, string, ...any), _, _ string, _ []audit.Entry, _ signed) {
			for _, table := range []string{"audit", "checkpoints", "station_keys", "clause_atoms", "slots", "requests"} {
				dba(t, `DELETE FROM `+table)
			}
			dba(t, `UPDATE store_identity SET uuid = '0123456789abcdef0123456789abcdef'`)
		}, "is store 0123456789abcdef0123456789abcdef, but station ST-1 signed checkpoint #{n} of store {store} there at"},
		{"a template edited in the store, and a request queued from it", func(t *testing.T, dba func(*testing.T, string, ...any), dir, flag string, _ []audit.Entry, _ signed) {
			dba(t, `UPDATE templates SET expression = '{role:Operator} OR {role:Visitor}'`)
			if code, stdout, stderr := runCLI(dir, withStore(flag, "signature", "queue", "--data", dir, "--template", "Release", "--name", "Release line 99")...); code != 0 {
				t.Fatalf("queue: exit %d\n%s%s", code, stdout, stderr)
			}
		}, "(\"Release line 99\") was queued from template \"Release\" as no entry of the trail recorded it"},
		{"a signature's clause edited in the store", func(t *testing.T, dba func(*testing.T, string, ...any), _, _ string, _ []audit.Entry, _ signed) {
			dba(t, `UPDATE slots SET clause = '{role:Visitor}'`)
		}, "its signatures are not the ones its template as queued makes ({role:Operator})"},
		{"a pending request set approved in the store", func(t *testing.T, dba func(*testing.T, string, ...any), dir, flag string, _ []audit.Entry, _ signed) {
			if code, stdout, stderr := runCLI(dir, withStore(flag, "signature", "queue", "--data", dir, "--template", "Release", "--name", "Release line 98")...); code != 0 {
				t.Fatalf("queue: exit %d\n%s%s", code, stdout, stderr)
			}
			dba(t, `UPDATE requests SET state = 'approved' WHERE state = 'pending'`)
		}, "(\"Release line 98\") is approved in the store, but its entries leave it pending"},
		{"an approved request set cancelled in the store", func(t *testing.T, dba func(*testing.T, string, ...any), _, _ string, _ []audit.Entry, _ signed) {
			dba(t, `UPDATE requests SET state = 'cancelled' WHERE name = 'Release line 0'`)
		}, "(\"Release line 0\") is cancelled in the store, but its entries leave it approved"},
		{"a request put into the store", func(t *testing.T, dba func(*testing.T, string, ...any), _, flag string, _ []audit.Entry, _ signed) {
			id := "'" + uuid.NewString() + "'"
			if flag != "" {
				id += "::uuid"
			}
			dba(t, `INSERT INTO requests (id, template, template_key, name, description, state, station, session, queued_at, owner, addressed_to, rules, record)
	SELECT `+id+`, template, template_key, 'Forged release', description, 'pending', station, session, queued_at, owner, addressed_to, rules, record
	FROM requests LIMIT 1`)
			slot := "'" + uuid.NewString() + "'"
			if flag != "" {
				slot += "::uuid"
			}
			dba(t, `INSERT INTO slots (id, request, idx, clause, state) SELECT `+slot+`, `+id+`, 0, clause, 'pending' FROM slots LIMIT 1`)
		}, "(\"Forged release\") is in the store, but no entry of the trail queued it"},
		{"an entry edited and every later hash recomputed", func(t *testing.T, dba func(*testing.T, string, ...any), _, _ string, es []audit.Entry, _ signed) {
			rewrite(t, dba, es, len(es)-12)
		}, "station ST-1 signed a checkpoint at #{after} for hash"},
		{"an entry edited, every later hash recomputed and the checkpoints' hashes with them", func(t *testing.T, dba func(*testing.T, string, ...any), _, _ string, es []audit.Entry, p signed) {
			rewrite(t, dba, es, len(es)-12)
			for _, c := range p.Checkpoints {
				dba(t, `UPDATE checkpoints SET hash = $1 WHERE seq = $2`, es[c.Seq-1].Hash, c.Seq)
			}
		}, "station ST-1's checkpoint at #{after} does not verify under its key"},
		{"a correctly chained approval appended", func(t *testing.T, _ func(*testing.T, string, ...any), dir, flag string, es []audit.Entry, _ signed) {
			forgeApproval(t, dir, flag, es)
		}, "Entry {n+1} (the first names station ST-1) lies after the newest checkpoint (#{n}, station ST-1): no station's key vouches for it"},
		{"a correctly chained approval appended, and the station signing after it", func(t *testing.T, _ func(*testing.T, string, ...any), dir, flag string, es []audit.Entry, _ signed) {
			forgeApproval(t, dir, flag, es)
			signRequests(t, dir, flag, 1)
		}, "Entry {n+1} (the first names station ST-1) lies between the checkpoints at #{n} and"},
		{"the station's registered key swapped and its checkpoints signed again", func(t *testing.T, dba func(*testing.T, string, ...any), _, _ string, _ []audit.Entry, p signed) {
			_, evil, _ := ed25519.GenerateKey(rand.Reader)
			var key string
			for _, c := range p.Checkpoints {
				c = audit.SignCheckpoint(evil, c)
				key = c.Key
				dba(t, `UPDATE checkpoints SET public_key = $1, signature = $2 WHERE seq = $3`, c.Key, c.Signature, c.Seq)
			}
			dba(t, `UPDATE station_keys SET public_key = $1`, key)
		}, "the key registered for station ST-1 changed"},
		{"the station's checkpoints removed", func(t *testing.T, dba func(*testing.T, string, ...any), _, _ string, _ []audit.Entry, _ signed) {
			dba(t, `DELETE FROM checkpoints`)
		}, "station ST-1's key {fp} is registered, but the store holds no checkpoint it signed"},
		{"the station's newest checkpoint removed", func(t *testing.T, dba func(*testing.T, string, ...any), _, _ string, _ []audit.Entry, p signed) {
			dba(t, `DELETE FROM checkpoints WHERE seq = $1`, p.Checkpoints[len(p.Checkpoints)-1].Seq)
		}, "this station's (ST-1) checkpoint at #{n}, kept in its data directory, is missing from the store"},
		{"a checkpoint in the middle removed", func(t *testing.T, dba func(*testing.T, string, ...any), _, _ string, _ []audit.Entry, p signed) {
			dba(t, `DELETE FROM checkpoints WHERE seq = $1`, p.Checkpoints[len(p.Checkpoints)/2].Seq)
		}, "station ST-1's checkpoint at #{mid+1} follows a checkpoint at #{mid} that is not there"},
	}
	for _, ps := range plantStores {
		t.Run(ps.name, func(t *testing.T) {
			t.Parallel()
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					t.Parallel()
					dir := t.TempDir()
					flag, dba := ps.open(t, dir)
					signRequests(t, dir, flag, 6)
					es, p := trailOf(t, dir, flag)
					n := int64(len(es))
					if n < 25 {
						t.Fatalf("only %d entries signed", n)
					}
					tt.tamper(t, dba, dir, flag, es, p)
					code, stdout, stderr := runCLI(dir, withStore(flag, "audit", "verify", "--data", dir)...)
					if tt.want == "" {
						if code != 0 || !strings.Contains(stdout, fmt.Sprintf("intact (%d entries, head #%d", n, n)) ||
							!strings.Contains(stdout, "station ST-1: key") {
							t.Errorf("an untouched store: exit %d\n%s%s", code, stdout, stderr)
						}
						return
					}
					cps := p.Checkpoints
					var after int64 // the first checkpoint at or after the entry rewrite edits
					for _, c := range cps {
						if after == 0 && c.Seq >= n-11 {
							after = c.Seq
						}
					}
					want := strings.NewReplacer("{store}", p.Checkpoints[0].Store, "{n}", fmt.Sprint(n), "{n-5}", fmt.Sprint(n-5), "{n-20}", fmt.Sprint(n-20),
						"{n+1}", fmt.Sprint(n+1), "{fp}", audit.Fingerprint(p.Keys[0].Key), "{after}", fmt.Sprint(after),
						"{mid}", fmt.Sprint(cps[len(cps)/2].Seq), "{mid+1}", fmt.Sprint(cps[len(cps)/2+1].Seq)).Replace(tt.want)
					if code != 1 || !strings.Contains(stderr, want) {
						t.Errorf("exit %d, stderr:\n%s\nwant 1 naming %q", code, stderr, want)
					}
				})
			}
		})
	}
}

// rewrite edits entry k (from 0) as a database administrator would and
// re-hashes it and every entry after it, so the chain holds.
func rewrite(t *testing.T, dba func(*testing.T, string, ...any), es []audit.Entry, k int) {
	t.Helper()
	es[k].Comment = "nothing to see"
	for i := k; i < len(es); i++ {
		es[i] = audit.Seal(&es[i-1], es[i])
		dba(t, `UPDATE audit SET comment = $1, prev = $2, hash = $3 WHERE seq = $4`, es[i].Comment, es[i].Prev, es[i].Hash, es[i].Seq)
	}
}

// forgeApproval appends an approval of the last request to the trail,
// sealed after the last entry as the public encoding allows, by someone
// with the database but without the station's key.
func forgeApproval(t *testing.T, dir, flag string, es []audit.Entry) {
	t.Helper()
	db, _, err := shell.OpenStore(dir, flag, false)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	last := es[len(es)-1]
	yes := true
	if _, err := db.AppendAudit(context.Background(), audit.Entry{Time: time.Now(), Station: "ST-1", Event: audit.EventApprove,
		Request: last.Request, RequestName: last.RequestName, Slot: last.Slot, Template: last.Template, UserID: "qa-lead",
		PrintedName: "Quinn Lead", Meaning: "Approval", Approve: &yes, Comment: "released"}); err != nil {
		t.Fatal(err)
	}
}

// TestStationsOnOneDatabase: stations of one plant, each with a data
// directory and name of its own, and a script queueing with a station's
// data directory under the host's name, verify the trail at each station
// (pinning the others' keys on first sight). A second data directory
// under a name already pinned is named until a person trusts its key.
func TestStationsOnOneDatabase(t *testing.T) {
	t.Parallel()
	dsn := pgtest.DB(t)
	dirs := map[string]string{}
	for _, name := range []string{"ST-1", "ST-2", "ST-3"} {
		dirs[name] = t.TempDir()
		db, _, err := shell.OpenStation(dirs[name], dsn, name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.AppendAudit(context.Background(), audit.Entry{Time: time.Now(), Station: name, Event: audit.EventTemplate}); err != nil {
			t.Fatal(err)
		}
		db.Close()
	}
	signRequests(t, dirs["ST-1"], dsn, 1) // ST-1's own data directory, as `signature queue --data` is
	for name, dir := range dirs {
		if code, stdout, stderr := runCLI(dir, "audit", "verify", "--data", dir, "--store", dsn); code != 0 || !strings.Contains(stdout, "3 stations match it") {
			t.Errorf("verify at %s: exit %d\n%s%s", name, code, stdout, stderr)
		}
	}
	// Another data directory that calls itself ST-2.
	other := t.TempDir()
	db, _, err := shell.OpenStation(other, dsn, "ST-2")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.AppendAudit(context.Background(), audit.Entry{Time: time.Now(), Station: "ST-2", Event: audit.EventTemplate}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	code, stdout, stderr := runCLI(dirs["ST-1"], "audit", "verify", "--data", dirs["ST-1"], "--store", dsn)
	if code != 1 || !strings.Contains(stderr, "station ST-2 has another key registered") {
		t.Fatalf("a second key for ST-2: exit %d\n%s%s", code, stdout, stderr)
	}
	fp := fingerprintOf(t, other)
	if code, stdout, stderr := runCLI(dirs["ST-1"], "station", "trust", "--data", dirs["ST-1"], "ST-2", fp); code != 0 {
		t.Fatalf("station trust: exit %d\n%s%s", code, stdout, stderr)
	}
	if code, stdout, stderr := runCLI(dirs["ST-1"], "audit", "verify", "--data", dirs["ST-1"], "--store", dsn); code != 0 {
		t.Errorf("after station trust: exit %d\n%s%s", code, stdout, stderr)
	}
}
