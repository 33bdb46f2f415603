package sqlite

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"loginshell/internal/audit"
)

// signer is a store.Checkpointer with a fixed key.
type signer struct{ key ed25519.PrivateKey }

func (s signer) Sign(c audit.Checkpoint) audit.Checkpoint {
	c.Station, c.Time = "ST-1", time.Now()
	return audit.SignCheckpoint(s.key, c)
}
func (signer) Committed(audit.Checkpoint) {}
func (s signer) PublicKey() string {
	return hex.EncodeToString(s.key.Public().(ed25519.PublicKey))
}

// TestCheckpointStep: a trail written before the step that keeps
// checkpoints migrates, a station signing after it vouches for what it
// writes, and the entries from before are a note, not a problem.
func TestCheckpointStep(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	step := -1
	for i, m := range migrations {
		if strings.Contains(m, "CREATE TABLE checkpoints") {
			step = i
		}
	}
	if step < 0 {
		t.Fatal("no migration step makes the checkpoints")
	}
	path := filepath.Join(t.TempDir(), "store.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	stmts := append([]string{`CREATE TABLE schema_version (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL) STRICT`},
		migrations[:step]...)
	stmts = append(stmts, fmt.Sprintf(`INSERT INTO schema_version (id, version) VALUES (1, %d)`, step))
	for _, stmt := range stmts {
		if _, err := db.Exec(stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	db.Close()
	old, err := Open(path) // as a station of the version before would have written, with no key
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := old.AppendAudit(ctx, audit.Entry{Time: time.Now(), Station: "ST-1", Event: audit.EventTemplate}); err != nil {
			t.Fatal(err)
		}
	}
	old.Close()

	_, key, _ := ed25519.GenerateKey(nil)
	s, err := Open(path, WithCheckpointer(signer{key}))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.AppendAudit(ctx, audit.Entry{Time: time.Now(), Station: "ST-1", Event: audit.EventTemplate}); err != nil {
		t.Fatal(err)
	}
	var r audit.Report
	if err := s.AuditTrail(ctx, func(tr audit.Trail) error {
		r, err = audit.CheckTrail(tr, audit.Expect{})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if len(r.Problems) > 0 || r.Checkpoints != 1 || len(r.Notes) != 1 || !strings.Contains(r.Notes[0], "Entries 1 to 3 were written before any station signed checkpoints") {
		t.Errorf("problems %q, %d checkpoints, notes %q", r.Problems, r.Checkpoints, r.Notes)
	}
}
