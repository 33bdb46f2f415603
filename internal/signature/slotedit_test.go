package signature_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/uuid"
	"loginshell/internal/signature"
)

// TestASlotEditedInTheStoreIsNotOffered: who may give a signature is
// the template's as queued; a slot's row edited below the engine (the
// supervisor's signature opened to any operator) is not offered, the
// dialog stays closed, and the trail gets an alert naming the request.
func TestASlotEditedInTheStoreIsNotOffered(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "")
	ids := e.queue(t)
	db := e.owner(t)
	for _, stmt := range []string{`DROP TRIGGER IF EXISTS slots_signed_once`, `UPDATE slots SET clause = '{role:Operator}' WHERE idx = 1`} {
		if _, err := db.Exec(stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	err := e.eng.Trigger(context.Background(), ids[1], e.screen.Session(), e.page, true, signature.Plant)
	if !errors.Is(err, signature.ErrNotPosted) || !strings.Contains(err.Error(), `signature 2 of request "Release line" is not as its template "Line Release Approval" made it`) {
		t.Fatalf("Trigger of the edited slot = %v, want ErrNotPosted naming it", err)
	}
	if c := e.screen.Current().Challenge; c != nil {
		t.Errorf("the dialog shows %+v for the edited slot", c)
	}
	alerts := e.alerts(t)
	if len(alerts) != 1 || alerts[0].Request != e.requestOf(t, ids[1]) || !strings.Contains(alerts[0].Detail, "the store was changed below loginshell") {
		t.Errorf("alerts %+v, want one naming the request", alerts)
	}
	// The slot the store did not change is offered as before.
	if err := e.eng.Trigger(context.Background(), ids[0], e.screen.Session(), e.page, true, signature.Plant); err != nil {
		t.Errorf("Trigger of the untouched slot: %v", err)
	}
}

// owner is the env's store file opened as its owner can, below the
// engine; closed when the test ends.
func (e *env) owner(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", filepath.Join(e.dir, "signatures.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// requestOf is the ID of the request slot belongs to.
func (e *env) requestOf(t *testing.T, slot uuid.UUID) string {
	t.Helper()
	_, r, err := e.store.Slot(context.Background(), slot)
	if err != nil {
		t.Fatal(err)
	}
	return r.ID.String()
}
