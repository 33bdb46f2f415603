package cli

import (
	"bytes"
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"loginshell/internal/shell"
	"loginshell/internal/signature"
	_ "modernc.org/sqlite"
)

// TestVerifyNamesEditedRecords edits a station's store the way a database
// administrator could (issue 21, 11.70): each edit of a request or of a
// stored signature, which leaves the hash chain intact, makes `audit
// verify` fail naming the request, and an untouched store verifies.
func TestVerifyNamesEditedRecords(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, sql, want string
	}{
		{"nothing edited", "", ""},
		{"the description", `UPDATE requests SET description = 'Release batch 9999'`, "was changed after it was queued"},
		{"the request's name", `UPDATE requests SET name = 'Release line 9'`, "was changed after it was queued"},
		{"the record", `UPDATE requests SET record = '{"batch":"9999"}'`, "was changed after it was queued"},
		{"the template as queued", `UPDATE requests SET rules = replace(rules, '"forceUniqueUser":true', '"forceUniqueUser":false')`, "was changed after it was queued"},
		{"a signature's printed name", `UPDATE slots SET printed_name = 'Someone Else' WHERE printed_name IS NOT NULL`, "printed name differs"},
		{"a signature's comment", `UPDATE slots SET comment = 'all good' WHERE comment IS NOT NULL`, "comment differs"},
		{"a signature's time", `UPDATE slots SET signed_at = '2020-01-01T00:00:00.000000Z' WHERE signed_at IS NOT NULL`, "time differs"},
		{"where a signature was given", `UPDATE slots SET sign_station = 'ST-9' WHERE sign_station IS NOT NULL`, "station differs"},
		{"a signature's decision", `UPDATE slots SET state = 'rejected', approve = 0 WHERE approve = 1`, "decision differs"},
		{"the request removed", `PRAGMA foreign_keys = OFF; DELETE FROM clause_atoms; DELETE FROM slots; DELETE FROM requests`, "no longer in the store"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			signedRequest(t, dir)
			if tt.sql != "" {
				db, err := sql.Open("sqlite", filepath.Join(dir, "signatures.db"))
				if err != nil {
					t.Fatal(err)
				}
				if _, err := db.Exec(tt.sql); err != nil {
					t.Fatalf("%s: %v", tt.sql, err)
				}
				db.Close()
			}
			var out, errb bytes.Buffer
			e := &env{stdout: &out, stderr: &errb, dataDir: dir, station: "test", now: time.Now, poll: time.Second, openStore: shell.OpenStore}
			code := e.exit(e.run([]string{"audit", "verify", "--data", dir}))
			if tt.want == "" {
				if code != 0 || !strings.Contains(out.String(), "requests and their signatures match it") {
					t.Errorf("an untouched store: exit %d\n%s%s", code, out.String(), errb.String())
				}
				return
			}
			if code != 1 || !strings.Contains(errb.String(), tt.want) {
				t.Errorf("after %q: exit %d, stderr %q; want 1 naming %q", tt.sql, code, errb.String(), tt.want)
			}
		})
	}
}

// signedRequest queues a request with a record in dir's store and signs
// its one slot, with a comment, through the engine (as a station would).
func signedRequest(t *testing.T, dir string) {
	t.Helper()
	db, _, err := shell.OpenStation(dir, "", "ST-1")
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
		ForceUniqueUser: true, Meaning: "Approval", RequireComment: true}); err != nil {
		t.Fatal(err)
	}
	ids, err := eng.Queue(ctx, signature.Queuing{Template: "Release", Name: "Release line 4", Description: "Batch 4711",
		Record: `{"line": 4, "batch": "4711"}`})
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

// posted is a page that shows every challenge: it keeps the last one's ID.
type posted struct{ id string }

func (p *posted) Post(_, _ string, c signature.Challenge) error { p.id = c.ID; return nil }
func (p *posted) Close(string)                                  {}

type oneSigner struct{}

func (oneSigner) Verify(userID, _ string) (signature.Signer, error) {
	return signature.Signer{UserID: userID, PrintedName: "Olga Operator", Roles: []string{"Operator"}}, nil
}
