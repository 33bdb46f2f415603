package sqlite

import (
	"context"
	"database/sql"
	"iter"
	"reflect"
	"testing"

	"loginshell/internal/audit"
	"loginshell/internal/signature"
)

// TestRequestsAsStored: the requests AuditRecords gives `audit verify`
// (read from the tables' pages, requests_pages.go) are exactly the
// requests read column by column, on a store a file's owner edited: a
// request's name and a signature's comment holding a NUL byte (once the
// separator of a packed read), an unsigned slot with its signature columns NULL and one
// with them left set, a signed slot with a NULL in its signature, and
// one with a NULL and a NUL (which would split into the right number of
// fields, shifted).
func TestRequestsAsStored(t *testing.T) {
	path, db := editableTrail(t, 6, 2)
	for _, stmt := range []string{
		`UPDATE requests SET name = 'a' || char(0) || 'b' WHERE rowid = 2`,
		`UPDATE slots SET comment = 'c' || char(0) WHERE rowid = 1`,
		`UPDATE slots SET state = 'pending', signed_at = NULL, approve = NULL, user_id = NULL, printed_name = NULL,
			roles = NULL, groups_ = NULL, meaning = NULL, comment = NULL, sign_station = NULL WHERE rowid = 5`,
		`UPDATE slots SET state = 'pending', signed_at = NULL, approve = NULL WHERE rowid = 6`,
		`UPDATE slots SET roles = NULL WHERE rowid = 7`,
		`UPDATE slots SET meaning = 'm' || char(0) || 'n', comment = NULL WHERE rowid = 8`,
	} {
		if _, err := db.Exec(stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	var want []signature.Request
	if err := s.read(ctx, "requests", func(tx *sql.Tx) error {
		want, err = queryRequests(ctx, tx, `1 = 1`, `r.rowid`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	var got []signature.Request
	err = s.AuditRecords(ctx, func(requests iter.Seq2[signature.Request, error], _ audit.Trail) error {
		for r, err := range requests {
			if err != nil {
				return err
			}
			got = append(got, r)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(want) != 6 {
		t.Fatalf("read %d requests column by column, want 6", len(want))
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("AuditRecords' requests:\n got %+v\nwant %+v", got, want)
	}
}
